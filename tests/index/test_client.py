import socket

import pytest

from app.index.cache import HttpCache
from app.index.client import SimpleIndex, default_index_url
from app.index.model import IndexUnavailable, LookupFailure, Project
from tests.support import IndexServer

NAMES = ["requests", "flask", "django", "pyyaml", "urllib3"]


def test_fetches_projects_concurrently_with_pep700_fields(index: IndexServer) -> None:
    seen: list[tuple[str, int, int]] = []
    projects = SimpleIndex(index.url).fetch(NAMES, lambda *args: seen.append(args))
    requests = projects["requests"]
    assert isinstance(requests, Project)
    release = next(r for r in requests.releases if str(r.version) == "2.19.0")
    assert release.upload_time is not None
    assert len(release.sha256) == 2 and all(len(d) == 64 for d in release.sha256)
    assert any(r.yanked for r in requests.releases)
    assert seen[-1] == ("index", 5, 5)
    assert len(index.requests) == 5


def test_missing_project_is_a_per_package_failure(index: IndexServer) -> None:
    projects = SimpleIndex(index.url).fetch(["requests", "no-such-package"])
    failure = projects["no-such-package"]
    assert isinstance(failure, LookupFailure)
    assert failure.message == f"not found on the index {index.url}"


def test_stale_cache_revalidates_with_etag(index: IndexServer, tmp_path) -> None:
    cache = HttpCache(tmp_path)
    SimpleIndex(index.url, cache=cache).fetch(NAMES)
    again = SimpleIndex(index.url, cache=cache).fetch(NAMES)
    assert sorted(index.not_modified) == sorted(NAMES)
    assert isinstance(again["django"], Project)


def test_fresh_cache_costs_no_request(index: IndexServer, tmp_path) -> None:
    index.max_age = 600
    cache = HttpCache(tmp_path)
    SimpleIndex(index.url, cache=cache).fetch(NAMES)
    before = len(index.requests)
    SimpleIndex(index.url, cache=cache).fetch(NAMES)
    assert len(index.requests) == before


def test_garbage_is_a_clear_fatal_error(index: IndexServer) -> None:
    index.mode = "garbage"
    with pytest.raises(IndexUnavailable, match=r"returned garbage for .*requests"):
        SimpleIndex(index.url).fetch(["requests"])


def test_server_errors_are_retried_then_fatal(index: IndexServer) -> None:
    index.mode = "error"
    with pytest.raises(IndexUnavailable, match="answered HTTP 503"):
        SimpleIndex(index.url).fetch(["requests"])
    assert len(index.requests) == 3


def test_unreachable_index_is_fatal() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(IndexUnavailable, match="cannot reach the index"):
        SimpleIndex(f"http://127.0.0.1:{port}/simple", timeout=2).fetch(["requests"])


def test_pip_index_url_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    assert default_index_url() == "https://mirror.example/simple"
    assert SimpleIndex().index_url == "https://mirror.example/simple"
