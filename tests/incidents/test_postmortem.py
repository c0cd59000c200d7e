"""The post-incident report's parts (pure): the timeline from whatever events exist, the debt
items on the service's paths, the trend alerts that preceded it, percentiles, and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.config import Service
from app.health.samples import StoredSample
from app.incidents.figures import nearest_rank
from app.incidents.postmortem import (
    MAX_EVENTS,
    PrecedingAlert,
    debt_items,
    postmortem,
    preceding_alerts,
    report_branch,
    report_path,
    timeline,
)
from app.incidents.triage import Change, triage
from app.planner import supersede_key
from app.store.records import IncidentEvent, IncidentRecord, TrendAlertRecord

T = datetime(2026, 11, 30, 9, 14, tzinfo=UTC)


def incident(resolved: datetime | None = T + timedelta(minutes=40), id: int = 3) -> IncidentRecord:
    return IncidentRecord(
        id=id,
        group_key="g",
        alertname="Disk Full 90%",
        status="resolved" if resolved else "firing",
        labels={"service": "db", "severity": "critical"},
        annotations={"summary": "disk above 90 %"},
        fingerprints=("a",),
        started_at=T,
        detected_at=T + timedelta(minutes=9),
        resolved_at=resolved,
        repository="o/a",
        issue_number=8,
    )


def trend_alert(service: str, opened: datetime, closed: datetime | None) -> TrendAlertRecord:
    return TrendAlertRecord(1, 10, "k", "disk", service, 5, opened, None, closed)


SERVICE = Service(name="db", paths=["db/**"])


def test_the_timeline_renders_every_event_but_the_bots_paperwork() -> None:
    events = [
        IncidentEvent(T + timedelta(minutes=2), "step", {"step": "x", "output": "<b>|`@eve`"}),
        IncidentEvent(T, "firing", {"firing": 1}),
        IncidentEvent(T, "issue", {"issue": 8}),
        IncidentEvent(T, "mystery", {}),
        IncidentEvent(T, "postmortem", {"pr": 9}),
    ]
    lines = timeline(events)
    assert [line.kind for line in lines] == ["firing", "mystery", "step"]
    assert lines[-1].text == "output: `` <b>|`@eve` ``; step: `x`"  # code spans, verbatim
    many = [IncidentEvent(T, "comment", {"text": "x" * 10_000})] * (MAX_EVENTS + 5)
    bounded = timeline(many)
    assert len(bounded) == MAX_EVENTS and len(bounded[0].text) < 300


def test_debt_items_on_the_services_paths_costliest_first() -> None:
    items = {
        "complexity:db/pool.py:get": 1.0,
        "dead-code:db/old.py:f": 4.0,
        "flaky-test:db/test_pool.py::test_x": 2.0,
        "coverage:web/app.py": 9.0,
        "security:requests": 9.0,
    }
    sample = StoredSample("c" * 40, T.date(), 80, {}, {}, (), items)
    found = debt_items(sample, SERVICE)
    assert [d.id for d in found] == [
        "dead-code:db/old.py:f",
        "flaky-test:db/test_pool.py::test_x",
        "complexity:db/pool.py:get",
    ]
    assert debt_items(None, SERVICE) == ()
    everything = debt_items(sample, Service(name="db"))  # no paths: the whole repository
    assert len(everything) == 4


def test_preceding_alerts_same_service_before_the_start() -> None:
    alerts = [
        PrecedingAlert("o/a", trend_alert("db", T - timedelta(days=3), None)),
        PrecedingAlert("o/a", trend_alert("db", T - timedelta(days=60), T - timedelta(days=40))),
        PrecedingAlert("o/a", trend_alert("db", T + timedelta(minutes=1), None)),
        PrecedingAlert("o/a", trend_alert("web", T - timedelta(days=3), None)),
    ]
    assert preceding_alerts(alerts, "db", T) == (alerts[0],)


def test_the_report_path_and_branch_are_the_incidents_own() -> None:
    t = triage(incident(), SERVICE, [SERVICE], [])
    other = triage(incident(id=4), SERVICE, [SERVICE], [])
    assert report_path(t) == "docs/incidents/2026-11-30-incident-3-disk-full-90-db.md"
    assert report_branch(t) == "maintainer/incident/2026-11-30-incident-3-disk-full-90-db"
    assert supersede_key(report_branch(t)) != supersede_key(report_branch(other))


def test_a_report_of_a_slow_unpredicted_incident_says_so() -> None:
    change = Change("f" * 40, "Grow the pool", "dan", T - timedelta(hours=2), ("db/pool.py",))
    t = triage(incident(), SERVICE, [SERVICE], [change])
    report = postmortem(t, SERVICE, [IncidentEvent(T, "firing", {"firing": 1})], [], None)
    assert "**31 min**" in report.markdown
    assert "Resolved in 31 min, over the 30 min target" in report.markdown
    assert "The bot heard of it 9 min after it started" in report.markdown
    assert "No trend alert predicted it" in report.markdown
    assert "Add a `monitors:` entry for service `db`" in report.markdown
    assert "`runbooks/disk-full-90.yml`" in report.markdown  # no step ran
    assert "No health sample of the repository is recorded" in report.markdown


def test_no_report_while_it_fires() -> None:
    t = triage(incident(resolved=None), SERVICE, [SERVICE], [])
    with pytest.raises(ValueError, match="has not resolved"):
        postmortem(t, SERVICE, [], [], None)


def test_nearest_rank() -> None:
    assert nearest_rank([10.0, 20.0, 60.0], 0.9) == 60.0
    assert nearest_rank([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert nearest_rank([5.0], 0.5) == 5.0
    with pytest.raises(ValueError):
        nearest_rank([], 0.9)


def test_an_earlier_report_is_never_a_suspect() -> None:
    everything = Service(name="db")  # no paths: the whole repository is the service's
    at = T - timedelta(hours=1)
    report = Change("a" * 40, "Post-incident report", "bot", at, ("docs/incidents/x.md",), 5, True)
    code = Change("b" * 40, "Grow the pool", "dan", at, ("db/pool.py",))
    assert triage(incident(), everything, [everything], [report, code]).changes == (code,)
