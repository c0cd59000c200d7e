"""The emulator's FastAPI app: GitHub's REST endpoints the bot uses (`routes/`), git smart HTTP,
and an `/_emulator` admin API; a middleware injects faults and logs every request."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from app.emulator.rest import DOCS, ApiError
from app.emulator.routes import ROUTERS
from app.emulator.routes.index import index_router
from app.emulator.state import Fault, State

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def create_app(state: State) -> FastAPI:
    app = FastAPI(title="GitHub emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = state

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
        return response

    for router in ROUTERS:
        app.include_router(router)
    if state.index_dir is not None:
        app.include_router(index_router(state.index_dir))
    return app


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
