"""Incident triage (pure): severity, the affected service and its blast radius, what changed
before the incident (the bot's own changes first, then by nearness in time), a stakeholder
message, and the issue body that says all of it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.config import Service
from app.globs import matches_any
from app.health.render_markdown import md_code, md_text
from app.incidents.runbooks import RunbookView, human_runbook_url
from app.store.records import IncidentRecord
from app.templates import render

LOOKBACK = timedelta(hours=24)
REPORTS = "docs/incidents/"
"""Where the post-incident reports go: a change touching nothing else is never a suspect."""
SEVERITIES = ("critical", "page", "high", "warning", "low", "info")
_PR_NUMBER = re.compile(r"(?:Merge pull request #(\d+)\b|\(#(\d+)\)\s*$)")


@dataclass(frozen=True)
class Change:
    """One commit that landed on the service's code before the incident."""

    sha: str
    subject: str
    author: str
    at: datetime
    paths: tuple[str, ...]
    pr_number: int | None = None
    by_bot: bool = False


@dataclass(frozen=True)
class Triage:
    incident: IncidentRecord
    service: str
    owners: tuple[str, ...]
    severity: str
    dependents: tuple[str, ...]
    """Services that depend on the affected one, directly or through others."""
    changes: tuple[Change, ...]
    """Suspects, most likely first."""
    stakeholder_message: str


def service_name(incident: IncidentRecord) -> str | None:
    """The service the alerts name: their `service` label, else `job`."""
    return incident.labels.get("service") or incident.labels.get("job")


def pr_number(subject: str) -> int | None:
    """The pull request a merge or squash commit's subject names."""
    found = _PR_NUMBER.search(subject)
    if found is None:
        return None
    return int(found.group(1) or found.group(2))


def severity(labels: dict[str, str]) -> str:
    value = labels.get("severity", "").lower()
    return value if value in SEVERITIES else (value[:32] or "unknown")


def dependents(service: str, catalog: Iterable[Service]) -> tuple[str, ...]:
    """Every service that depends on ``service``, through any chain of ``depends_on``."""
    needs = {s.name: set(s.depends_on) for s in catalog}
    found: set[str] = set()
    frontier = {service}
    while frontier:
        frontier = {name for name, deps in needs.items() if deps & frontier} - found - {service}
        found |= frontier
    return tuple(sorted(found))


def suspects(
    changes: Iterable[Change], service: Service, started_at: datetime
) -> tuple[Change, ...]:
    """Changes to the service's paths in the `LOOKBACK` before the incident started (but the
    post-incident reports): the bot's own first, then the nearest in time."""
    return ranked_changes(changes, service, started_at - LOOKBACK, started_at, started_at)


def ranked_changes(
    changes: Iterable[Change], service: Service, since: datetime, until: datetime, near: datetime
) -> tuple[Change, ...]:
    """Changes to the service's paths from ``since`` to ``until`` (but the post-incident
    reports): the bot's own first, then the nearest in time to ``near``."""
    window = [
        change
        for change in changes
        if since <= change.at <= until
        and (not service.paths or any(matches_any(p, service.paths) for p in change.paths))
        and not (change.paths and all(p.startswith(REPORTS) for p in change.paths))
    ]
    return tuple(sorted(window, key=lambda c: (not c.by_bot, abs(near - c.at))))


def mention(owner: str) -> str:
    """An owner of the catalog as a GitHub mention (``alice`` → ``@alice``)."""
    return owner if owner.startswith("@") else f"@{owner}"


def stakeholder_message(service: str, summary: str) -> str:
    what = summary.rstrip(".") if summary else "an alert is firing"
    return (
        f"Service degradation affecting {service}: {what}. Investigating. "
        "Next update in 30 minutes."
    )


def triage(
    incident: IncidentRecord,
    service: Service,
    catalog: Sequence[Service],
    changes: Iterable[Change],
) -> Triage:
    summary = incident.annotations.get("summary", "")
    return Triage(
        incident=incident,
        service=service.name,
        owners=tuple(service.owners),
        severity=severity(incident.labels),
        dependents=dependents(service.name, catalog),
        changes=suspects(changes, service, incident.started_at),
        stakeholder_message=stakeholder_message(service.name, summary),
    )


def time_to_resolve(incident: IncidentRecord) -> timedelta | None:
    """Detection (the bot's first notification of the incident) to resolution (the latest
    `endsAt` of the resolved alerts); None while it fires."""
    if incident.resolved_at is None:
        return None
    return max(timedelta(0), incident.resolved_at - incident.detected_at)


def duration_text(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 60} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def incident_key(incident_id: int) -> str:
    """The key of the incident's issue among the bot's kept issues."""
    return f"incident:{incident_id}"


def incident_title(t: Triage) -> str:
    return f"Incident: {t.incident.alertname} ({t.service})"[:256]


def incident_markdown(t: Triage, runbook: RunbookView | None = None) -> str:
    incident = t.incident

    def before(change: Change) -> str:
        minutes = int((incident.started_at - change.at).total_seconds() // 60)
        return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"

    resolve = time_to_resolve(incident)
    mttr = duration_text(resolve) if resolve is not None else ""
    return render(
        "incidents/incident.md.j2",
        t=t,
        text=md_text,
        code=md_code,
        before=before,
        mention=mention,
        mttr=mttr,
        summary=incident.annotations.get("summary", ""),
        lookback=int(LOOKBACK.total_seconds() // 3600),
        runbook=runbook,
        runbook_url=human_runbook_url(incident.annotations),
    )
