"""One incident per alert group occurrence: re-sends and joins update it, resolution closes it."""

from __future__ import annotations

from datetime import UTC, datetime

from app.incidents.alertmanager import parse
from app.store import open_store
from tests.incidents.payloads import alert, encoded, notification


def test_notifications_of_one_group_land_on_one_incident(database_url: str) -> None:
    store = open_store(database_url)
    first, outcome = store.record_alerts(parse(encoded(notification(alert("a1")))))
    assert outcome == "opened" and first is not None and first.status == "firing"
    again, outcome = store.record_alerts(parse(encoded(notification(alert("a1")))))
    assert (outcome, again and again.id) == ("repeated", first.id)
    joined, outcome = store.record_alerts(parse(encoded(notification(alert("a1"), alert("b2")))))
    assert outcome == "updated" and joined is not None and joined.fingerprints == ("a1", "b2")
    ends = "2026-11-30T09:40:00Z"
    resolved_body = notification(
        alert("a1", status="resolved", ends=ends),
        alert("b2", status="resolved", ends=ends),
        status="resolved",
    )
    closed, outcome = store.record_alerts(parse(encoded(resolved_body)))
    assert outcome == "resolved" and closed is not None and closed.id == first.id
    assert closed.resolved_at == datetime(2026, 11, 30, 9, 40, tzinfo=UTC)
    assert [e.kind for e in store.incident_timeline(first.id)] == ["firing", "update", "resolved"]
    # The same group resolved again: nothing open, nothing recorded.
    assert store.record_alerts(parse(encoded(resolved_body))) == (None, "ignored")
    # Firing again after resolution is a new occurrence.
    second, outcome = store.record_alerts(parse(encoded(notification(alert("a1")))))
    assert outcome == "opened" and second is not None and second.id != first.id
    assert [i.status for i in store.incidents()] == ["resolved", "firing"]
