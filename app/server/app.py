"""FastAPI app factory. Dependencies come in as parameters, so tests hand in their own."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool
from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.incidents.alertmanager import AlertGroup, BadAlert
from app.incidents.alertmanager import parse as parse_alerts
from app.metrics import CONTENT_TYPE, Metrics, metrics
from app.payloads import BadPayload, load_object
from app.server.intake import BatchingIntake
from app.server.signature import same_secret, valid_signature
from app.store import JobKind, NewDelivery, NewJob
from app.store.records import IncidentRecord

log = logging.getLogger(__name__)

MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
WEBHOOK_PATH = "/webhooks/github"
INLINE_LIMIT = 256 * 1024  # bodies above this are verified and parsed in a worker thread
TICK_HEADER = "X-Maintainer-Tick-Secret"
ALERTS_PATH = "/alerts/alertmanager"
MAX_ALERT_BODY = 4 * 1024 * 1024


class Intake(Protocol):
    def accept_deliveries(self, batch: list[NewDelivery]) -> list[bool]:
        """Record and enqueue, committed on return; False where the delivery id was seen."""
        ...

    def enqueue(
        self, kind: JobKind, repository: str | None, args: Mapping[str, Any] | None = None
    ) -> str: ...


class AlertSink(Protocol):
    def record_alerts(self, group: AlertGroup) -> tuple[IncidentRecord | None, str]:
        """Apply one Alertmanager notification to its incident, committed on return."""
        ...


class TooLarge(Exception):
    pass


@dataclass(frozen=True)
class Scrape:
    """`/metrics`: the bearer token Prometheus must send, and the page's renderer (run in a
    worker thread: it reads the store)."""

    token: SecretStr
    render: Callable[[], bytes]


def _answer(code: int, **content: Any) -> JSONResponse:
    return JSONResponse(content, status_code=code)


class FastPath:
    """ASGI middleware sending one path straight to its endpoint: the webhook, which answers
    every delivery GitHub sends, skips FastAPI's routing and dependency machinery."""

    def __init__(self, app: ASGIApp, path: str, endpoint: ASGIApp) -> None:
        self.app, self.path, self.endpoint = app, path, endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            await self.endpoint(scope, receive, send)
        else:
            await self.app(scope, receive, send)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge
    return bytes(body)


def _action(body: bytes) -> tuple[str | None, str | None]:
    """(why the body is refused, or None; its `action`)."""
    try:
        payload = load_object(body)
    except BadPayload as exc:
        return str(exc), None
    action = payload.get("action")
    return None, action if isinstance(action, str) else None


def create_app(
    webhook_secret: SecretStr,
    intake: Intake,
    tick_secret: SecretStr | None = None,
    max_body: int = MAX_BODY,
    *,
    scrape: Scrape | None = None,
    telemetry: Metrics | None = None,
    alerts: AlertSink | None = None,
    alerts_token: SecretStr | None = None,
) -> FastAPI:
    secret = webhook_secret.get_secret_value().encode()
    if not secret:
        raise ValueError("the webhook secret is empty")
    ticks = tick_secret.get_secret_value().encode() if tick_secret is not None else b""
    alert_token = alerts_token.get_secret_value().encode() if alerts_token is not None else b""
    app = FastAPI(title="maintainer-bot", docs_url=None, redoc_url=None, openapi_url=None)
    batches = BatchingIntake(intake.accept_deliveries)
    recorded = telemetry or metrics()
    bearer = b""
    if scrape is not None:
        bearer = scrape.token.get_secret_value().encode()
        if not bearer:
            raise ValueError("the metrics token is empty")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    async def webhook(request: Request) -> JSONResponse:
        started = time.perf_counter()
        answer, event = await answer_delivery(request)
        recorded.delivery(event, answer.status_code, time.perf_counter() - started)
        return answer

    async def answer_delivery(request: Request) -> tuple[JSONResponse, str | None]:
        """The answer, and the event when the signature was valid (else None)."""
        if request.method != "POST":
            return _answer(405, error="use POST"), None
        headers = request.headers  # built anew on each access
        try:
            body = await _read_body(request, max_body)
        except TooLarge:
            return _answer(413, error=f"payload larger than {max_body} bytes"), None
        signature = headers.get("x-hub-signature-256")
        if len(body) > INLINE_LIMIT:  # megabytes: hash and parse off the event loop
            valid = await run_in_threadpool(valid_signature, secret, body, signature)
        else:
            valid = valid_signature(secret, body, signature)
        if not valid:
            return _answer(401, error="missing or wrong X-Hub-Signature-256"), None
        event = headers.get("x-github-event")
        delivery = headers.get("x-github-delivery")
        if not event or not delivery:
            return _answer(400, error="missing X-GitHub-Event or X-GitHub-Delivery"), event
        if len(delivery) > 64 or len(event) > 64:
            return _answer(400, error="X-GitHub-Event or X-GitHub-Delivery too long"), event
        if len(body) > INLINE_LIMIT:
            refused, action = await run_in_threadpool(_action, body)
        else:
            refused, action = _action(body)
        if refused is not None:
            return _answer(400, error=refused), event
        if event == "ping":
            return _answer(200, status="pong"), event
        job = NewJob(uuid.uuid4().hex, JobKind.DELIVERY, None, delivery)
        if not await batches.accept(NewDelivery(delivery, event, action, body, job)):
            return _answer(200, status="duplicate", delivery=delivery), event
        log.debug("accepted delivery %s (%s %s)", delivery, event, action)
        return _answer(202, status="queued", delivery=delivery), event

    app.add_middleware(FastPath, path=WEBHOOK_PATH, endpoint=request_response(webhook))

    @app.post("/ticks")
    async def tick(request: Request) -> JSONResponse:
        if not ticks:
            return _answer(404, error="ticks are disabled: MAINTAINER_TICK_SECRET is not set")
        if not same_secret(ticks, request.headers.get(TICK_HEADER)):
            return _answer(401, error=f"missing or wrong {TICK_HEADER}")
        job = await run_in_threadpool(intake.enqueue, JobKind.TICK, None, {"reason": "ticks"})
        return _answer(202, status="queued", job=job)

    @app.post(ALERTS_PATH)
    async def alertmanager(request: Request) -> JSONResponse:
        """Alertmanager's webhook (format 4): one incident per alert group occurrence."""
        if alerts is None or not alert_token:
            return _answer(404, error="alerts are disabled: MAINTAINER_ALERTS_TOKEN is not set")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not same_secret(alert_token, token or None):
            return _answer(401, error="missing or wrong bearer token (MAINTAINER_ALERTS_TOKEN)")
        try:
            body = await _read_body(request, MAX_ALERT_BODY)
        except TooLarge:
            return _answer(413, error=f"payload larger than {MAX_ALERT_BODY} bytes")
        try:
            group = parse_alerts(body)
        except BadAlert as exc:
            return _answer(400, error=f"not an Alertmanager webhook: {exc}")
        incident, outcome = await run_in_threadpool(alerts.record_alerts, group)
        recorded.incident(outcome)
        if incident is None:
            return _answer(200, status=outcome)
        if outcome != "repeated" or incident.issue_number is None:  # triage (again: idempotent)
            args = {"incident": incident.id}
            await run_in_threadpool(intake.enqueue, JobKind.INCIDENT, None, args)
        log.info("incident %s %s (%s)", incident.id, outcome, incident.alertname)
        return _answer(200, status=outcome, incident=incident.id, state=incident.status)

    @app.get("/metrics")
    async def metrics_page(request: Request) -> Response:
        if scrape is None:
            return _answer(404, error="metrics are disabled: MAINTAINER_METRICS_TOKEN is not set")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not same_secret(bearer, token.strip() or None):
            return _answer(401, error="missing or wrong bearer token")
        page = await run_in_threadpool(scrape.render)
        return Response(page, media_type=CONTENT_TYPE)

    return app
