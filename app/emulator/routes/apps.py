"""The App and its installations: `/app`, installation tokens, `/installation/repositories`,
and users."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.emulator import shapes
from app.emulator.rest import (
    ApiError,
    EmulatorState,
    Json,
    base_url,
    page,
    require_app,
    require_installation,
)
from app.emulator.state import iso

router = APIRouter()


@router.get("/app")
def get_app(request: Request, state: EmulatorState) -> Json:
    app_id = require_app(request, state)
    registered = state.registered_apps.get(app_id)
    if registered is not None:
        return shapes.registered_app_json(base_url(request), registered)
    return shapes.app_json(base_url(request), state)


@router.get("/app/installations")
def list_installations(request: Request, state: EmulatorState) -> list[Json]:
    require_app(request, state)
    base = base_url(request)
    return [shapes.installation_json(base, state, i) for i in state.installations.values()]


@router.get("/app/installations/{installation_id}")
def get_installation(request: Request, state: EmulatorState, installation_id: int) -> Json:
    require_app(request, state)
    installation = state.installations.get(installation_id)
    if installation is None:
        raise ApiError(404, "Not Found")
    return shapes.installation_json(base_url(request), state, installation)


@router.post("/app/installations/{installation_id}/access_tokens", status_code=201)
def access_token(request: Request, state: EmulatorState, installation_id: int) -> Json:
    require_app(request, state)
    installation = state.installations.get(installation_id)
    if installation is None:
        raise ApiError(404, "Not Found")
    if installation.suspended:
        raise ApiError(403, "This installation has been suspended")
    token, expires_at = state.issue_token(installation_id)
    return {
        "token": token,
        "expires_at": iso(expires_at),
        "permissions": shapes.installation_json("", state, installation)["permissions"],
        "repository_selection": "selected",
    }


@router.get("/installation/repositories")
def installation_repositories(request: Request, state: EmulatorState) -> JSONResponse:
    installation = require_installation(request, state)
    base = base_url(request)
    repos = [state.repo(name) for name in installation.repositories]
    listed = [shapes.repo_json(base, r) for r in repos if r is not None]
    chosen, headers = page(request, listed)
    body = {"total_count": len(listed), "repositories": chosen}
    return JSONResponse(body, headers=headers)


@router.get("/users/{login}")
def get_user(request: Request, state: EmulatorState, login: str) -> Json:
    user = state.users.get(login.lower())
    if user is None:
        raise ApiError(404, "Not Found")
    return shapes.user_json(base_url(request), user)
