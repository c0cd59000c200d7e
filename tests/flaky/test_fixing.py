"""A fix is proposed only when its proof holds: reruns for real, in a worktree of the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.flaky.causes import Category, Cause, Evidence
from app.flaky.detect import State, Verdict
from app.flaky.fixing import FixOutcome, try_fix
from app.flaky.report import Finding

NEVER_TRUE = "import random\n\n\ndef test_draw():\n    assert random.random() > 2\n"
WRONG_ORDER = "def test_tags():\n    tags = {'a', 'b'}\n    assert list(tags) == ['b', 'a']\n"
FIXABLE = "def test_tags():\n    tags = {'a', 'b'}\n    assert list(tags) == ['a', 'b']\n"


def _repo(tmp_path: Path, name: str, text: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / name).write_text(text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "tests"], check=True)
    return repo


def _finding(test_id: str, file: str, category: Category) -> Finding:
    verdict = Verdict(test_id, file, 1, State.FLAKY, "flaky", 10, 5, 0.5, 0.5)
    return Finding(verdict, file, 1, Cause(category, (Evidence(file, 3, "assert"),)), None)


def _try(repo: Path, finding: Finding, source: str) -> FixOutcome:
    return try_fix(finding, repo, repo, source, Path(sys.executable), ["-p", "no:anyio"], runs=3)


def test_no_fix_when_no_seed_makes_the_test_pass(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "test_draw.py", NEVER_TRUE)
    finding = _finding("tests.test_draw::test_draw", "tests/test_draw.py", Category.RANDOMNESS)
    outcome = _try(repo, finding, NEVER_TRUE)
    assert outcome.fixed is None and outcome.proof is None
    reason = outcome.reason
    assert reason.startswith("no fix passed its proof: ")
    assert reason.count("rerun 1: failed") == 3  # seeds 0, 1 and 2, each failed at once
    # the proof's worktrees are gone
    listed = subprocess.run(
        ["git", "-C", str(repo), "worktree", "list"], capture_output=True, text=True, check=True
    ).stdout
    assert len(listed.splitlines()) == 1


def test_a_sorted_set_that_breaks_the_assertion_is_not_proposed(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "test_tags.py", WRONG_ORDER)
    finding = _finding(
        "tests.test_tags::test_tags", "tests/test_tags.py", Category.UNORDERED_COLLECTION
    )
    outcome = _try(repo, finding, WRONG_ORDER)
    assert outcome.fixed is None
    assert "rerun 1: failed" in outcome.reason


def test_a_fix_that_holds_comes_with_its_proof(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "test_tags.py", FIXABLE)
    finding = _finding(
        "tests.test_tags::test_tags", "tests/test_tags.py", Category.UNORDERED_COLLECTION
    )
    outcome = _try(repo, finding, FIXABLE)
    assert outcome.proof is not None and outcome.fixed is not None
    assert (outcome.proof.runs, outcome.proof.passed) == (3, 3)
    assert "sorted(tags)" in outcome.fixed.text
    # the checkout itself is untouched
    assert (repo / "tests" / "test_tags.py").read_text() == FIXABLE


def test_causes_without_a_mechanical_fix_are_only_reported(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "test_tags.py", FIXABLE)
    finding = _finding("tests.test_tags::test_tags", "tests/test_tags.py", Category.TIME)
    outcome = _try(repo, finding, FIXABLE)
    assert outcome.reason == "no mechanical fix for a time cause"
    finding = _finding("tests.test_tags::test_tags", "tests/test_tags.py", Category.ASYNC_WAIT)
    outcome = _try(repo, finding, FIXABLE)
    assert "no bounded wait loop" in outcome.reason
