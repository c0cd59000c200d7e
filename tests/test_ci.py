"""CI conclusions have one owner: every reader agrees on what passes and what fails."""

from __future__ import annotations

from app import ci
from app.events.situation_from_github import summarize_checks
from app.github import CheckRun
from app.risk import ci_factor


def run(id: int, name: str, conclusion: str) -> CheckRun:
    return CheckRun(id, name, "sha", "completed", conclusion, None, None)


def test_startup_failure_fails_everywhere() -> None:
    assert ci.fails("startup_failure") and not ci.passes("startup_failure")
    factor = ci_factor("startup_failure")
    assert factor is not None and factor.weight == 3
    checks = summarize_checks([run(1, "tests", "startup_failure")])
    assert checks.failing == ("tests",) and not checks.green


def test_the_combined_result_of_runs_is_the_worst() -> None:
    assert ci.combine(None, "success") == "success"
    assert ci.combine("success", "startup_failure") == "startup_failure"
    assert ci.combine("startup_failure", "failure") == "failure"
    assert ci.combine("neutral", "skipped") == "neutral"
    assert ci.combine("success", "something-new") == "something-new"  # unknown: the worst


def test_the_bots_own_check_runs_are_not_ci() -> None:
    assert ci.is_own_check("maintainer/config") and not ci.is_own_check("tests")
    assert not ci.is_own_check(None)
    checks = summarize_checks([run(1, "maintainer/config", "failure"), run(2, "lint", "success")])
    assert checks.passed == ("lint",) and checks.failing == ()
