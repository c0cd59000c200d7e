"""Alertmanager's webhook body (format version 4), read strictly and within bounds.

Alertmanager posts ``{"version": "4", "groupKey", "status": "firing"|"resolved", "receiver",
"groupLabels", "commonLabels", "commonAnnotations", "externalURL", "truncatedAlerts",
"alerts": [{"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL",
"fingerprint"}]}``. A body that is not that shape is refused with a message naming the field;
nothing in it is ever used as an address the bot contacts (``generatorURL`` and
``externalURL`` are kept as text for people to follow).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.payloads import BadPayload, load_object

VERSION = "4"
MAX_ALERTS = 1000
MAX_LABELS = 64
MAX_TEXT = 8192
ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)  # Go's zero time: Alertmanager's "not ended"


class BadAlert(ValueError):
    """The body is not an Alertmanager webhook of a version this reads."""


@dataclass(frozen=True)
class Alert:
    status: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime | None
    """``None`` while the alert fires (Alertmanager sends Go's zero time)."""
    fingerprint: str
    generator_url: str


@dataclass(frozen=True)
class AlertGroup:
    group_key: str
    status: str
    receiver: str
    group_labels: Mapping[str, str]
    common_labels: Mapping[str, str]
    common_annotations: Mapping[str, str]
    external_url: str
    truncated: int
    alerts: tuple[Alert, ...]

    @property
    def alertname(self) -> str:
        return self.common_labels.get("alertname") or next(
            (a.labels["alertname"] for a in self.alerts if "alertname" in a.labels), ""
        )

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(alert.fingerprint for alert in self.alerts)

    @property
    def firing(self) -> tuple[Alert, ...]:
        return tuple(alert for alert in self.alerts if alert.status == "firing")


def parse(body: bytes) -> AlertGroup:
    try:
        data = load_object(body)
    except BadPayload as exc:
        raise BadAlert(str(exc)) from None
    version = data.get("version")
    if version != VERSION:
        raise BadAlert(
            f"version must be {VERSION!r} (Alertmanager's webhook format), not {version!r}"
        )
    alerts = data.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise BadAlert("alerts must be a non-empty list")
    if len(alerts) > MAX_ALERTS:
        raise BadAlert(f"{len(alerts)} alerts: more than {MAX_ALERTS} in one notification")
    truncated = data.get("truncatedAlerts", 0)
    if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
        raise BadAlert("truncatedAlerts must be a count")
    return AlertGroup(
        group_key=_text(data, "groupKey", required=True),
        status=_status(data, "status"),
        receiver=_text(data, "receiver"),
        group_labels=_labels(data, "groupLabels"),
        common_labels=_labels(data, "commonLabels"),
        common_annotations=_labels(data, "commonAnnotations"),
        external_url=_text(data, "externalURL"),
        truncated=truncated,
        alerts=tuple(_alert(item, index) for index, item in enumerate(alerts)),
    )


def _alert(item: Any, index: int) -> Alert:
    where = f"alerts[{index}]"
    if not isinstance(item, dict):
        raise BadAlert(f"{where} must be an object")
    labels = _labels(item, "labels", where)
    if "alertname" not in labels:
        raise BadAlert(f"{where}.labels has no alertname")
    ends = _time(item, "endsAt", where, required=False)
    return Alert(
        status=_status(item, "status", where),
        labels=labels,
        annotations=_labels(item, "annotations", where),
        starts_at=_time(item, "startsAt", where, required=True) or ZERO_TIME,
        ends_at=None if ends is None or ends <= ZERO_TIME else ends,
        fingerprint=_text(item, "fingerprint", where, required=True),
        generator_url=_text(item, "generatorURL", where),
    )


def _text(data: Mapping[str, Any], key: str, where: str = "", required: bool = False) -> str:
    value = data.get(key)
    name = f"{where}.{key}" if where else key
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadAlert(f"{name} must be a{' non-empty' if required else ''} string")
    if len(value) > MAX_TEXT:
        raise BadAlert(f"{name} is longer than {MAX_TEXT} characters")
    return value


def _status(data: Mapping[str, Any], key: str, where: str = "") -> str:
    value = data.get(key)
    if value not in ("firing", "resolved"):
        name = f"{where}.{key}" if where else key
        raise BadAlert(f"{name} must be 'firing' or 'resolved', not {value!r}")
    return str(value)


def _labels(data: Mapping[str, Any], key: str, where: str = "") -> dict[str, str]:
    value = data.get(key, {})
    name = f"{where}.{key}" if where else key
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadAlert(f"{name} must be an object of strings")
    if len(value) > MAX_LABELS:
        raise BadAlert(f"{name} has more than {MAX_LABELS} entries")
    for label, text in value.items():
        if not isinstance(text, str) or len(label) > MAX_TEXT or len(text) > MAX_TEXT:
            raise BadAlert(f"{name}.{label} must be a string of at most {MAX_TEXT} characters")
    return dict(value)


def _time(data: Mapping[str, Any], key: str, where: str, required: bool) -> datetime | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadAlert(f"{where}.{key} must be an RFC 3339 time")
    try:
        parsed = datetime.fromisoformat(_trim_fraction(value.replace("Z", "+00:00")))
    except ValueError:
        raise BadAlert(f"{where}.{key} is not an RFC 3339 time: {value[:64]!r}") from None
    if parsed.tzinfo is None:
        raise BadAlert(f"{where}.{key} has no time zone: {value[:64]!r}")
    return parsed.astimezone(UTC)


def _trim_fraction(value: str) -> str:
    """Go writes nanoseconds (``.123456789``); Python reads at most microseconds."""
    head, dot, rest = value.partition(".")
    if not dot:
        return value
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
