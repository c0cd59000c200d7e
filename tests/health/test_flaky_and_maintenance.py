"""The health memory's flaky slot (`--junit`) and its maintenance inventory (deprecated API uses
and dead code, from the analyzers run over the scan's caches)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support import FIXTURES, make_repo

NOW = "2026-11-30T12:00:00"
FILES = {
    "pyproject.toml": '[project]\nname = "pkg"\nversion = "0.1"\nrequires-python = ">=3.12"\n',
    "pkg/__init__.py": "",
    "pkg/clock.py": "import datetime\n\n\ndef stamp() -> str:\n"
    "    return datetime.datetime.utcnow().isoformat()\n\n\n"
    "def _unused_helper(value: int) -> int:\n    return value * 2\n",
    "pkg/main.py": "from pkg.clock import stamp\n\n\ndef main() -> None:\n    print(stamp())\n\n\n"
    'if __name__ == "__main__":\n    main()\n',
    "tests/test_clock.py": "from pkg.clock import stamp\n\n\ndef test_stamp():\n"
    "    assert stamp()\n\n\ndef test_other():\n    assert True\n",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/unused"},
        timeout=300,
        check=False,
    )


def health(repo: Path, cache: Path, *extra: str) -> dict[str, Any]:
    completed = run(
        *("health", str(repo), "--cache-dir", str(cache), "--history", "1", "--now", NOW),
        *("--advisory-db", str(FIXTURES / "advisory-database"), "--format", "json", *extra),
    )
    assert completed.returncode == 0, completed.stderr
    document: dict[str, Any] = json.loads(completed.stdout)
    return document


def components(document: dict[str, Any]) -> dict[str, int]:
    return {c["name"]: c["value"] for c in document["score"]["components"]}


def junit_history(folder: Path) -> None:
    """Ten runs on one commit: test_stamp fails in four of them (flaky), test_other never."""
    start = datetime(2026, 11, 23, 9, tzinfo=UTC)
    for index, mark in enumerate("PFPPFPFPPF"):
        failure = '<failure message="assert 0">E</failure>' if mark == "F" else ""
        when = (start + timedelta(hours=index)).isoformat()
        (folder / f"run-{index}").mkdir(parents=True)
        (folder / f"run-{index}" / "junit.xml").write_text(
            f'<?xml version="1.0"?><testsuites><testsuite name="pytest" timestamp="{when}">'
            '<properties><property name="commit" value="' + "a" * 40 + '"/></properties>'
            f'<testcase classname="tests.test_clock" name="test_stamp">{failure}</testcase>'
            '<testcase classname="tests.test_clock" name="test_other"/>'
            "</testsuite></testsuites>"
        )


def test_without_junit_results_or_a_scan_cache_both_slots_are_unknown(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    document = health(repo, tmp_path / "cache")
    assert "flaky" not in components(document)
    assert "maintenance" not in components(document)
    metrics = document["history"][-1]["metrics"]
    assert (metrics["flake_rate"], metrics["deprecated_uses"]) == (None, None)
    assert metrics["dead_code_candidates"] is None


def test_junit_results_give_the_flake_rate_and_the_flaky_tests_as_items(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    junit_history(tmp_path / "junit")
    document = health(repo, tmp_path / "cache", "--junit", str(tmp_path / "junit"))
    # every one of the ten runs with a failure of the flaky test counts: 4 of 10
    assert document["history"][-1]["metrics"]["flake_rate"] == 0.4
    assert components(document)["flaky"] == 60
    (item,) = [i for i in document["items"] if i["kind"] == "flaky-test"]
    assert item == {
        "id": "flaky-test:tests.test_clock::test_stamp",
        "kind": "flaky-test",
        "subject": "tests/test_clock.py::test_stamp",
        "evidence": "flip rate 78%, failed 4 of 10 runs",
        "cost": {"minutes": 60, "risk": "medium"},
        "fix": {
            "kind": "flaky-test",
            "branch": "maintainer/flaky-test/quarantine-tests-test_clock.py-test_stamp",
        },
    }


def test_deprecated_uses_and_dead_code_come_from_the_scans_caches(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    cache = tmp_path / "cache"
    scanned = run("scan", str(repo), "--only", "deprecation,dead-code", "--cache-dir", str(cache))
    assert scanned.returncode == 0, scanned.stderr
    entries = sorted(p for p in (cache / "deprecations").rglob("*.json"))
    stamps = [p.stat().st_mtime_ns for p in entries]
    document = health(repo, cache)
    # the scan's cached results were used, not written again
    assert [p.stat().st_mtime_ns for p in entries] == stamps
    assert sorted(p for p in (cache / "deprecations").rglob("*.json")) == entries
    items = {i["kind"]: i for i in document["items"]}
    assert items["deprecated-api"]["subject"] == "pkg/clock.py:5"
    assert items["deprecated-api"]["fix"] == {
        "kind": "deprecation",
        "branch": "maintainer/deprecation/deprecations-datetime",
    }
    assert items["deprecated-api"]["cost"] == {"minutes": 5, "risk": "low"}
    assert items["dead-code"]["subject"] == "pkg/clock.py:8 _unused_helper"
    assert items["dead-code"]["fix"] == {"kind": "dead-code", "branch": "maintainer/dead-code/pkg"}
    assert components(document)["maintenance"] == 97  # 2 points + 1 point
    metrics = document["history"][-1]["metrics"]
    assert (metrics["deprecated_uses"], metrics["dead_code_candidates"]) == (1, 1)


def test_the_reports_have_a_flaky_tests_section(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    junit_history(tmp_path / "junit")
    common = [
        *("--cache-dir", str(tmp_path / "cache"), "--history", "1", "--now", NOW),
        *("--advisory-db", str(FIXTURES / "advisory-database")),
    ]
    markdown = run(
        "health", str(repo), *common, "--junit", str(tmp_path / "junit"), "--format", "markdown"
    )
    assert markdown.returncode == 0, markdown.stderr
    section = markdown.stdout.split("### Flaky tests", 1)[1].split("###", 1)[0]
    assert "Flake rate **40 %**" in section
    assert "flip rate 78%, failed 4 of 10 runs" in section
    assert (
        "quarantine on `maintainer/flaky-test/quarantine-tests-test_clock.py-test_stamp`" in section
    )
    page = tmp_path / "report.html"
    html = run("health", str(repo), *common, "--format", "html", "--output", str(page))
    assert html.returncode == 0, html.stderr
    text = page.read_text()
    assert "<h2>Flaky tests</h2>" in text
    assert "Unknown: no JUnit results" in text


def test_backfilled_samples_take_the_flake_rate_of_their_week(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for relative, content in FILES.items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(content)
    when = "2026-11-01T12:00:00"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "commit", "-qm", "initial"],
        env={
            **os.environ,
            **dict.fromkeys(("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"), when),
            **dict.fromkeys(("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"), "t"),
            **dict.fromkeys(("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"), "t@example.invalid"),
        },
        check=True,
    )
    junit_history(tmp_path / "junit")  # all ten runs on 2026-11-23, ISO week 48
    document = health(
        repo, tmp_path / "cache", "--history", "3", "--junit", str(tmp_path / "junit")
    )
    rates = {s["date"]: s["metrics"]["flake_rate"] for s in document["history"]}
    assert rates == {"2026-11-16": None, "2026-11-23": 0.4, "2026-11-30": 0.4}
