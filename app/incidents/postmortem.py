"""The post-incident report (pure): once an incident resolves, a Markdown file in the Google SRE
postmortem shape (summary, impact, timeline, time to resolve, root-cause candidates,
contributing factors, prevention actions, lessons) and the draft pull request adding it as
`docs/incidents/YYYY-MM-DD-<slug>.md` on `maintainer/incident/YYYY-MM-DD-<slug>`.

Everything in it comes from what the store recorded: the incident and its timeline (whatever
events exist: firing, triage, runbook steps, comments, resolution), the triage's ranked changes,
the trend alerts on the same service that preceded it, and the health debt items on the
service's paths from the repository's latest health sample.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.config import Service
from app.globs import matches_any
from app.health.render_markdown import md_code, md_text
from app.health.samples import StoredSample
from app.incidents.triage import REPORTS, Triage, duration_text, time_to_resolve
from app.model import Edit, Finding, Kind, Proposal, Risk, RiskFactor, RiskLevel
from app.proposals import BRANCH_PREFIX, slugify
from app.store.records import IncidentEvent, TrendAlertRecord
from app.templates import render

DIRECTORY = REPORTS.rstrip("/")
LABEL = "incident"
TARGET = timedelta(minutes=30)
"""The time to resolve the report measures the incident against."""
SLOW_DETECTION = timedelta(minutes=5)
PRECEDING = timedelta(days=30)
"""A trend alert closed this long before the incident started no longer counts as preceding it."""
BOOKKEEPING = frozenset({"issue", "postmortem"})
"""Timeline events about the bot's own paperwork, left out of the report."""
MAX_EVENTS = 200
MAX_CHANGES = 10
MAX_ALERTS = 10
MAX_DEBT_ITEMS = 10
MAX_DETAIL = 200
# Health item ids whose second field is a repository path (`kind:path:...`).
_PATH_ITEMS = frozenset(
    {"complexity", "coverage-gap", "coverage", "dependency", "deprecated", "dead-code"}
)


@dataclass(frozen=True)
class PrecedingAlert:
    repository: str
    alert: TrendAlertRecord


@dataclass(frozen=True)
class DebtItem:
    id: str
    path: str
    points: float


@dataclass(frozen=True)
class Line:
    """One line of the report's timeline."""

    at: datetime
    kind: str
    text: str


@dataclass(frozen=True)
class Action:
    """A prevention action: what to do, and the proposal or issue that carries it."""

    text: str
    via: str


@dataclass(frozen=True)
class Report:
    path: str
    branch: str
    title: str
    markdown: str


def slug_of(triage: Triage) -> str:
    """`YYYY-MM-DD-incident-<id>-<alert>-<service>`: the day it resolved, unique per incident
    (the id comes before the names, so no two incidents share a branch's supersede key)."""
    incident = triage.incident
    day = (incident.resolved_at or incident.detected_at).date().isoformat()
    names = slugify(f"{incident.alertname}-{triage.service}")[:60].strip("-.")
    return f"{day}-incident-{incident.id}-{names}"


def report_path(triage: Triage) -> str:
    return f"{DIRECTORY}/{slug_of(triage)}.md"


def report_branch(triage: Triage) -> str:
    return f"{BRANCH_PREFIX}incident/{slug_of(triage)}"


def timeline(events: Iterable[IncidentEvent]) -> tuple[Line, ...]:
    """Every recorded event but the bot's paperwork, oldest first, each said in one line."""
    kept = [e for e in events if e.kind not in BOOKKEEPING]
    kept.sort(key=lambda e: e.at)
    return tuple(Line(e.at, e.kind, _describe(e)) for e in kept[:MAX_EVENTS])


def preceding_alerts(
    alerts: Iterable[PrecedingAlert], service: str, started_at: datetime
) -> tuple[PrecedingAlert, ...]:
    """Trend alerts on `service` opened before the incident started and not closed more than
    `PRECEDING` before it; the most recent first."""
    found = [
        a
        for a in alerts
        if a.alert.service == service
        and a.alert.opened_at <= started_at
        and (a.alert.closed_at is None or a.alert.closed_at >= started_at - PRECEDING)
    ]
    found.sort(key=lambda a: a.alert.opened_at, reverse=True)
    return tuple(found[:MAX_ALERTS])


def debt_items(sample: StoredSample | None, service: Service) -> tuple[DebtItem, ...]:
    """The sample's health items on the service's paths (every path when it names none), the
    costliest first."""
    if sample is None:
        return ()
    found = []
    for item_id, points in sample.items.items():
        path = _item_path(item_id)
        if path is None or (service.paths and not matches_any(path, service.paths)):
            continue
        found.append(DebtItem(item_id, path, float(points)))
    found.sort(key=lambda d: (-d.points, d.id))
    return tuple(found[:MAX_DEBT_ITEMS])


def prevention_actions(
    triage: Triage,
    alerts: Sequence[PrecedingAlert],
    debt: Sequence[DebtItem],
    lines: Sequence[Line],
) -> tuple[Action, ...]:
    incident = triage.incident
    actions: list[Action] = []
    if triage.changes:
        first = triage.changes[0]
        named = first.pr_number and f"#{first.pr_number}" not in first.subject
        pr = f" (#{first.pr_number})" if named else ""
        what = "the bot's change" if first.by_bot else "the change"
        actions.append(
            Action(
                f"Confirm or rule out {what} {md_code(first.sha[:10])}{pr} "
                f"{md_text(first.subject)}; if it caused this, revert it "
                f"(`git revert {first.sha[:10]}`) and add a test that fails on it",
                f"a revert PR of #{first.pr_number}" if first.pr_number else "a revert PR",
            )
        )
    for preceding in alerts:
        alert = preceding.alert
        actions.append(
            Action(
                f"Trend alert {md_code(alert.monitor)} predicted this service's trouble on "
                f"{alert.opened_at:%Y-%m-%d}: ship its fix within the monitor's lead time",
                f"issue {preceding.repository}#{alert.issue_number}",
            )
        )
    if not alerts:
        actions.append(
            Action(
                f"Add a `monitors:` entry for service {md_code(triage.service)} on the metric "
                f"behind {md_code(incident.alertname)}, so a trend alert warns before it fires "
                "again",
                "a `.maintainer.yml` change",
            )
        )
    if not any(line.kind == "step" for line in lines):
        actions.append(
            Action(
                f"Write the steps taken by hand as `runbooks/{slugify(incident.alertname)}.yml`, "
                "so the next occurrence runs them from the incident issue",
                "a runbook PR",
            )
        )
    for item in debt[:3]:
        actions.append(
            Action(
                f"Pay down {md_code(item.id)} ({item.points:g} health points) on "
                f"{md_code(item.path)}",
                "a maintenance issue",
            )
        )
    return tuple(actions)


def lessons(
    triage: Triage, alerts: Sequence[PrecedingAlert], lines: Sequence[Line]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(what went well, what went wrong), each measured from the record."""
    incident = triage.incident
    well: list[str] = []
    wrong: list[str] = []
    delay = max(timedelta(0), incident.detected_at - incident.started_at)
    said = f"the bot heard of it {duration_text(delay)} after it started"
    (well if delay <= SLOW_DETECTION else wrong).append(said.capitalize())
    resolve = time_to_resolve(incident)
    if resolve is not None:
        met = resolve <= TARGET
        target = duration_text(TARGET)
        (well if met else wrong).append(
            f"Resolved in {duration_text(resolve)}, {'within' if met else 'over'} the "
            f"{target} target"
        )
    if triage.changes:
        well.append(f"Triage named {len(triage.changes)} suspect change(s) at once")
    else:
        wrong.append("Triage found no change to the service's paths to suspect")
    if alerts:
        well.append(f"{len(alerts)} trend alert(s) on the service preceded it")
    else:
        wrong.append("No trend alert predicted it")
    steps = [line for line in lines if line.kind == "step"]
    if steps:
        well.append(f"{len(steps)} runbook step(s) ran from the incident issue")
    return tuple(well), tuple(wrong)


def postmortem(
    triage: Triage,
    service: Service,
    events: Iterable[IncidentEvent],
    alerts: Iterable[PrecedingAlert],
    sample: StoredSample | None,
) -> Report:
    """The report of a resolved incident (`ValueError` while it still fires)."""
    incident = triage.incident
    resolve = time_to_resolve(incident)
    if resolve is None or incident.resolved_at is None:
        raise ValueError(f"incident {incident.id} has not resolved: no report yet")
    lines = timeline(events)
    preceding = preceding_alerts(alerts, triage.service, incident.started_at)
    debt = debt_items(sample, service)
    well, wrong = lessons(triage, preceding, lines)
    markdown = render(
        "incidents/postmortem.md.j2",
        t=triage,
        incident=incident,
        summary=incident.annotations.get("summary", ""),
        description=incident.annotations.get("description", ""),
        duration=duration_text(max(timedelta(0), incident.resolved_at - incident.started_at)),
        time_to_resolve=duration_text(resolve),
        lines=lines,
        changes=triage.changes[:MAX_CHANGES],
        alerts=preceding,
        debt=debt,
        sample=sample,
        actions=prevention_actions(triage, preceding, debt, lines),
        well=well,
        wrong=wrong,
        text=md_text,
        code=md_code,
    )
    return Report(
        path=report_path(triage),
        branch=report_branch(triage),
        title=f"Post-incident report: {incident.alertname} on {triage.service} "
        f"({incident.resolved_at:%Y-%m-%d})"[:256],
        markdown=markdown,
    )


def report_proposal(report: Report, triage: Triage) -> Proposal:
    """The draft PR adding the report (documentation only)."""
    incident = triage.incident
    proposal_id = hashlib.sha1(report.branch.encode()).hexdigest()[:12]
    edits = (Edit.create_file(report.path, report.markdown),)
    issue = (
        f"{incident.repository}#{incident.issue_number}"
        if incident.repository and incident.issue_number
        else None
    )
    body = render(
        "incidents/postmortem-pr.md.j2",
        path=report.path,
        issue=issue,
        alertname=incident.alertname,
        service=triage.service,
        text=md_text,
        code=md_code,
    )
    detail = _ReportDetail(incident.id, report.path)
    return Proposal(
        id=proposal_id,
        kind=Kind.INCIDENT_REPORT,
        title=report.title,
        branch=report.branch,
        findings=(
            Finding(
                Kind.INCIDENT_REPORT,
                f"incident:{incident.id}",
                report.title,
                detail,
                edits=edits,
            ),
        ),
        risk=Risk(RiskLevel.LOW, (RiskFactor("documentation only", 0),)),
        labels=(LABEL,),
        body=body,
        commit_message=f"{report.title}\n\nAdds {report.path}.",
    )


@dataclass(frozen=True)
class _ReportDetail:
    incident: int
    path: str

    def to_json(self) -> Mapping[str, Any]:
        return {"incident": self.incident, "path": self.path}


def _item_path(item_id: str) -> str | None:
    kind, _, rest = item_id.partition(":")
    if kind == "flaky-test":
        return rest.partition("::")[0] or None
    if kind in _PATH_ITEMS:
        return rest.partition(":")[0] or None
    return None


def _describe(event: IncidentEvent) -> str:
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.kind == "firing":
        return f"Alertmanager: {detail.get('firing', '?')} alert(s) firing; incident opened"
    if event.kind == "update":
        joined = detail.get("joined")
        count = len(joined) if isinstance(joined, list) else "?"
        return f"{count} more alert(s) joined; {detail.get('firing', '?')} firing"
    if event.kind == "resolved":
        return "Alertmanager: resolved"
    if event.kind == "triage":
        issue = detail.get("issue")
        suspects = detail.get("suspects")
        named = len(suspects) if isinstance(suspects, list) else 0
        return f"Triage posted on issue #{issue}; {named} suspect change(s) named"
    if event.kind == "unrouted":
        return f"Not routed: {md_text(_bounded(detail.get('reason', '')))}"
    fields = [
        f"{md_text(_bounded(key))}: {md_code(_bounded(value))}"
        for key, value in sorted(detail.items())[:8]
    ]
    return "; ".join(fields) if fields else md_text(event.kind)


def _bounded(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"
