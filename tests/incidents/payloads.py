"""Alertmanager webhook bodies (format 4) as Alertmanager 0.25 writes them."""

from __future__ import annotations

import json
from typing import Any


def alert(
    fingerprint: str = "5ad2b4b6bfa1f2c0",
    status: str = "firing",
    ends: str = "0001-01-01T00:00:00Z",
    **labels: str,
) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": "HighLatency", "service": "dashboard", **labels},
        "annotations": {"summary": "p95 of /dashboard above 500 ms"},
        "startsAt": "2026-11-30T09:14:03.123456789Z",
        "endsAt": ends,
        "generatorURL": "http://prometheus.internal:9090/graph?g0.expr=latency",
        "fingerprint": fingerprint,
    }


def notification(*alerts: dict[str, Any], status: str = "firing", **extra: Any) -> dict[str, Any]:
    """The body; like Alertmanager, its commonLabels are the labels every alert shares."""
    items = list(alerts) or [alert()]
    common = dict(items[0]["labels"])
    for item in items[1:]:
        common = {k: v for k, v in common.items() if item["labels"].get(k) == v}
    body: dict[str, Any] = {
        "receiver": "maintainer",
        "status": status,
        "alerts": items,
        "groupLabels": {"alertname": "HighLatency"},
        "commonLabels": common,
        "commonAnnotations": {"summary": "p95 of /dashboard above 500 ms"},
        "externalURL": "http://alertmanager.internal:9093",
        "version": "4",
        "groupKey": '{}:{alertname="HighLatency"}',
        "truncatedAlerts": 0,
    }
    body.update(extra)
    return body


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()
