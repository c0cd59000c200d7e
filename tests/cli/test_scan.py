"""End-to-end: `maintainer scan` as a subprocess on real git repositories, against a real
local index serving recorded responses."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import FIXTURES, INDEX_FIXTURES, IndexServer, git, make_repo

pytestmark = pytest.mark.slow

DEMO = FIXTURES / "demo-repo"
NOW = "2026-11-27T12:00:00"


def maintainer(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/unused"},
        timeout=120,
        check=False,
    )


def scan(repo: Path, index: IndexServer, *extra: str) -> subprocess.CompletedProcess[str]:
    only = () if "--only" in extra else ("--only", "dependency-update")
    return maintainer(
        "scan", str(repo), "--index-url", index.url, "--no-cache", "--now", NOW, *only, *extra
    )


def scan_json(repo: Path, index: IndexServer, *extra: str) -> dict[str, Any]:
    completed = scan(repo, index, "--format", "json", *extra)
    assert completed.returncode in (0, 1), completed.stderr
    document: dict[str, Any] = json.loads(completed.stdout)
    return document


def test_demo_repository_proposals_have_the_documented_shape(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "demo", DEMO)
    document = scan_json(repo, index)
    assert document["repository"] == "demo"
    assert document["errors"] == []
    by_title = {p["title"]: p for p in document["proposals"]}
    requests = by_title["Bump requests from 2.28.0 to 2.34.2"]
    assert requests["kind"] == "dependency-update"
    assert requests["branch"] == "maintainer/dependency-update/requests-2.34.2"
    assert requests["files"] == ["requirements.txt"]
    assert requests["risk"]["level"] in ("low", "medium", "high")
    assert "2 files import it" in requests["risk"]["factors"]
    assert requests["updates"][0] | {"libyears": 0} == requests["updates"][0] | {
        "package": "requests",
        "from": "2.28.0",
        "to": "2.34.2",
        "update_type": "minor",
        "manifest": "requirements.txt",
        "libyears": 0,
    }
    for heading in ("## What changes", "## Why", "## Risk", "## Rollback"):
        assert heading in requests["body"]
    group = by_title["Update 3 dependencies in the dev-tools group"]
    assert sorted(u["package"] for u in group["updates"]) == ["mypy", "pytest", "ruff"]
    urllib3 = next(p for p in document["proposals"] if p["updates"][0]["package"] == "urllib3")
    assert urllib3["updates"][0]["to"].startswith("1.26.")


def test_hashes_are_rewritten_from_the_index_digests(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "demo", DEMO)
    document = scan_json(repo, index, "--apply")
    click = next(p for p in document["proposals"] if p["updates"][0]["package"] == "click")
    new_version = click["updates"][0]["to"]
    page = json.loads((INDEX_FIXTURES / "click.json").read_text())
    expected = sorted(
        f["hashes"]["sha256"] for f in page["files"] if f"-{new_version}" in f["filename"]
    )
    committed = git(repo, "show", f"{click['branch']}:requirements.txt")
    found = sorted(
        line.split(":")[-1].rstrip(" \\") for line in committed.splitlines() if "--hash" in line
    )
    assert found == expected


def test_apply_creates_branches_without_touching_the_checkout(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "demo", DEMO)
    (repo / "notes.txt").write_text("work in progress\n")
    head = git(repo, "rev-parse", "HEAD")
    before = (repo / "requirements.txt").read_bytes()
    document = scan_json(repo, index, "--apply")
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(repo, "status", "--porcelain") == "?? notes.txt\n"
    assert (repo / "requirements.txt").read_bytes() == before
    branches = git(repo, "branch", "--format=%(refname:short)").split()
    assert sorted(b for b in branches if b != "main") == sorted(
        p["branch"] for p in document["proposals"]
    )
    requests = next(p for p in document["proposals"] if p["title"].startswith("Bump requests"))
    diff = git(repo, "diff", "main", requests["branch"])
    assert "-requests==2.28.0\n+requests==2.34.2\n" in diff
    assert git(repo, "log", "--format=%an|%s", "-1", requests["branch"]).strip() == (
        "maintainer-bot|Bump requests from 2.28.0 to 2.34.2"
    )
    again = scan_json(repo, index, "--apply")
    assert {b["action"] for b in again["branches"]} == {"unchanged"}


def test_output_writes_one_markdown_body_per_proposal(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "demo", DEMO)
    out = tmp_path / "bodies"
    document = scan_json(repo, index, "--output", str(out))
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == len(document["proposals"])
    assert "maintainer-dependency-update-requests-2.34.2.md" in written
    body = (out / "maintainer-dependency-update-requests-2.34.2.md").read_text()
    assert body.startswith("## What changes")


def test_table_output_lists_proposals(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "demo", DEMO)
    completed = scan(repo, index)
    assert completed.returncode == 0, completed.stderr
    assert "Bump requests from 2.28.0 to 2.34.2" in completed.stdout
    assert "maintainer/dependency-update/requests-2.34.2" in completed.stdout


def test_not_a_git_repository(tmp_path, index) -> None:
    completed = scan(tmp_path, index)
    assert completed.returncode == 2
    assert "is not a git repository" in completed.stderr


def test_no_manifests_says_so(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "empty", files={"main.py": "print('hi')\n"})
    completed = scan(repo, index)
    assert completed.returncode == 0
    assert "no dependency manifests with dependencies found" in completed.stdout
    assert index.requests == []


def test_a_bad_manifest_line_is_reported_and_the_rest_processed(tmp_path, index) -> None:
    repo = make_repo(
        tmp_path / "r",
        files={
            "requirements.txt": "requests==2.28.0\nthis is === wrong\n",
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask==2.0.0"]\n',
            "setup.cfg": "[options\n",
        },
    )
    completed = scan(repo, index, "--format", "json")
    assert completed.returncode == 1
    document = json.loads(completed.stdout)
    errors = {(e["file"], e["line"]) for e in document["errors"]}
    assert ("requirements.txt", 2) in errors
    assert any(e["file"] == "setup.cfg" for e in document["errors"])
    packages = {p["updates"][0]["package"] for p in document["proposals"]}
    assert packages == {"requests", "flask"}


def test_package_missing_from_index_is_an_error_for_that_package(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "r", files={"requirements.txt": "requests==2.28.0\nnope==1.0\n"})
    document = scan_json(repo, index)
    assert document["errors"] == [
        {
            "file": "requirements.txt",
            "line": 2,
            "message": f"nope: not found on the index {index.url}",
        }
    ]
    assert len(document["proposals"]) == 1


def test_unreachable_index_exits_2_and_creates_no_branch(tmp_path) -> None:
    repo = make_repo(tmp_path / "demo", DEMO)
    completed = maintainer(
        "scan", str(repo), "--index-url", "http://127.0.0.1:9/simple", "--no-cache", "--apply"
    )
    assert completed.returncode == 2
    assert "cannot reach the index at http://127.0.0.1:9/simple" in completed.stderr
    assert git(repo, "branch", "--format=%(refname:short)").split() == ["main"]


def test_garbage_from_the_index_exits_2(tmp_path, index) -> None:
    index.mode = "garbage"
    repo = make_repo(tmp_path / "demo", DEMO)
    completed = scan(repo, index, "--apply")
    assert completed.returncode == 2
    assert "returned garbage" in completed.stderr
    assert git(repo, "branch", "--format=%(refname:short)").split() == ["main"]


def test_invalid_config_exits_2_with_line_and_key(tmp_path, index) -> None:
    repo = make_repo(
        tmp_path / "r",
        files={
            "requirements.txt": "requests==2.28.0\n",
            ".maintainer.yml": "labels: [deps]\nrange_strategy: sideways\n",
        },
    )
    completed = scan(repo, index)
    assert completed.returncode == 2
    assert "line 2: range_strategy:" in completed.stderr
    validated = maintainer("config", "validate", str(repo))
    assert validated.returncode == 2
    assert "line 2: range_strategy: Input should be" in validated.stderr


def test_config_validate_and_schema(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", files={".github/maintainer.yml": "open_pr_limit: 2\n"})
    assert (
        maintainer("config", "validate", str(repo))
        .stdout.strip()
        .endswith(".github/maintainer.yml: valid")
    )
    schema = json.loads(maintainer("config", "schema").stdout)
    assert "range_strategy" in schema["properties"]


def test_only_limits_analyzers_and_rejects_unknown_kinds(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "demo", DEMO)
    assert scan(repo, index, "--only", "nonsense").returncode == 2
    document = scan_json(repo, index, "--only", "dependency-update")
    assert {p["kind"] for p in document["proposals"]} == {"dependency-update"}


def test_paths_exclude_skips_manifests(tmp_path, index) -> None:
    repo = make_repo(
        tmp_path / "r",
        files={
            "requirements.txt": "requests==2.28.0\n",
            "vendor/requirements.txt": "flask==2.0.0\n",
            ".maintainer.yml": "paths: {exclude: [vendor]}\nmin_release_age_days: 0\n",
        },
    )
    document = scan_json(repo, index)
    assert {p["updates"][0]["package"] for p in document["proposals"]} == {"requests"}


def test_digest_helper_matches_fixture() -> None:
    assert hashlib.sha256(b"").hexdigest().startswith("e3b0")
