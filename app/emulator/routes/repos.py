"""A repository: its JSON, file contents, commits, collaborators' permissions and the checks
its protected branches require."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request

from app.emulator import shapes
from app.emulator.rest import ApiError, EmulatorState, Json, JsonBody, base_url, visible_repo
from app.emulator.state import iso

router = APIRouter()

# REST names (`pull`, `push`) and role names, to the role GitHub reports back.
ROLES = {
    "pull": "read",
    "read": "read",
    "triage": "triage",
    "push": "write",
    "write": "write",
    "maintain": "maintain",
    "admin": "admin",
}
# The legacy `permission` field folds maintain into write and triage into read.
LEGACY = {"read": "read", "triage": "read", "write": "write", "maintain": "write", "admin": "admin"}


@router.get("/repos/{owner}/{name}")
def get_repo(request: Request, state: EmulatorState, owner: str, name: str) -> Json:
    return shapes.repo_json(base_url(request), visible_repo(request, state, owner, name))


@router.get("/repos/{owner}/{name}/contents/{path:path}")
def contents(request: Request, state: EmulatorState, owner: str, name: str, path: str) -> Any:
    repo = visible_repo(request, state, owner, name)
    ref = request.query_params.get("ref") or repo.default_branch
    path = path.strip("/")
    kind = repo.git.object_type(ref, path) if path else "tree"
    base = base_url(request)
    if kind == "blob":
        sha, data = repo.git.blob(ref, path)
        return shapes.content_json(base, repo, path, sha, data)
    if kind == "tree" and repo.git.resolve(ref):
        return [
            {
                "type": "dir" if e.type == "tree" else "file",
                "name": e.path.rsplit("/", 1)[-1],
                "path": e.path,
                "sha": e.sha,
                "size": e.size,
            }
            for e in repo.git.tree(ref, path)
        ]
    raise ApiError(404, "Not Found")


@router.get("/repos/{owner}/{name}/commits/{sha}")
def get_commit(request: Request, state: EmulatorState, owner: str, name: str, sha: str) -> Json:
    repo = visible_repo(request, state, owner, name)
    commit = repo.git.commit(sha)
    if commit is None:
        raise ApiError(422, f"No commit found for SHA: {sha}")
    return shapes.commit_json(base_url(request), state, repo, commit)


@router.get("/repos/{owner}/{name}/collaborators/{username}/permission")
def permission(
    request: Request, state: EmulatorState, owner: str, name: str, username: str
) -> Json:
    repo = visible_repo(request, state, owner, name)
    role = repo.role(username)
    return {
        "permission": LEGACY[role],
        "role_name": role,
        "user": shapes.user_json(base_url(request), state.user(username)),
    }


@router.put("/repos/{owner}/{name}/collaborators/{username}", status_code=201)
def add_collaborator(
    request: Request, state: EmulatorState, owner: str, name: str, username: str, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    wanted = str(body.get("permission", "push")).lower()
    if wanted not in ROLES:
        raise ApiError(422, f"Validation Failed: {wanted!r} is not a permission")
    user = state.user(username)
    with state.lock:
        repo.roles[username.lower()] = ROLES[wanted]
    base = base_url(request)
    return {
        "id": state.next_id(),
        "repository": shapes.repo_json(base, repo),
        "invitee": shapes.user_json(base, user),
        "permissions": wanted,
        "created_at": iso(time.time()),
    }


@router.get("/repos/{owner}/{name}/branches/{branch}/protection/required_status_checks")
def required_checks(
    request: Request, state: EmulatorState, owner: str, name: str, branch: str
) -> Json:
    repo = visible_repo(request, state, owner, name)
    contexts = repo.required_checks.get(branch)
    if contexts is None:
        raise ApiError(404, "Branch not protected")
    return {
        "strict": False,
        "contexts": list(contexts),
        "checks": [{"context": c, "app_id": None} for c in contexts],
    }
