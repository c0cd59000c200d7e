"""Reading Alertmanager's webhook body: the real shape, and each way a body can be wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.incidents.alertmanager import MAX_ALERTS, BadAlert, parse
from tests.incidents.payloads import alert, encoded, notification


def test_a_firing_notification_as_alertmanager_sends_it() -> None:
    group = parse(encoded(notification(alert("a1"), alert("b2", instance="web-2"))))
    assert group.group_key == '{}:{alertname="HighLatency"}'
    assert group.status == "firing" and group.alertname == "HighLatency"
    assert group.fingerprints == {"a1", "b2"}
    first = group.alerts[0]
    assert first.starts_at == datetime(2026, 11, 30, 9, 14, 3, 123456, tzinfo=UTC)
    assert first.ends_at is None  # Go's zero time: still firing
    assert group.alerts[1].labels["instance"] == "web-2"


def test_a_resolved_alert_keeps_its_end() -> None:
    body = notification(
        alert(status="resolved", ends="2026-11-30T10:00:00+01:00"), status="resolved"
    )
    (resolved,) = parse(encoded(body)).alerts
    assert resolved.ends_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _without(key: str) -> dict[str, Any]:
    body = notification()
    del body[key]
    return body


def _alert_with(**changes: Any) -> dict[str, Any]:
    item = alert()
    item.update(changes)
    return notification(item)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "object"),
        (encoded(notification(version="3")), "version must be '4'"),
        (encoded(_without("groupKey")), "groupKey must be a non-empty string"),
        (encoded(notification(status="pending")), "status must be 'firing' or 'resolved'"),
        (encoded(notification(alerts=[])), "alerts must be a non-empty list"),
        (encoded(notification(alerts=[alert()] * (MAX_ALERTS + 1))), "more than"),
        (encoded(notification(commonLabels=["x"])), "commonLabels must be an object"),
        (encoded(notification(commonLabels={"a": 1})), "commonLabels.a must be a string"),
        (encoded(notification(truncatedAlerts=-1)), "truncatedAlerts must be a count"),
        (encoded(_alert_with(labels={"service": "x"})), "alerts[0].labels has no alertname"),
        (encoded(_alert_with(startsAt="yesterday")), "alerts[0].startsAt is not an RFC 3339"),
        (encoded(_alert_with(startsAt="2026-11-30T09:00:00")), "has no time zone"),
        (encoded(_alert_with(fingerprint="")), "alerts[0].fingerprint must be a non-empty"),
        (encoded(_alert_with(status="maybe")), "alerts[0].status must be"),
        (encoded(notification(receiver="x" * 9000)), "longer than 8192"),
    ],
)
def test_each_bad_body_is_refused_with_the_field_named(body: bytes, message: str) -> None:
    with pytest.raises(BadAlert, match=None) as caught:
        parse(body)
    assert message in str(caught.value)
