"""The weekly "Maintenance report" issue, as a pure core: when it is due, which bot PRs the
items' fixes are, and what was merged and rejected this week. The job that measures the
repository and keeps the issue is `app.service.report_job`."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from app.config import ReportSettings, Schedule
from app.health.report_view import WeekOutcome
from app.schedule import is_due
from app.store import ProposalRecord, ProposalStatus

REPORT_KEY = "report"
"""The key of the report issue among the issues the bot keeps (`app.events.bot_issues`)."""
REPORT_TITLE = "Maintenance report"
WEEK = timedelta(days=7)


def report_schedule(report: ReportSettings) -> Schedule:
    return Schedule(interval="weekly", day=report.day, time=report.time, timezone=report.timezone)


def report_due(
    report: ReportSettings | Literal[False], last_report_at: datetime | None, now: datetime
) -> bool:
    """Never reported (the first report comes on first sight), or not since the last
    scheduled moment; never with `report: false`."""
    if report is False:
        return False
    return is_due(report_schedule(report), last_report_at, now)


def week_outcomes(proposals: Sequence[ProposalRecord], now: datetime) -> list[WeekOutcome]:
    """Bot PRs merged or closed unmerged (not superseded) in the seven days before `now`,
    oldest first."""
    since = now - WEEK
    found = []
    for p in proposals:
        if p.pr_number is None or p.closed_at is None or not since <= p.closed_at <= now:
            continue
        if p.status is ProposalStatus.MERGED:
            found.append((p.closed_at, WeekOutcome(p.pr_number, p.title, p.kind, "merged")))
        elif p.status is ProposalStatus.CLOSED:
            found.append((p.closed_at, WeekOutcome(p.pr_number, p.title, p.kind, "rejected")))
    return [outcome for _, outcome in sorted(found, key=lambda pair: pair[0])]


def open_pulls(proposals: Sequence[ProposalRecord]) -> dict[str, int]:
    """Branch → number of the bot's open pull requests."""
    return {
        p.branch: p.pr_number
        for p in proposals
        if p.status is ProposalStatus.OPEN and p.pr_number is not None
    }


def link_fixes(doc: Mapping[str, Any], pulls: Mapping[str, int]) -> dict[str, Any]:
    """A copy of the document whose items name the bot's open PR (`fix.pull`) where their
    fix's branch has one."""
    linked = copy.deepcopy(dict(doc))
    for item in linked.get("items") or []:
        fix = item.get("fix") or {}
        number = pulls.get(str(fix.get("branch") or ""))
        if number is not None:
            fix["pull"] = number
    return linked
