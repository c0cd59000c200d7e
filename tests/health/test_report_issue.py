"""The weekly report's pure core: when it is due, the bot PRs linked to items' fixes, what was
merged and rejected this week, and how the App's issue renders them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.config import RepoConfig, ReportSettings
from app.health.render_markdown import IssueParts, render_markdown
from app.health.report_issue import link_fixes, open_pulls, report_due, week_outcomes
from app.health.report_view import WeekOutcome
from app.store import ProposalRecord, ProposalStatus

FRIDAY_10 = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)


def test_report_is_due_on_first_sight_then_weekly_at_its_time() -> None:
    default = RepoConfig().report
    assert isinstance(default, ReportSettings)
    assert (default.day, default.time, default.timezone) == ("friday", "09:00", "UTC")
    assert report_due(default, None, FRIDAY_10)
    assert not report_due(default, FRIDAY_10 - timedelta(minutes=30), FRIDAY_10)
    assert report_due(default, FRIDAY_10 - timedelta(hours=2), FRIDAY_10)  # before 09:00
    assert not report_due(default, FRIDAY_10, FRIDAY_10 + timedelta(days=6))
    assert report_due(default, FRIDAY_10, FRIDAY_10 + timedelta(days=7))
    tokyo = ReportSettings(day="friday", time="09:00", timezone="Asia/Tokyo")  # 00:00 UTC
    assert not report_due(tokyo, FRIDAY_10 - timedelta(hours=9), FRIDAY_10)
    assert report_due(tokyo, FRIDAY_10 - timedelta(hours=11), FRIDAY_10)
    assert not report_due(False, None, FRIDAY_10)
    assert RepoConfig.model_validate({"report": False}).report is False


def _proposal(
    number: int, status: ProposalStatus, closed: datetime | None, branch: str = "b"
) -> ProposalRecord:
    return ProposalRecord(
        id=number,
        repository_id=1,
        kind="dependency-update",
        branch=branch,
        title=f"Update thing {number}",
        subject="",
        pr_number=number,
        head_sha=None,
        status=status,
        outcome=None,
        ci_result=None,
        ci_sha=None,
        stopped=False,
        stop_notice_posted=False,
        created_at=FRIDAY_10 - timedelta(days=30),
        opened_at=None,
        closed_at=closed,
    )


def test_week_outcomes_and_open_pulls() -> None:
    proposals = [
        _proposal(3, ProposalStatus.MERGED, FRIDAY_10 - timedelta(days=2)),
        _proposal(4, ProposalStatus.CLOSED, FRIDAY_10 - timedelta(days=5)),
        _proposal(5, ProposalStatus.MERGED, FRIDAY_10 - timedelta(days=8)),  # last week
        _proposal(6, ProposalStatus.SUPERSEDED, FRIDAY_10 - timedelta(days=1)),
        _proposal(7, ProposalStatus.OPEN, None, branch="maintainer/dependency-update/x-2"),
    ]
    assert week_outcomes(proposals, FRIDAY_10) == [
        WeekOutcome(4, "Update thing 4", "dependency-update", "rejected"),
        WeekOutcome(3, "Update thing 3", "dependency-update", "merged"),
    ]
    assert open_pulls(proposals) == {"maintainer/dependency-update/x-2": 7}


def _doc() -> dict[str, Any]:
    item = {
        "id": "dependency:requirements.txt:x",
        "kind": "outdated-dependency",
        "subject": "requirements.txt:1 x",
        "evidence": "1 in use, 2 released",
        "cost": {"minutes": 15, "risk": "low"},
        "fix": {"kind": "dependency-update", "branch": "maintainer/dependency-update/x-2"},
    }
    return {
        "repository": "octo/demo",
        "at": {"commit": "a" * 40, "date": "2026-03-06"},
        "score": {"value": 90, "grade": "A", "delta": -2, "components": []},
        "modules": [],
        "dependencies": {"libyears": 1.0, "mean_days_behind": 30, "outdated": 1, "vulnerable": 0},
        "architecture": {"violations": []},
        "items": [item],
        "history": [],
        "forecasts": [],
    }


def test_the_issue_links_fixes_to_open_pulls_and_lists_the_week() -> None:
    doc = _doc()
    linked = link_fixes(doc, {"maintainer/dependency-update/x-2": 7})
    assert "pull" not in doc["items"][0]["fix"]  # the document itself is left as it was
    week = [
        WeekOutcome(3, "Bump @someone's [lib](http://x)", "dependency-update", "merged"),
        WeekOutcome(4, "Update y", "dependency-update", "rejected"),
    ]
    text = render_markdown(linked, IssueParts(week, "friday", "09:00", "Europe/Paris"))
    assert "drafted in #7" in text
    assert "- Merged: #3 Bump @\u200bsomeone" in text and "\\[lib\\]" in text
    assert "- Rejected (closed unmerged): #4 Update y" in text
    assert "down 2 since last week" in text and "every friday at 09:00 (Europe/Paris)" in text
    cli = render_markdown(doc)  # the CLI's report: no week, no refresh line, the branch named
    assert "### This week" not in cli and "/maintainer report" not in cli
    assert "drafted on `maintainer/dependency-update/x-2`" in cli
    quiet = render_markdown(doc, IssueParts([], "friday", "09:00", "UTC"))
    assert "No pull request of mine was merged or closed" in quiet


def test_the_body_stays_under_the_limit_it_is_given() -> None:
    doc = _doc()
    doc["modules"] = [
        {
            "path": f"pkg/module_{n}.py",
            "lines": 10,
            "complexity": {"mean": 2.0, "worst": {"function": "f", "value": 2}, "rank": "A"},
            "churn": {"commits": 1, "lines": 1},
            "hotspot": float(n),
            "coverage": None,
        }
        for n in range(15)
    ]
    full = render_markdown(doc)
    limit = len(full) - 1
    shorter = render_markdown(doc, limit=limit)
    assert len(shorter) <= limit and "more modules not shown" in shorter
