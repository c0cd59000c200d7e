"""Pull requests: list (with GitHub's filters and order), create (with GitHub's refusals), get,
update (title, body, base, close and reopen) and their commits."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.emulator import shapes
from app.emulator.rest import (
    ApiError,
    EmulatorState,
    Json,
    JsonBody,
    base_url,
    existing_pull,
    page,
    visible_repo,
)
from app.emulator.state import Pull, Repo

router = APIRouter()


@router.get("/repos/{owner}/{name}/pulls")
def list_pulls(request: Request, state: EmulatorState, owner: str, name: str) -> JSONResponse:
    repo = visible_repo(request, state, owner, name)
    wanted = request.query_params.get("state", "open")
    head = request.query_params.get("head")
    base_ref = request.query_params.get("base")
    pulls = [
        p
        for p in repo.pulls.values()
        if (wanted == "all" or p.state == wanted)
        and (head is None or f"{repo.owner.login}:{p.head_ref}".lower() == head.lower())
        and (base_ref is None or p.base_ref == base_ref)
    ]
    key = "updated_at" if request.query_params.get("sort") == "updated" else "created_at"
    descending = request.query_params.get("direction", "desc") == "desc"
    pulls.sort(key=lambda p: (getattr(p, key), p.number), reverse=descending)
    base = base_url(request)
    listed = [shapes.pull_json(base, repo, p, repo.labels.get(p.number, [])) for p in pulls]
    chosen, headers = page(request, listed)
    return JSONResponse(chosen, headers=headers)


@router.post("/repos/{owner}/{name}/pulls", status_code=201)
def create_pull(
    request: Request, state: EmulatorState, owner: str, name: str, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    head = str(body.get("head", "")).split(":", 1)[-1]
    base_ref = str(body.get("base") or repo.default_branch)
    head_sha, base_sha = repo.git.branch_sha(head), repo.git.branch_sha(base_ref)
    if not body.get("title"):
        raise ApiError(422, "Validation Failed: title is missing")
    if head_sha is None or base_sha is None:
        raise ApiError(422, "Validation Failed: head or base branch does not exist")
    if head_sha == base_sha or repo.git.is_ancestor(head_sha, base_sha):
        raise ApiError(422, f"Validation Failed: No commits between {base_ref} and {head}")
    for existing in repo.pulls.values():
        if existing.state == "open" and existing.head_ref == head and existing.base_ref == base_ref:
            raise ApiError(
                422, f"Validation Failed: A pull request already exists for {owner}:{head}."
            )
    now = time.time()
    pull = Pull(
        number=state.next_number(repo),
        id=state.next_id(),
        title=str(body["title"]),
        body=str(body.get("body") or ""),
        head_ref=head,
        base_ref=base_ref,
        draft=bool(body.get("draft", False)),
        user=state.bot,  # installation tokens act as the App's bot account
        created_at=now,
        updated_at=now,
        head_sha=head_sha,
        base_sha=base_sha,
    )
    repo.pulls[pull.number] = pull
    return shapes.pull_json(base_url(request), repo, pull, [])


@router.get("/repos/{owner}/{name}/pulls/{number}")
def get_pull(request: Request, state: EmulatorState, owner: str, name: str, number: int) -> Json:
    repo = visible_repo(request, state, owner, name)
    pull = existing_pull(repo, number)
    return shapes.pull_json(base_url(request), repo, pull, repo.labels.get(number, []))


@router.patch("/repos/{owner}/{name}/pulls/{number}")
def update_pull(
    request: Request, state: EmulatorState, owner: str, name: str, number: int, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    pull = existing_pull(repo, number)
    with state.lock:
        if "title" in body:
            pull.title = str(body["title"])
        if "body" in body:
            pull.body = str(body["body"] or "")
        if "base" in body:
            pull.base_ref = str(body["base"])
        if body.get("state") in ("open", "closed") and not pull.merged:
            set_pull_state(repo, pull, str(body["state"]))
        pull.updated_at = time.time()
    return shapes.pull_json(base_url(request), repo, pull, repo.labels.get(number, []))


@router.get("/repos/{owner}/{name}/pulls/{number}/commits")
def pull_commits(
    request: Request, state: EmulatorState, owner: str, name: str, number: int
) -> JSONResponse:
    repo = visible_repo(request, state, owner, name)
    pull = existing_pull(repo, number)
    head = repo.git.branch_sha(pull.head_ref) or pull.head_sha
    base_sha = repo.git.branch_sha(pull.base_ref) or pull.base_sha
    base = base_url(request)
    commits = [
        shapes.commit_json(base, state, repo, c) for c in repo.git.commits_between(base_sha, head)
    ]
    chosen, headers = page(request, commits)
    return JSONResponse(chosen, headers=headers)


def set_pull_state(repo: Repo, pull: Pull, wanted: str) -> None:
    if wanted == "closed" and pull.state == "open":
        pull.head_sha = repo.git.branch_sha(pull.head_ref) or pull.head_sha
        pull.state, pull.closed_at = "closed", time.time()
    elif wanted == "open" and pull.state == "closed":
        if repo.git.branch_sha(pull.head_ref) is None:
            raise ApiError(422, "Validation Failed: the head branch was deleted")
        pull.state, pull.closed_at = "open", None
