"""The emulator's FastAPI app: GitHub's REST endpoints the bot uses (`routes/`), git smart HTTP,
and an `/_emulator` admin API; a middleware injects faults, logs every request and answers
GitHub's rate-limit headers (a budget of 5,000 requests an hour per credential, as GitHub gives
an installation)."""

from __future__ import annotations

import asyncio
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
        if not path.startswith("/_emulator"):
            state.log(request.method, path, response.status_code)
            if ".git/" not in path:  # git over HTTP does not count against the REST limit
                _rate_limit(spent, request, response)
        return response

    for router in ROUTERS:
        app.include_router(router)
    if state.index_dir is not None:
        app.include_router(index_router(state.index_dir))
    return app


def _rate_limit(spent: Counter[tuple[int, str]], request: Request, response: Response) -> None:
    """GitHub's `X-RateLimit-*` headers, counting requests per credential and clock hour."""
    hour = int(time.time() // 3600)
    who = request.headers.get("authorization") or (request.client.host if request.client else "")
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
