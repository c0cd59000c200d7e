"""The emulator's FastAPI app: GitHub's REST endpoints the bot uses (`routes/`), git smart HTTP,
and an `/_emulator` admin API; a middleware injects faults, logs every request and answers
GitHub's rate-limit headers (a budget of 5,000 requests an hour per credential, as GitHub gives
an installation). Like GitHub, every REST answer to a GET carries an `ETag` (a hash of its
body) and a request whose `If-None-Match` names the current one gets `304 Not Modified` with no
body, which does not count against the rate limit."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from app.emulator.rest import DOCS, ApiError
from app.emulator.routes import ROUTERS
from app.emulator.routes.index import index_router
from app.emulator.state import Fault, State

HOURLY_LIMIT = 5000
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def create_app(state: State) -> FastAPI:
    app = FastAPI(title="GitHub emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = state
    spent: Counter[tuple[int, str]] = Counter()  # (hour, credential) -> requests

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        body = {"message": exc.message, "documentation_url": DOCS}
        return JSONResponse(body, exc.status, headers=exc.headers)

    @app.middleware("http")
    async def faults_and_log(request: Request, call_next: Any) -> Response:
        path = request.url.path
        fault = None if path.startswith("/_emulator") else state.take_fault(request.method, path)
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
            fault = None
        response: Response = _fault_response(fault) if fault else await call_next(request)
        if path.startswith("/_emulator"):
            return response
        rest = ".git/" not in path and not path.startswith(("/simple", "/files"))
        if rest and request.method == "GET" and response.status_code == 200:
            response = await _conditional(request, response)
        state.log(request.method, path, response.status_code)
        if ".git/" not in path:  # git over HTTP does not count against the REST limit
            _rate_limit(spent, request, response)
        return response

    for router in ROUTERS:
        app.include_router(router)
    if state.index_dir is not None:
        app.include_router(index_router(state.index_dir))
    return app


async def _conditional(request: Request, response: Response) -> Response:
    """A JSON answer with its `ETag` (weak, as GitHub's: a hash of the body), or `304 Not
    Modified` without a body when the request's `If-None-Match` names that ETag."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return response
    body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
    etag = f'W/"{hashlib.sha256(body).hexdigest()[:40]}"'
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    headers |= {"ETag": etag, "Vary": "Accept, Authorization"}
    if _matches(request.headers.get("if-none-match", ""), etag):
        kept = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "link")}
        return Response(status_code=304, headers=kept)
    return Response(body, response.status_code, headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): `W/` is ignored; `*` matches any current body."""
    if if_none_match.strip() == "*":
        return True
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag.removeprefix("W/") in wanted


def _rate_limit(spent: Counter[tuple[int, str]], request: Request, response: Response) -> None:
    """GitHub's `X-RateLimit-*` headers, counting requests per credential and clock hour; a
    `304 Not Modified` (a conditional request whose resource did not change) is not counted."""
    hour = int(time.time() // 3600)
    who = request.headers.get("authorization") or (request.client.host if request.client else "")
    if response.status_code != 304:
        spent[(hour, who)] += 1
    used = spent[(hour, who)]
    response.headers["X-RateLimit-Limit"] = str(HOURLY_LIMIT)
    response.headers["X-RateLimit-Remaining"] = str(max(HOURLY_LIMIT - used, 0))
    response.headers["X-RateLimit-Used"] = str(used)
    response.headers["X-RateLimit-Reset"] = str((hour + 1) * 3600)
    resource = "graphql" if request.url.path.endswith("/graphql") else "core"
    response.headers["X-RateLimit-Resource"] = resource


def _fault_response(fault: Fault) -> Response:
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    if fault.kind == "secondary":
        return JSONResponse(
            {"message": SECONDARY_MESSAGE, "documentation_url": DOCS}, 403, headers=headers
        )
    if fault.kind == "rate_limit":
        headers.setdefault("Retry-After", "60")
        return JSONResponse({"message": "API rate limit exceeded"}, 429, headers=headers)
    return JSONResponse({"message": "Server Error"}, fault.status, headers=headers)
