"""A repository's `.maintainer.yml` never names a host path or an address the App contacts:
the worker uses the operator's service settings and says in `maintainer/config` what it
ignored. The CLI, on the user's own checkout, keeps the file's values."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.analyzers.base import Adapters
from app.config import parse_config
from app.confinement import ServiceSecurity, confine
from app.index.client import SimpleIndex
from app.service.scan_job import ScanJob
from app.settings import Settings
from app.store import RepoRef, open_store
from tests.support import NOW, IndexServer
from tests.support.harness import APP_ID, INSTALLATION_ID, REPO, Harness, app_keys
from tests.support.osv_server import ADVISORY_DB, osv_server

SECRET = "HOST-SECRET-TEXT-7f3a"
HOST_RECORD = f"""id: HOST-0001
details: {SECRET}
affected:
- package:
    name: jinja2
    ecosystem: PyPI
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: "0"
    - fixed: 2.11.3
"""


@pytest.fixture
def host_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory on the bot's host that no repository may make it read."""
    host = tmp_path / "host-only"
    (host / "vulns" / "jinja2").mkdir(parents=True)
    (host / "vulns" / "jinja2" / "HOST-0001.yaml").write_text(HOST_RECORD)
    yield host


def settings(
    harness: Harness, tmp_path: Path, advisory_db: Path | None = None, osv_url: str | None = None
) -> Settings:
    return Settings(
        app_id=APP_ID,
        private_key=SecretStr(app_keys().private_pem),
        github_url=harness.url,
        data_dir=tmp_path / "data",
        advisory_db=advisory_db,
        osv_url=osv_url,
    )


def scan(harness: Harness, tmp_path: Path, index: IndexServer, config: Settings) -> None:
    """One scan job with a store of its own, as a freshly installed repository."""
    store = open_store(f"sqlite:///{tempfile.mkdtemp(dir=tmp_path)}/state.db")
    repo = harness.emulator.state.repo(REPO)
    assert repo is not None
    store.upsert_installation(INSTALLATION_ID, "octo-org", "Organization")
    store.add_repositories(INSTALLATION_ID, [RepoRef(repo.id, REPO, False, "main")])
    repository = store.repository(REPO)
    assert repository is not None
    try:
        with harness.github() as github:
            adapters = Adapters(index=SimpleIndex(index.url))
            job = ScanJob(config, store, github.installation, lambda: adapters, clock=lambda: NOW)
            job.scan(repository)
    finally:
        store.engine.dispose()


def pushed(harness: Harness, tmp_path: Path, security: str) -> str:
    config = f"enabled: [security]\nsecurity:\n{security}"
    files = {"requirements.txt": "jinja2==2.10\n", ".maintainer.yml": config}
    return harness.human_push(REPO, "main", files, tmp_path)


def config_check(harness: Harness, sha: str) -> tuple[str | None, str]:
    with harness.github() as gh:
        [run] = gh.installation(INSTALLATION_ID).check_runs(REPO, sha, name="maintainer/config")
    return run.conclusion, run.summary or ""


@pytest.mark.slow
@pytest.mark.parametrize("style", ["absolute", "dotdot", "home"])
def test_advisory_db_naming_a_host_directory_is_ignored(
    harness: Harness,
    tmp_path: Path,
    index: IndexServer,
    host_dir: Path,
    style: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if style == "home":
        monkeypatch.setenv("HOME", str(host_dir.parent))
    value = {
        "absolute": str(host_dir),
        "dotdot": "../" * 30 + str(host_dir).lstrip("/"),
        "home": "~/" + host_dir.name,
    }[style]
    sha = pushed(harness, tmp_path, f"  advisory_db: '{value}'\n")
    scan(harness, tmp_path, index, settings(harness, tmp_path, advisory_db=ADVISORY_DB))
    with harness.github() as gh:
        pulls = gh.installation(INSTALLATION_ID).pulls(REPO)
    bodies = "\n".join(p.body or "" for p in pulls)
    assert SECRET not in bodies and "HOST-0001" not in bodies
    # the operator's advisory directory was used instead
    assert "PYSEC-2019-217" in bodies
    conclusion, summary = config_check(harness, sha)
    assert conclusion == "neutral"
    assert "`security.advisory_db`" in summary and "MAINTAINER_ADVISORY_DB" in summary


@pytest.mark.slow
def test_advisory_db_inside_the_checkout_is_used(
    harness: Harness, tmp_path: Path, index: IndexServer
) -> None:
    record = (ADVISORY_DB / "vulns" / "jinja2" / "PYSEC-2019-217.yaml").read_text()
    config = "enabled: [security]\nsecurity:\n  advisory_db: ./audit/../advisories\n"
    files = {
        "requirements.txt": "jinja2==2.10\n",
        ".maintainer.yml": config,
        "advisories/vulns/jinja2/PYSEC-2019-217.yaml": record,
    }
    sha = harness.human_push(REPO, "main", files, tmp_path)
    scan(harness, tmp_path, index, settings(harness, tmp_path))
    with harness.github() as gh:
        pulls = gh.installation(INSTALLATION_ID).pulls(REPO)
    assert any("PYSEC-2019-217" in (p.body or "") for p in pulls)
    assert config_check(harness, sha)[0] == "success"


@pytest.mark.slow
def test_osv_url_from_the_repository_is_never_contacted(
    harness: Harness, tmp_path: Path, index: IndexServer
) -> None:
    with osv_server() as theirs, osv_server() as ours:
        sha = pushed(harness, tmp_path, f"  osv_url: '{theirs.query_url}'\n")
        scan(harness, tmp_path, index, settings(harness, tmp_path, osv_url=ours.query_url))
        assert theirs.requests == []
        assert ours.requests
    conclusion, summary = config_check(harness, sha)
    assert conclusion == "neutral"
    assert "`security.osv_url`" in summary and "MAINTAINER_OSV_URL" in summary


def test_confine_resolves_symlinks(tmp_path: Path, host_dir: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "advisories").symlink_to(host_dir)
    config = parse_config("security:\n  advisory_db: advisories\n  osv_url: http://10.0.0.1/\n")
    confined = confine(config, checkout, ServiceSecurity(osv_url="https://osv.internal/v1/query"))
    assert confined.config.security.advisory_db is None
    assert confined.config.security.osv_url == "https://osv.internal/v1/query"
    assert [s.key for s in confined.ignored] == ["security.advisory_db", "security.osv_url"]
    assert "outside the repository" in confined.ignored[0].reason


def test_the_cli_keeps_a_host_advisory_db(
    tmp_path: Path, index: IndexServer, host_dir: Path
) -> None:
    from app.pipeline import scan as pipeline_scan
    from tests.support import make_repo

    config = f"enabled: [security]\nsecurity:\n  advisory_db: '{host_dir}'\n"
    files = {"requirements.txt": "jinja2==2.10\n", ".maintainer.yml": config}
    repo = make_repo(tmp_path / "mine", files=files)
    result = pipeline_scan(repo, Adapters(index=SimpleIndex(index.url)), now=NOW)
    assert any(SECRET in p.body for p in result.proposals)
