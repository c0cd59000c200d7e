"""`/metrics`: its token, what a delivery, a job and a GitHub call add, the queue gauges."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from app.metrics import Metrics, endpoint_family, event_label, render
from app.queue import Queue, RetryPolicy, build_huey
from app.server import Scrape, create_app
from app.service.wiring import Services
from app.store import JobKind, JobRecord, NewJob
from tests.server.support import SECRET, deliver, live_server, load

TOKEN = "scrape-token-5d1e"


def samples(page: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(page.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
def telemetry() -> Metrics:
    return Metrics(CollectorRegistry())


@pytest.fixture
def scraped(services: Services, telemetry: Metrics) -> Iterator[httpx.Client]:
    store = services.store
    scrape = Scrape(SecretStr(TOKEN), lambda: render(store))
    app = create_app(SecretStr(SECRET), services.queue, scrape=scrape, telemetry=telemetry)
    with live_server(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


def test_metrics_need_the_bearer_token(scraped: httpx.Client) -> None:
    assert scraped.get("/metrics").status_code == 401
    assert scraped.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert scraped.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    page = scraped.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    assert TOKEN not in page.text


def test_metrics_are_off_without_a_token(services: Services) -> None:
    app = create_app(SecretStr(SECRET), services.queue)
    with live_server(app) as url:
        answer = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 404
    assert "MAINTAINER_METRICS_TOKEN" in answer.json()["error"]


def test_an_empty_token_is_refused_at_start(services: Services) -> None:
    with pytest.raises(ValueError, match="metrics token is empty"):
        create_app(SecretStr(SECRET), services.queue, scrape=Scrape(SecretStr(""), bytes))


def test_deliveries_are_counted_by_event_and_code_with_their_latency(
    scraped: httpx.Client, telemetry: Metrics
) -> None:
    created = load("installation", "created.payload.json")
    assert deliver(scraped, "installation", created, delivery="d-1").status_code == 202
    assert deliver(scraped, "installation", created, delivery="d-1").status_code == 200
    assert deliver(scraped, "installation", created, secret="wrong").status_code == 401
    registry = telemetry.registry
    count = registry.get_sample_value
    assert count("maintainer_webhook_deliveries_total", {"event": "installation", "code": "202"})
    assert count("maintainer_webhook_deliveries_total", {"event": "installation", "code": "200"})
    # before the signature is checked the event header is anyone's: it is not a label value
    assert count("maintainer_webhook_deliveries_total", {"event": "unverified", "code": "401"})
    assert count("maintainer_webhook_ack_seconds_count") == 3.0
    assert (count("maintainer_webhook_ack_seconds_sum") or 0) > 0


def test_event_labels_stay_within_githubs_vocabulary() -> None:
    assert event_label("pull_request") == "pull_request"
    assert event_label("Robert'); DROP") == "other"
    assert event_label("x" * 41) == "other"
    assert event_label(None) == "unverified"


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/repos/octo/repo", "repos"),
        ("/repos/octo/repo/pulls/3/reviews", "pulls"),
        ("/api/v3/repos/octo/repo/git/refs/heads/main", "git"),
        ("/repos/octo/repo/check-runs", "check-runs"),
        ("/repos/octo/repo/secret-scanning/alerts", "other"),
        ("/app/installations/12/access_tokens", "app"),
        ("/installation/repositories", "installation"),
        ("/api/graphql", "graphql"),
        ("/graphql", "graphql"),
        ("/octo-org-private-name", "other"),
    ],
)
def test_endpoint_families_never_carry_a_name(path: str, family: str) -> None:
    assert endpoint_family(path) == family


def test_github_answers_and_the_rate_limit(telemetry: Metrics) -> None:
    headers = {"x-ratelimit-remaining": "4321", "x-ratelimit-resource": ""}
    telemetry.github_response("GET", "/repos/o/r/pulls", 200, headers)
    telemetry.github_response("get", "/repos/o/r/pulls", 200, {"x-ratelimit-remaining": "4320"})
    telemetry.github_response("POST", "/repos/o/r/pulls", 0)
    count = telemetry.registry.get_sample_value
    assert (
        count(
            "maintainer_github_requests_total",
            {"family": "pulls", "method": "GET", "status": "200"},
        )
        == 2.0
    )
    assert (
        count(
            "maintainer_github_requests_total", {"family": "pulls", "method": "POST", "status": "0"}
        )
        == 1.0
    )
    assert count("maintainer_github_rate_limit_remaining", {"resource": "core"}) == 4320.0


def test_jobs_are_timed_by_kind_and_outcome_and_retries_counted(
    services: Services, telemetry: Metrics
) -> None:
    huey = build_huey(services.settings)
    queue = Queue(huey, services.store, RetryPolicy(retries=1), telemetry=telemetry)
    attempts: list[str] = []

    class Transient(Exception):
        status_code = 503

    def flaky(job: JobRecord) -> None:
        attempts.append(job.id)
        raise Transient("try later")

    queue.handlers[JobKind.TICK] = flaky
    queue.handlers[JobKind.REFRESH] = lambda job: None
    tick = queue.enqueue(JobKind.TICK, None)
    queue.run_job(tick)  # retried
    queue.run_job(tick)  # out of retries: failed
    queue.run_job(queue.enqueue(JobKind.REFRESH, None))
    count = telemetry.registry.get_sample_value
    name = "maintainer_job_duration_seconds_count"
    assert count(name, {"kind": "tick", "outcome": "retried"}) == 1.0
    assert count(name, {"kind": "tick", "outcome": "failed"}) == 1.0
    assert count(name, {"kind": "refresh", "outcome": "succeeded"}) == 1.0
    assert count("maintainer_job_retries_total", {"kind": "tick"}) == 1.0


def test_queue_gauges_come_from_the_store(services: Services) -> None:
    store = services.store
    page = samples(render(store))
    assert page[("maintainer_queue_jobs", (("status", "queued"),))] == 0
    assert page[("maintainer_queue_oldest_job_age_seconds", ())] == 0
    store.add_job(NewJob("old", JobKind.SCAN, "octo/one"))
    store.add_job(NewJob("new", JobKind.SCAN, "octo/two"))
    store.start_job("new", "someone")
    state = store.queue_state()
    assert state.jobs == {"queued": 1, "running": 1}
    page = samples(render(store))
    assert page[("maintainer_queue_jobs", (("status", "queued"),))] == 1
    assert page[("maintainer_queue_jobs", (("status", "running"),))] == 1
    assert page[("maintainer_queue_jobs", (("status", "failed"),))] == 0
    assert page[("maintainer_queue_oldest_job_age_seconds", ())] >= 0


def test_the_oldest_queued_job_age_uses_the_store_clock(services: Services) -> None:
    store = services.store
    store.add_job(NewJob("waiting", JobKind.SCAN, "octo/one"))
    later = datetime.now(UTC) + timedelta(minutes=10)
    store._clock = lambda: later
    assert 599 <= store.queue_state().oldest_queued_seconds <= 601
