"""Releasing a quarantined test: its marker read, its passes since counted, the marker removed
(libcst) on a branch once it passed `flaky.release_passes` runs in a row."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.config import FlakySettings
from app.flaky.detect import History
from app.flaky.edits import EditError, release
from app.flaky.junit import CaseResult, Outcome, Run
from app.flaky.release import passes_since, quarantine_of

REASON = (
    "flaky: flip rate 55% over 12 runs, likely randomness, quarantined on 2026-11-02, "
    "expires 2026-12-02"
)
QUARANTINED = f'''"""Picks."""
import random

import pytest


@pytest.mark.xfail(strict=False, reason="{REASON}")
def test_pick():
    assert random.random() < 0.5


@pytest.mark.xfail(reason="known bug #12")
def test_known_bug():
    assert False
'''


def test_the_bots_markers_are_quarantines_and_the_authors_xfail_is_not() -> None:
    found = quarantine_of(QUARANTINED, "tests.test_pick::test_pick")
    assert found is not None
    assert (found.line, found.since) == (7, date(2026, 11, 2))
    assert found.marker.startswith("pytest.mark.xfail(strict=False, reason='flaky:")
    assert quarantine_of(QUARANTINED, "tests.test_pick::test_known_bug") is None
    rerun = "import pytest\n\n@pytest.mark.flaky(reruns=2)\ndef test_a():\n    pass\n"
    marked = quarantine_of(rerun, "t::test_a")
    assert marked is not None and (marked.since, marked.marker) == (
        None,
        "pytest.mark.flaky(reruns=2)",
    )
    assert quarantine_of("def test_a(:\n", "t::test_a") is None


def test_release_removes_the_marker_and_the_import_only_when_unused() -> None:
    released = release(QUARANTINED, "tests.test_pick::test_pick", "tests/test_pick.py")
    assert released == QUARANTINED.replace(QUARANTINED.splitlines()[6] + "\n", "")
    alone = (
        "import random\nimport pytest\n\n\n@pytest.mark.flaky(reruns=2)\ndef test_a():\n    pass\n"
    )
    assert release(alone, "t::test_a", "t.py") == "import random\n\n\ndef test_a():\n    pass\n"
    with pytest.raises(EditError, match="no quarantine marker"):
        release(QUARANTINED, "tests.test_pick::test_known_bug", "tests/test_pick.py")


def _run(day: int, outcome: Outcome, message: str = "") -> Run:
    result = CaseResult("tests.test_pick::test_pick", None, None, outcome, 0.1, message)
    when = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=day)
    return Run.of(f"run-{day}", "c" * 40, None, None, when, [result])


def test_passes_are_counted_since_the_quarantine_and_a_failure_under_it_resets() -> None:
    history = History(FlakySettings())
    runs = [
        _run(0, Outcome.FAILED),  # before the quarantine: does not count
        _run(3, Outcome.SKIPPED, "flaky: flip rate 55%"),  # failed under the xfail
        _run(2, Outcome.PASSED),
        _run(4, Outcome.PASSED),
        _run(5, Outcome.SKIPPED, "needs a database"),  # another skip: not a result
        _run(6, Outcome.PASSED),
    ]
    for run in runs:
        history.add(run)
    outcomes = history.outcomes("tests.test_pick::test_pick")
    assert [o for _, o in outcomes] == ["failed", "passed", "quarantined", "passed", "passed"]
    assert passes_since(outcomes, date(2026, 11, 2)) == 2
    assert passes_since([(None, "passed")] * 3, None) == 3
    assert passes_since(outcomes[:2], date(2026, 11, 2)) == 1  # the failure is before it


def _junit(outcome: str, when: datetime) -> str:
    inner = {
        "P": "",
        "X": '<skipped type="pytest.xfail" message="flaky: flip rate 55%"/>',
        "F": '<failure message="assert False">E</failure>',
    }[outcome]
    return (
        f'<?xml version="1.0"?><testsuites><testsuite name="pytest" timestamp="{when.isoformat()}">'
        f'<testcase classname="tests.test_pick" name="test_pick" time="0.01">{inner}</testcase>'
        "</testsuite></testsuites>"
    )


def _repository(tmp_path: Path) -> tuple[Path, list[str]]:
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "test_pick.py").write_text(QUARANTINED)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "quarantined"], check=True)
    return repo, git


def _history(folder: Path, outcomes: str, days_later: int = 0) -> None:
    start = datetime(2026, 11, 3, 9, tzinfo=UTC) + timedelta(days=days_later)
    for index, outcome in enumerate(outcomes):
        path = folder / f"run-{index:03d}" / "junit.xml"
        path.parent.mkdir(parents=True)
        path.write_text(_junit(outcome, start + timedelta(hours=index)))


def test_twenty_passes_since_the_quarantine_release_it_on_a_branch(tmp_path: Path) -> None:
    repo, git = _repository(tmp_path)
    _history(tmp_path / "junit", "PX" + "P" * 19)  # 19 passes in a row: not yet
    result = CliRunner().invoke(
        cli,
        ["flaky", str(repo), "--junit", str(tmp_path / "junit"), "--apply", "--format", "json"],
    )
    assert result.exit_code == 0, result.stderr
    (entry,) = json.loads(result.stdout)["quarantined"]
    assert (entry["id"], entry["since"], entry["passes"], entry["release"], entry["branch"]) == (
        "tests.test_pick::test_pick",
        "2026-11-02",
        19,
        False,
        None,
    )
    _history(tmp_path / "more", "P", days_later=2)  # the twentieth
    result = CliRunner().invoke(
        cli,
        [
            *("flaky", str(repo), "--junit", str(tmp_path / "junit")),
            *("--junit", str(tmp_path / "more"), "--apply", "--format", "json"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    (entry,) = json.loads(result.stdout)["quarantined"]
    branch = "maintainer/flaky-test/release-tests-test_pick.py-test_pick"
    assert (entry["passes"], entry["release"], entry["branch"]) == (20, True, branch)
    assert f"{branch}: created" in result.stderr
    released = subprocess.run(
        [*git, "show", f"{branch}:tests/test_pick.py"], capture_output=True, text=True, check=True
    ).stdout
    assert "flaky:" not in released
    assert '@pytest.mark.xfail(reason="known bug #12")' in released
    message = subprocess.run(
        [*git, "log", "-1", "--format=%B", branch], capture_output=True, text=True, check=True
    ).stdout
    assert "passed 20 runs in a row since its quarantine (release after 20)" in message


def test_the_release_threshold_is_configurable(tmp_path: Path) -> None:
    repo, git = _repository(tmp_path)
    (repo / ".maintainer.yml").write_text("flaky:\n  release_passes: 3\n")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "config"], check=True)
    _history(tmp_path / "junit", "PXPPP")
    result = CliRunner().invoke(cli, ["flaky", str(repo), "--junit", str(tmp_path / "junit")])
    assert result.exit_code == 0, result.stderr
    line = "quarantined tests.test_pick::test_pick (tests/test_pick.py:7): 3 passes in a row"
    assert line in result.stdout
    assert "due for release" in result.stdout
