"""`POST /alerts/alertmanager`: bearer token, bounded body, a clear 400, nothing lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from app.metrics import Metrics
from app.server import create_app
from app.server.app import MAX_ALERT_BODY
from app.service.wiring import Services, build_services
from tests.incidents.payloads import alert, encoded, notification
from tests.server.support import SECRET, RecordingReplies, live_server, make_settings

TOKEN = "alerts-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


@pytest.fixture
def services(tmp_path: Path, service_backends: dict[str, object]) -> Services:
    settings = make_settings(tmp_path / "data", **service_backends)
    return build_services(settings, replies=RecordingReplies())


@pytest.fixture
def client(services: Services) -> Iterator[httpx.Client]:
    app = create_app(
        SecretStr(SECRET), services.queue, alerts=services.store, alerts_token=SecretStr(TOKEN)
    )
    with live_server(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


def test_notifications_are_counted_by_outcome(services: Services) -> None:
    telemetry = Metrics(CollectorRegistry())
    app = create_app(
        SecretStr(SECRET),
        services.queue,
        telemetry=telemetry,
        alerts=services.store,
        alerts_token=SecretStr(TOKEN),
    )
    body = encoded(notification(alert("a1")))
    with live_server(app) as url, httpx.Client(base_url=url) as http:
        for _ in range(2):
            http.post("/alerts/alertmanager", content=body, headers=AUTH).raise_for_status()
    counted = {
        sample.labels["outcome"]: sample.value
        for family in telemetry.registry.collect()
        for sample in family.samples
        if sample.name == "maintainer_incident_notifications_total"
    }
    assert counted == {"opened": 1.0, "repeated": 1.0}


def test_a_notification_opens_an_incident_and_its_resend_updates_it(
    client: httpx.Client, services: Services
) -> None:
    body = encoded(notification(alert("a1")))
    first = client.post("/alerts/alertmanager", content=body, headers=AUTH)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "opened"
    again = client.post("/alerts/alertmanager", content=body, headers=AUTH)
    assert again.json() == {
        "status": "repeated",
        "incident": first.json()["incident"],
        "state": "firing",
    }
    assert len(services.store.incidents()) == 1


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": f"Basic {TOKEN}"}, 401),
    ],
)
def test_without_the_token_nothing_is_recorded(
    client: httpx.Client, services: Services, headers: dict[str, str], code: int
) -> None:
    response = client.post("/alerts/alertmanager", content=encoded(notification()), headers=headers)
    assert response.status_code == code
    assert "MAINTAINER_ALERTS_TOKEN" in response.json()["error"]
    assert services.store.incidents() == []


def test_a_bad_body_gets_400_naming_the_field_and_loses_nothing(
    client: httpx.Client, services: Services
) -> None:
    client.post("/alerts/alertmanager", content=encoded(notification(alert("a1"))), headers=AUTH)
    before = services.store.incidents()
    bad = client.post(
        "/alerts/alertmanager", content=encoded(notification(version="3")), headers=AUTH
    )
    assert bad.status_code == 400 and "version must be '4'" in bad.json()["error"]
    huge = client.post("/alerts/alertmanager", content=b"{" + b" " * MAX_ALERT_BODY, headers=AUTH)
    assert huge.status_code == 413
    assert services.store.incidents() == before


def test_without_a_token_setting_the_endpoint_is_off(services: Services) -> None:
    app = create_app(SecretStr(SECRET), services.queue, alerts=services.store)
    with live_server(app) as url, httpx.Client(base_url=url) as http:
        response = http.post("/alerts/alertmanager", content=encoded(notification()), headers=AUTH)
    assert response.status_code == 404
    assert "MAINTAINER_ALERTS_TOKEN is not set" in response.json()["error"]
