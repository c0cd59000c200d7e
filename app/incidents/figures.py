"""The incident figures of `maintainer stats` (pure): incidents, time to resolve (median and
p90), predictions made, and incidents prevented, from what the store recorded.

**Incidents prevented** counts the trend alerts that
1. the bot closed (the forecast no longer crossed the threshold within the horizon),
2. whose monitor was never seen past its threshold while the alert was open (`breached_at`
   is empty),
3. during which no incident started on the monitor's service (the alerts' `service` label,
   else `job`), and
4. during which a fix merged: a pull request of the alert's repository that the store records
   as merged (the bot's own PRs; the post-incident reports are not fixes) between the alert's
   opening and its closing.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.incidents.triage import service_name, time_to_resolve
from app.model import Kind
from app.store.records import IncidentRecord, Outcome, TrendAlertRecord


@dataclass(frozen=True)
class IncidentFigures:
    incidents: int
    resolved: int
    median_minutes_to_resolve: float | None
    p90_minutes_to_resolve: float | None
    predictions: int
    """Trend alerts opened (each counts once, however often its issue was edited)."""
    prevented: int

    def to_json(self) -> dict[str, Any]:
        return {
            "incidents": self.incidents,
            "resolved": self.resolved,
            "median_minutes_to_resolve": self.median_minutes_to_resolve,
            "p90_minutes_to_resolve": self.p90_minutes_to_resolve,
            "predictions": self.predictions,
            "prevented": self.prevented,
        }


def nearest_rank(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `share` of the values at
    or below it."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def merged_fixes(outcomes: Iterable[Outcome]) -> dict[str, list[datetime]]:
    """When each repository's PRs merged (post-incident reports left out)."""
    found: dict[str, list[datetime]] = {}
    for outcome in outcomes:
        if outcome.outcome != "merged" or outcome.closed_at is None:
            continue
        if outcome.kind == Kind.INCIDENT_REPORT.value:
            continue
        found.setdefault(outcome.repository, []).append(outcome.closed_at)
    return found


def prevented(
    alert: TrendAlertRecord,
    repository: str,
    incidents: Sequence[IncidentRecord],
    fixes: Mapping[str, Sequence[datetime]],
) -> bool:
    """Whether the alert counts as an incident prevented (the module's definition)."""
    closed = alert.closed_at
    if closed is None or alert.breached_at is not None:
        return False
    if any(
        service_name(i) == alert.service and alert.opened_at <= i.started_at <= closed
        for i in incidents
    ):
        return False
    return any(alert.opened_at <= at <= closed for at in fixes.get(repository, ()))


def incident_figures(
    incidents: Sequence[IncidentRecord],
    alerts: Iterable[tuple[str, TrendAlertRecord]],
    outcomes: Iterable[Outcome],
    every_incident: Sequence[IncidentRecord] | None = None,
) -> IncidentFigures:
    """`alerts`: each trend alert with its repository's full name; `every_incident`: the
    incidents an alert's service may have had wherever they were routed (default
    `incidents`)."""
    others = incidents if every_incident is None else every_incident
    minutes = [
        span.total_seconds() / 60 for i in incidents if (span := time_to_resolve(i)) is not None
    ]
    fixes = merged_fixes(outcomes)
    listed = list(alerts)
    return IncidentFigures(
        incidents=len(incidents),
        resolved=len(minutes),
        median_minutes_to_resolve=round(statistics.median(minutes), 1) if minutes else None,
        p90_minutes_to_resolve=round(nearest_rank(minutes, 0.9), 1) if minutes else None,
        predictions=len(listed),
        prevented=sum(1 for repo, a in listed if prevented(a, repo, others, fixes)),
    )
