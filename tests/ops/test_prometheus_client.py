"""The Prometheus client's guards, without a server: URLs, credentials, answers it refuses."""

from __future__ import annotations

import datetime

import httpx
import pytest

from app.ops.prometheus import (
    Auth,
    PrometheusClient,
    PrometheusError,
    PrometheusUnavailable,
    check_url,
    range_step,
)
from tests.support.prometheus import free_port

NOW = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
START = NOW - datetime.timedelta(days=28)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://prometheus:9090", "not a usable Prometheus URL"),
        ("file:///etc/passwd", "not a usable Prometheus URL"),
        ("prometheus:9090", "not a usable Prometheus URL"),
        ("http://", "not a usable Prometheus URL"),
        ("http://host:99999", "not a usable Prometheus URL"),
        ("http://user:hunter2@prometheus:9090", "must not carry credentials"),
        ("http://prometheus:9090/?token=hunter2", "must not have a query"),
    ],
)
def test_bad_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(PrometheusError, match=message) as caught:
        check_url(url)
    assert "hunter2" not in str(caught.value)


def test_a_good_url_loses_its_trailing_slash() -> None:
    assert (
        check_url("https://prom.internal:9090/prometheus/")
        == "https://prom.internal:9090/prometheus"
    )


def test_the_step_is_sized_to_the_window() -> None:
    assert range_step(datetime.timedelta(days=28)) == 600
    assert range_step(datetime.timedelta(days=7)) == 180
    assert range_step(datetime.timedelta(hours=1)) == 15
    assert range_step(datetime.timedelta(days=90)) == 1980
    for days in (1, 7, 28, 90, 365):
        step = range_step(datetime.timedelta(days=days))
        assert days * 86_400 / step + 1 <= 11_000


def test_an_unreachable_prometheus_is_unavailable() -> None:
    with (
        PrometheusClient(f"http://127.0.0.1:{free_port()}") as client,
        pytest.raises(
            PrometheusUnavailable, match=r"cannot reach Prometheus at http://127\.0\.0\.1"
        ),
    ):
        client.query_range("up", START, NOW, 600)


def client_answering(handler: object, **options: object) -> PrometheusClient:
    return PrometheusClient(
        "http://prometheus.test:9090",
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def test_refused_credentials_name_the_settings_not_the_token() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(401, text="Unauthorized")

    client = PrometheusClient(
        "http://prometheus.test:9090",
        Auth(token="s3cret-token"),
        transport=httpx.MockTransport(handler),
    )
    with pytest.raises(PrometheusUnavailable, match="refused the credentials") as caught:
        client.query_range("up", START, NOW, 600)
    assert seen == ["Bearer s3cret-token"]
    assert "s3cret" not in str(caught.value)
    assert "MAINTAINER_PROMETHEUS_TOKEN" in str(caught.value)


def test_basic_auth_is_sent() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(
            200, json={"status": "success", "data": {"resultType": "matrix", "result": []}}
        )

    client = PrometheusClient(
        "http://prometheus.test:9090",
        Auth(username="bot", password="pw"),
        transport=httpx.MockTransport(handler),
    )
    assert client.query_range("up", START, NOW, 600) == []
    assert seen == ["Basic Ym90OnB3"]


def test_a_page_that_is_not_prometheus_says_so() -> None:
    client = client_answering(lambda request: httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(PrometheusUnavailable, match="without Prometheus' JSON"):
        client.query_range("up", START, NOW, 600)


def test_an_answer_over_the_limit_is_refused_while_reading() -> None:
    huge = b'{"status":"success","data":{"resultType":"matrix","result":[' + b" " * 5000 + b"]}}"
    client = client_answering(lambda request: httpx.Response(200, content=huge), max_bytes=4096)
    with pytest.raises(PrometheusError, match="over 4096 bytes"):
        client.query_range("up", START, NOW, 600)


def test_too_many_series_are_refused() -> None:
    result = [{"metric": {"i": str(i)}, "values": [[1, "1"]]} for i in range(21)]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"status": "success", "data": {"resultType": "matrix", "result": result}}
        )

    with pytest.raises(PrometheusError, match="returns 21 series"):
        client_answering(handler).query_range("up", START, NOW, 600)


def test_malformed_samples_are_refused_and_non_finite_values_dropped() -> None:
    def answer(values: object) -> httpx.Response:
        data = {"resultType": "matrix", "result": [{"metric": {}, "values": values}]}
        return httpx.Response(200, json={"status": "success", "data": data})

    good = client_answering(lambda r: answer([[1, "1.5"], [2, "NaN"], [3, "+Inf"], [4, "2"]]))
    assert good.query_range("up", START, NOW, 600)[0].samples == ((1.0, 1.5), (4.0, 2.0))
    bad = client_answering(lambda r: answer([[1, "x"]]))
    with pytest.raises(PrometheusError, match="malformed sample"):
        bad.query_range("up", START, NOW, 600)
