"""What every emulator route shares: errors in GitHub's shape, the emulator's state as a
FastAPI dependency, App JWT and installation-token authentication, and GitHub's pagination."""

from __future__ import annotations

import base64
from typing import Annotated, Any

import jwt
from fastapi import Body, Depends, Request

from app.emulator.state import Installation, Issue, Pull, Repo, State

DOCS = "https://docs.github.com/rest"
Json = dict[str, Any]
JsonBody = Annotated[Json, Body()]


class ApiError(Exception):
    """Answered as GitHub answers errors: `{"message", "documentation_url"}` with `status`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def emulator_state(request: Request) -> State:
    state: State = request.app.state.emulator
    return state


EmulatorState = Annotated[State, Depends(emulator_state)]


def base_url(request: Request) -> str:
    """The emulator's root URL, with the prefix it is mounted at (GHES serves `/api/v3`)."""
    root = str(request.scope.get("root_path") or "")
    return f"{request.url.scheme}://{request.url.netloc}{root}".rstrip("/")


# -- authentication ------------------------------------------------------------------------


def credential(request: Request) -> str:
    """The token or JWT of `Authorization: token|Bearer|Basic ...`; 401 without one."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("token", "bearer") and value:
        return value.strip()
    if scheme.lower() == "basic" and value:
        decoded = base64.b64decode(value.strip()).decode("utf-8", "replace")
        return decoded.partition(":")[2]
    raise ApiError(401, "Requires authentication")


def require_app(request: Request, state: State) -> None:
    """The request carries an RS256 JWT signed by the App's key, issued by the App, short-lived."""
    try:
        claims = jwt.decode(
            credential(request),
            state.public_key,
            algorithms=["RS256"],
            options={"require": ["exp", "iat", "iss"]},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise ApiError(
            401, f"A JSON web token could not be decoded ({type(exc).__name__})"
        ) from None
    if str(claims.get("iss")) != str(state.app_id):
        raise ApiError(401, "The JWT's issuer is not this App")
    if claims["exp"] - claims["iat"] > 660:
        raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")


def require_installation(request: Request, state: State) -> Installation:
    """The installation whose unexpired token the request carries."""
    installation = state.token_installation(credential(request))
    if installation is None:
        raise ApiError(401, "Bad credentials")
    return installation


def visible_repo(request: Request, state: State, owner: str, name: str) -> Repo:
    """The repository, when the request's installation may see it (404 otherwise)."""
    installation = require_installation(request, state)
    full_name = f"{owner}/{name}"
    repo = state.repo(full_name)
    visible = {r.lower() for r in installation.repositories}
    if repo is None or full_name.lower() not in visible:
        raise ApiError(404, "Not Found")
    return repo


def existing_pull(repo: Repo, number: int) -> Pull:
    pull = repo.pulls.get(number)
    if pull is None:
        raise ApiError(404, "Not Found")
    return pull


def existing_issue(repo: Repo, number: int) -> Issue | Pull:
    """A plain issue or a pull request (GitHub numbers both as issues); 404 otherwise."""
    found = repo.issues.get(number) or repo.pulls.get(number)
    if found is None:
        raise ApiError(404, "Not Found")
    return found


# -- pagination ----------------------------------------------------------------------------


def query_number(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError(422, f"Validation Failed: {name} must be a number") from None


def page(request: Request, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """GitHub pagination: `per_page` (max 100) and `page`, with a `Link` header."""
    per_page = min(max(query_number(request, "per_page", 30), 1), 100)
    number = max(query_number(request, "page", 1), 1)
    chosen = items[(number - 1) * per_page : number * per_page]
    headers = {}
    if number * per_page < len(items):
        url = request.url.include_query_params(page=number + 1, per_page=per_page)
        headers["Link"] = f'<{url}>; rel="next"'
    return chosen, headers
