"""The security analyzer end to end: real git repositories, the local index server, and both
advisory sources (the offline directory and pip-audit against a local OSV server)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.analyzers.base import Adapters
from app.config import RepoConfig
from app.index.client import SimpleIndex
from app.model import Kind, ScanResult, apply_edits
from app.output import scan_json, scan_table
from app.pipeline import scan
from app.security.directory import AdvisoryDirectory
from app.security.pip_audit import PipAuditSettings, PipAuditSource
from app.security.source import AdvisorySource
from tests.support import NOW, IndexServer, index_server, make_repo
from tests.support.osv_server import ADVISORY_DB, osv_server

REQUIREMENTS = """\
requests==2.19.0
jinja2==2.10
pyyaml==5.3
urllib3==1.24.1  # pulled in by requests
django==2.2.0
click==8.0.1
"""
EXPECTED_TITLES = {
    "[security] Bump django from 2.2.0 to 2.2.28",
    "[security] Bump jinja2 from 2.10 to 2.11.3",
    "[security] Bump pyyaml from 5.3 to 5.4",
    "[security] Bump requests from 2.19.0 to 2.31.0",
    "[security] Bump urllib3 from 1.24.1 to 1.26.18",
}


@pytest.fixture
def index() -> Iterator[IndexServer]:
    with index_server() as server:
        yield server


def run(
    repo: Path, index: IndexServer, source: AdvisorySource | None, config: RepoConfig | None = None
) -> ScanResult:
    adapters = Adapters(index=SimpleIndex(index.url), advisories=source)
    config = config or RepoConfig(enabled=[Kind.SECURITY])
    return scan(repo, adapters, now=NOW, config=config)


def edited(result: ScanResult, repo: Path, path: str) -> str:
    text = (repo / path).read_text()
    edits = [e for p in result.proposals for e in p.edits if e.path == path]
    new = apply_edits(text, edits)
    assert new is not None
    return new


def check_five_pins(result: ScanResult, repo: Path) -> None:
    assert {p.title for p in result.proposals} == EXPECTED_TITLES
    assert not result.unaudited and not result.errors
    assert all(p.kind is Kind.SECURITY and "security" in p.labels for p in result.proposals)
    assert edited(result, repo, "requirements.txt") == (
        "requests==2.31.0\njinja2==2.11.3\npyyaml==5.4\n"
        "urllib3==1.26.18  # pulled in by requests\ndjango==2.2.28\nclick==8.0.1\n"
    )


def test_offline_directory_finds_and_fixes_the_known_vulnerable_pins(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "repo", files={"requirements.txt": REQUIREMENTS})
    result = run(repo, index, AdvisoryDirectory(ADVISORY_DB))
    check_five_pins(result, repo)
    document = json.loads(scan_json(result))
    jinja = next(p for p in document["proposals"] if "jinja2" in p["title"])
    assert jinja["kind"] == "security"
    assert jinja["updates"][0]["package"] == "jinja2"
    assert jinja["updates"][0]["from"] == "2.10" and jinja["updates"][0]["to"] == "2.11.3"
    advisories = {a["id"]: a for a in jinja["advisories"]}
    assert set(advisories) == {"PYSEC-2019-217", "PYSEC-2021-66"}
    assert advisories["PYSEC-2019-217"] == {
        "id": "PYSEC-2019-217",
        "aliases": ["CVE-2019-10906", "GHSA-462w-v97r-4m45"],
        "package": "jinja2",
        "fix_versions": ["2.10.1"],
    }
    assert document["unaudited"] == []
    body = jinja["body"]
    assert "[PYSEC-2019-217](https://osv.dev/vulnerability/PYSEC-2019-217)" in body
    assert "CVE-2020-28493" in body and "`< 2.11.3`" in body
    assert "staying on 2.10 is also a risk" in body
    assert "## Rollback" in body and "`jinja2==2.10`" in body
    urllib3 = next(p for p in result.proposals if "urllib3" in p.title)
    assert "8.1 High (CVSS:3." in urllib3.body


@pytest.mark.slow
def test_pip_audit_against_a_local_osv_server_gives_the_same_proposals(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "repo", files={"requirements.txt": REQUIREMENTS})
    with osv_server() as osv:
        source = PipAuditSource(PipAuditSettings(osv_url=osv.query_url))
        result = run(repo, index, source)
        asked = {body for path, body in osv.requests if path == "/v1/query"}
    check_five_pins(result, repo)
    # the chosen fixes were audited again before being proposed
    assert any('"version": "2.11.3"' in body and "jinja2" in body for body in asked)
    offline = run(repo, index, AdvisoryDirectory(ADVISORY_DB))
    assert [p.body for p in result.proposals] != []
    assert {p.title for p in offline.proposals} == {p.title for p in result.proposals}


def test_ranges_are_audited_at_their_lowest_release_and_get_a_raised_floor(tmp_path, index) -> None:
    pyproject = (
        '[project]\nname = "shop"\nversion = "1"\nrequires-python = ">=3.8"\n'
        'dependencies = ["Jinja2~=2.10", "PyYAML~=5.3", "requests>=2.31"]\n'
    )
    files = {"pyproject.toml": pyproject, "requirements.txt": "jinja2 >=2.10, <3\n"}
    repo = make_repo(tmp_path / "repo", files=files)
    result = run(repo, index, AdvisoryDirectory(ADVISORY_DB))
    assert {p.title for p in result.proposals} == {
        "[security] Bump jinja2 from 2.10 to 2.11.3",
        "[security] Bump pyyaml from 5.3 to 5.4",
    }
    # ~=2.11 would still allow the vulnerable 2.11.0: the floor is written out instead
    assert 'dependencies = ["Jinja2>=2.11.3,<3", "PyYAML~=5.4", "requests>=2.31"]' in edited(
        result, repo, "pyproject.toml"
    )
    assert edited(result, repo, "requirements.txt") == "jinja2 >=2.11.3, <3\n"


def test_unfixable_and_index_failures_are_reported_without_a_pr(tmp_path, index) -> None:
    repo = make_repo(
        tmp_path / "repo",
        files={"requirements.txt": "py==1.10.0\nnot-on-index==1.0\njinja2==2.10\n"},
    )
    db = tmp_path / "db"
    shutil.copytree(ADVISORY_DB, db)
    ghost = db / "vulns" / "not-on-index"
    ghost.mkdir()
    (ghost / "GHSA-0000-0000-0001.yaml").write_text(
        "id: GHSA-0000-0000-0001\naffected:\n- package: {name: not-on-index, ecosystem: PyPI}\n"
        "  ranges: [{type: ECOSYSTEM, events: [{introduced: '0'}, {fixed: '2.0'}]}]\n"
    )
    result = run(repo, index, AdvisoryDirectory(db))
    assert [p.title for p in result.proposals] == ["[security] Bump jinja2 from 2.10 to 2.11.3"]
    document = json.loads(scan_json(result))
    reported = {r["unfixable"][0]["package"]: r for r in document["reported"]}
    assert set(reported) == {"py", "not-on-index"}
    assert "outside every advisory's affected range" in reported["py"]["unfixable"][0]["reason"]
    assert reported["py"]["advisories"][0]["id"] == "PYSEC-2022-42969"
    assert "not-on-index" in reported["not-on-index"]["unfixable"][0]["reason"]
    assert "cannot choose a fixed release" in reported["not-on-index"]["summary"]


def test_unreachable_service_reports_everything_unaudited(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "repo", files={"requirements.txt": REQUIREMENTS})
    source = PipAuditSource(PipAuditSettings(osv_url="http://127.0.0.1:9/v1/query"))
    result = run(repo, index, source)
    assert result.proposals == []
    assert len(result.unaudited) == 6
    assert {u.package for u in result.unaudited} >= {"requests", "click"}
    assert all(u.reason.startswith("pip-audit failed") for u in result.unaudited)
    document = json.loads(scan_json(result))
    # one reason, one entry: the packages are listed under it, not the reason under each
    (group,) = document["unaudited"]
    assert group["reason"].startswith("pip-audit failed")
    assert {p["package"] for p in group["packages"]} >= {"jinja2", "django"}
    table = scan_table(result)
    assert table.count("pip-audit failed") == 1
    [line] = [line for line in table.splitlines() if "pip-audit failed" in line]
    assert "(6): " in line and "django " in line and "requests 2.19.0" in line
    assert any("0 of 6 dependencies audited" in note for note in result.notes)


def test_range_without_index_answer_is_unaudited(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "repo", files={"requirements.txt": "not-on-index>=1.0\n"})
    result = run(repo, index, AdvisoryDirectory(ADVISORY_DB))
    (unaudited,) = result.unaudited
    assert unaudited.package == "not-on-index" and unaudited.version is None
    assert unaudited.reason.startswith("cannot find the lowest release '>=1.0' allows")


def test_security_bypasses_release_age_and_open_pr_limit_and_can_group(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "repo", files={"requirements.txt": REQUIREMENTS})
    strict = RepoConfig(
        enabled=[Kind.SECURITY], min_release_age_days=365, open_pr_limit=0
    ).model_copy(update={"min_release_age_days": 365 * 30})
    result = run(repo, index, AdvisoryDirectory(ADVISORY_DB), strict)
    assert {p.title for p in result.proposals} == EXPECTED_TITLES
    grouped = strict.model_copy(
        update={"security": strict.security.model_copy(update={"group": True})}
    )
    result = run(repo, index, AdvisoryDirectory(ADVISORY_DB), grouped)
    assert [p.title for p in result.proposals] == ["[security] Fix 5 vulnerable dependencies"]
    assert result.proposals[0].body.count("| [PYSEC-") >= 10


@pytest.mark.slow
def test_cli_advisory_db_json_and_exit_status(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "repo", files={"requirements.txt": REQUIREMENTS})
    completed = maintainer(repo, index, "--advisory-db", str(ADVISORY_DB))
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert {p["title"] for p in document["proposals"]} == EXPECTED_TITLES
    assert all(p["kind"] == "security" for p in document["proposals"])
    assert document["unaudited"] == []

    broken = tmp_path / "db"
    shutil.copytree(ADVISORY_DB, broken)
    bad = broken / "vulns" / "jinja2" / "PYSEC-2019-217.yaml"
    bad.write_text("id: [unclosed\n")
    completed = maintainer(repo, index, "--advisory-db", str(broken))
    assert completed.returncode == 1
    document = json.loads(completed.stdout)
    (error,) = document["errors"]
    assert error["file"] == str(bad) and "skipped: invalid YAML" in error["message"]
    assert "[security] Bump jinja2 from 2.10 to 2.11.3" in {
        p["title"] for p in document["proposals"]
    }


@pytest.mark.slow
def test_cli_unreachable_service_exits_1_with_unaudited(tmp_path, index) -> None:
    repo = make_repo(tmp_path / "repo", files={"requirements.txt": "jinja2==2.10\n"})
    completed = maintainer(repo, index, "--osv-url", "http://127.0.0.1:9/v1/query")
    assert completed.returncode == 1
    document = json.loads(completed.stdout)
    assert document["proposals"] == []
    (unaudited,) = document["unaudited"]
    assert unaudited["packages"] == [{"package": "jinja2", "version": "2.10"}]
    assert unaudited["reason"].startswith("pip-audit failed")


def maintainer(repo: Path, index: IndexServer, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "scan",
            str(repo),
            "--format",
            "json",
            "--only",
            "security",
            "--index-url",
            index.url,
            "--no-cache",
            *extra,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/unused"},
        timeout=240,
        check=False,
    )


def test_hashed_pin_gets_the_fix_digests_from_the_index(tmp_path, index) -> None:
    requirements = (
        "urllib3==1.24.1 \\\n"
        "    --hash=sha256:61bf29cada3fc2fbefad4fdf059ea4bd1b4a86d2b6d15e1c7c0b582b9752fe39\n"
    )
    repo = make_repo(tmp_path / "repo", files={"requirements.txt": requirements})
    result = run(repo, index, AdvisoryDirectory(ADVISORY_DB))
    assert edited(result, repo, "requirements.txt") == (
        "urllib3==1.26.18 \\\n"
        "    --hash=sha256:34b97092d7e0a3a8cf7cd10e386f401b3737364026c45e622aa02903dffe0f07 \\\n"
        "    --hash=sha256:f8ecc1bba5667413457c529ab955bf8c67b45db799d159066261719e328580a0\n"
    )


def test_maintainer_yml_names_the_advisory_directory(tmp_path, index) -> None:
    db = tmp_path / "repo" / "advisories"
    shutil.copytree(ADVISORY_DB, db)
    config = "enabled: [security]\nsecurity:\n  advisory_db: advisories\n"
    files = {"requirements.txt": "jinja2==2.10\n", ".maintainer.yml": config}
    repo = make_repo(tmp_path / "repo", files=files)
    adapters = Adapters(index=SimpleIndex(index.url))
    result = scan(repo, adapters, now=NOW)
    assert [p.title for p in result.proposals] == ["[security] Bump jinja2 from 2.10 to 2.11.3"]
    assert any("advisory directory" in note for note in result.notes)
