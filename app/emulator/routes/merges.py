"""Getting a pull request in: its reviews, GraphQL `markPullRequestReadyForReview` (REST cannot
un-draft) and `PUT .../merge` with GitHub's refusals, then a real merge commit."""

from __future__ import annotations

import re
import time

from fastapi import APIRouter, Request

from app.emulator import shapes
from app.emulator.gitrepo import GitFailed
from app.emulator.rest import (
    ApiError,
    EmulatorState,
    Json,
    JsonBody,
    base_url,
    existing_pull,
    require_installation,
    visible_repo,
)
from app.emulator.state import Pull, Repo, State

router = APIRouter()

_READY_MUTATION = re.compile(r"markPullRequestReadyForReview", re.IGNORECASE)


@router.get("/repos/{owner}/{name}/pulls/{number}/reviews")
def reviews(
    request: Request, state: EmulatorState, owner: str, name: str, number: int
) -> list[Json]:
    repo = visible_repo(request, state, owner, name)
    existing_pull(repo, number)
    base = base_url(request)
    return [shapes.review_json(base, r) for r in repo.reviews.get(number, [])]


@router.put("/repos/{owner}/{name}/pulls/{number}/merge")
def merge(
    request: Request, state: EmulatorState, owner: str, name: str, number: int, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    pull = existing_pull(repo, number)
    with state.lock:
        sha = _merge(state, repo, pull, body)
    return {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}


@router.post("/graphql")
def graphql(request: Request, state: EmulatorState, body: JsonBody) -> Json:
    """Only `markPullRequestReadyForReview(input: {pullRequestId})` (REST cannot un-draft)."""
    require_installation(request, state)
    query = str(body.get("query", ""))
    variables = body.get("variables") or {}
    node_id = str(variables.get("id") or variables.get("pullRequestId") or "")
    if not _READY_MUTATION.search(query):
        return {"errors": [{"message": "the emulator answers only markPullRequestReadyForReview"}]}
    found = _pull_by_node(state, node_id)
    if found is None:
        return {"errors": [{"type": "NOT_FOUND", "message": f"no node {node_id!r}"}]}
    _, pull = found
    with state.lock:
        pull.draft, pull.updated_at = False, time.time()
    ready = {"pullRequest": {"id": node_id, "isDraft": False, "number": pull.number}}
    return {"data": {"markPullRequestReadyForReview": ready}}


def _pull_by_node(state: State, node_id: str) -> tuple[Repo, Pull] | None:
    for repo in state.repos.values():
        for pull in repo.pulls.values():
            if f"PR_{pull.id}" == node_id:
                return repo, pull
    return None


def _merge(state: State, repo: Repo, pull: Pull, body: Json) -> str:
    """GitHub's refusals (405 closed/draft/conflict, 409 head moved), then a real merge."""
    if pull.state != "open" or pull.merged:
        raise ApiError(405, "Pull Request is not mergeable")
    if pull.draft:
        raise ApiError(405, "Pull Request is still a draft")
    head = repo.git.branch_sha(pull.head_ref)
    base = repo.git.branch_sha(pull.base_ref)
    if head is None or base is None:
        raise ApiError(405, "Pull Request is not mergeable")
    if body.get("sha") and body["sha"] != head:
        raise ApiError(409, "Head branch was modified. Review and try the merge again.")
    method = str(body.get("merge_method", "merge"))
    if method not in ("merge", "squash", "rebase"):
        raise ApiError(422, f"Validation Failed: merge_method {method!r}")
    actor = state.bot
    email = f"{actor.id}+{actor.login}@users.noreply.github.com"
    title = str(body.get("commit_title") or f"{pull.title} (#{pull.number})")
    try:
        sha = repo.git.merge_commit(
            base, head, squash=method != "merge", message=title, author=(actor.login, email)
        )
    except GitFailed:
        raise ApiError(405, "Pull Request is not mergeable (conflicts)") from None
    repo.git.set_ref(f"refs/heads/{pull.base_ref}", sha, base)
    pull.head_sha, pull.base_sha = head, sha
    pull.state, pull.merged, pull.closed_at = "closed", True, time.time()
    pull.updated_at = time.time()
    return sha
