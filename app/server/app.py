"""FastAPI app factory. Dependencies come in as parameters, so tests hand in their own."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from app.server.intake import BatchingIntake
from app.server.signature import same_secret, valid_signature
from app.store import JobKind, NewDelivery, NewJob

log = logging.getLogger(__name__)

MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
TICK_HEADER = "X-Maintainer-Tick-Secret"


class Intake(Protocol):
    def accept_deliveries(self, batch: list[NewDelivery]) -> list[bool]:
        """Record and enqueue, committed on return; False where the delivery id was seen."""
        ...

    def enqueue(
        self, kind: JobKind, repository: str | None, args: Mapping[str, Any] | None = None
    ) -> str: ...


class TooLarge(Exception):
    pass


def _answer(code: int, **content: Any) -> JSONResponse:
    return JSONResponse(content, status_code=code)


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


def _action(body: bytes) -> tuple[bool, str | None]:
    """(is a JSON object, its `action`)."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False, None
    if not isinstance(payload, dict):
        return False, None
    action = payload.get("action")
    return True, action if isinstance(action, str) else None


def create_app(
    webhook_secret: SecretStr,
    intake: Intake,
    tick_secret: SecretStr | None = None,
    max_body: int = MAX_BODY,
) -> FastAPI:
    secret = webhook_secret.get_secret_value().encode()
    if not secret:
        raise ValueError("the webhook secret is empty")
    ticks = tick_secret.get_secret_value().encode() if tick_secret is not None else b""
    app = FastAPI(title="maintainer-bot", docs_url=None, redoc_url=None, openapi_url=None)
    batches = BatchingIntake(intake.accept_deliveries)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # A plain Starlette route: the hot path skips FastAPI's dependency and response machinery.
    async def webhook(request: Request) -> JSONResponse:
        try:
            body = await _read_body(request, max_body)
        except TooLarge:
            return _answer(413, error=f"payload larger than {max_body} bytes")
        if not valid_signature(secret, body, request.headers.get("x-hub-signature-256")):
            return _answer(401, error="missing or wrong X-Hub-Signature-256")
        event = request.headers.get("x-github-event")
        delivery = request.headers.get("x-github-delivery")
        if not event or not delivery:
            return _answer(400, error="missing X-GitHub-Event or X-GitHub-Delivery")
        if len(delivery) > 64 or len(event) > 64:
            return _answer(400, error="X-GitHub-Event or X-GitHub-Delivery too long")
        is_object, action = _action(body)
        if not is_object:
            return _answer(400, error="body is not a JSON object")
        if event == "ping":
            return _answer(200, status="pong")
        job = NewJob(uuid.uuid4().hex, JobKind.DELIVERY, None, delivery)
        if not await batches.accept(NewDelivery(delivery, event, action, body, job)):
            return _answer(200, status="duplicate", delivery=delivery)
        log.debug("accepted delivery %s (%s %s)", delivery, event, action)
        return _answer(202, status="queued", delivery=delivery)

    app.add_route("/webhooks/github", webhook, methods=["POST"])

    @app.post("/ticks")
    async def tick(request: Request) -> JSONResponse:
        if not ticks:
            return _answer(404, error="ticks are disabled: MAINTAINER_TICK_SECRET is not set")
        if not same_secret(ticks, request.headers.get(TICK_HEADER)):
            return _answer(401, error=f"missing or wrong {TICK_HEADER}")
        job = await run_in_threadpool(intake.enqueue, JobKind.TICK, None, {"reason": "ticks"})
        return _answer(202, status="queued", job=job)

    return app
