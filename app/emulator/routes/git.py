"""Git data: refs over REST (`/repos/{owner}/{name}/git/refs`), and the repositories themselves
over git's smart HTTP protocol at each repository's `clone_url`, opened by an installation token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.emulator import shapes
from app.emulator.githttp import http_backend
from app.emulator.rest import (
    ApiError,
    EmulatorState,
    Json,
    JsonBody,
    base_url,
    credential,
    visible_repo,
)

router = APIRouter()


@router.get("/repos/{owner}/{name}/git/ref/{ref:path}")
@router.get("/repos/{owner}/{name}/git/refs/{ref:path}")
def get_ref(request: Request, state: EmulatorState, owner: str, name: str, ref: str) -> Json:
    repo = visible_repo(request, state, owner, name)
    sha = repo.git.refs().get(f"refs/{ref}")
    if sha is None:
        raise ApiError(404, "Not Found")
    return shapes.ref_json(base_url(request), repo, f"refs/{ref}", sha)


@router.post("/repos/{owner}/{name}/git/refs", status_code=201)
def create_ref(
    request: Request, state: EmulatorState, owner: str, name: str, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    ref, sha = str(body.get("ref", "")), str(body.get("sha", ""))
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise ApiError(422, "Reference name is not well formed")
    if ref in repo.git.refs():
        raise ApiError(422, "Reference already exists")
    if repo.git.resolve(sha) != sha:
        raise ApiError(422, "Object does not exist")
    repo.git.set_ref(ref, sha)
    return shapes.ref_json(base_url(request), repo, ref, sha)


@router.patch("/repos/{owner}/{name}/git/refs/{ref:path}")
def update_ref(
    request: Request, state: EmulatorState, owner: str, name: str, ref: str, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    full, sha = f"refs/{ref}", str(body.get("sha", ""))
    current = repo.git.refs().get(full)
    if current is None:
        raise ApiError(422, "Reference does not exist")
    if repo.git.resolve(sha) != sha:
        raise ApiError(422, "Object does not exist")
    if not body.get("force") and not repo.git.is_ancestor(current, sha):
        raise ApiError(422, "Update is not a fast forward")
    repo.git.set_ref(full, sha, current)
    return shapes.ref_json(base_url(request), repo, full, sha)


@router.delete("/repos/{owner}/{name}/git/refs/{ref:path}", status_code=204)
def delete_ref(request: Request, state: EmulatorState, owner: str, name: str, ref: str) -> Response:
    repo = visible_repo(request, state, owner, name)
    if f"refs/{ref}" not in repo.git.refs():
        raise ApiError(422, "Reference does not exist")
    repo.git.delete_ref(f"refs/{ref}")
    return Response(status_code=204)


@router.api_route("/{owner}/{name}.git/{rest:path}", methods=["GET", "POST"])
async def git_http(
    request: Request, state: EmulatorState, owner: str, name: str, rest: str
) -> Response:
    repo = state.repo(f"{owner}/{name}")
    if repo is None:
        return Response("Repository not found.", 404)
    installation = state.token_installation(_git_credential(request))
    allowed = {r.lower() for r in installation.repositories} if installation else set()
    if installation is None or repo.full_name.lower() not in allowed:
        return Response("Authentication failed", 401, {"WWW-Authenticate": 'Basic realm="GitHub"'})
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    result = await run_in_threadpool(
        http_backend,
        state.data_dir / "repos",
        f"/{repo.full_name}.git/{rest}",
        request.method,
        request.url.query,
        headers,
        body,
        state.bot.login,
    )
    return Response(result.body, result.status, dict(result.headers))


def _git_credential(request: Request) -> str:
    try:
        return credential(request)
    except (ApiError, ValueError):
        return ""
