"""What comment commands are decided on: the checks of a PR, the ignores in force."""

from __future__ import annotations

from app.commands import IgnoreView
from app.config import RepoConfig
from app.events.situation_from_github import ignore_views, summarize_checks
from app.github import CheckRun


def test_checks_summary_ignores_own_runs_and_keeps_the_latest_per_name() -> None:
    def run(id: int, name: str, status: str, conclusion: str | None) -> CheckRun:
        return CheckRun(id, name, "sha", status, conclusion, None, None)

    checks = summarize_checks(
        [
            run(1, "tests", "completed", "failure"),
            run(5, "tests", "completed", "success"),
            run(2, "lint", "in_progress", None),
            run(3, "docs", "completed", "skipped"),
            run(4, "maintainer/config", "completed", "failure"),
            run(6, "types", "completed", "timed_out"),
        ]
    )
    assert (checks.passed, checks.pending, checks.failing) == (
        ("docs", "tests"),
        ("lint",),
        ("types",),
    )
    assert not checks.green
    waiting = summarize_checks([run(1, "lint", "completed", "success")], required=["e2e", "lint"])
    assert (waiting.passed, waiting.pending) == (("lint",), ("e2e",))


def test_ignore_views_join_the_store_and_the_file() -> None:
    config = RepoConfig.model_validate({"ignore": [{"dependency": "django", "versions": [">=5"]}]})
    [view] = ignore_views([], config)
    assert view == IgnoreView("django", (">=5",), (), ".maintainer.yml")
    assert view.scope == ">=5"
