"""Emulator routes for the conversation on a PR: collaborator permissions, reviews, merging
(REST `PUT .../merge`, with GitHub's refusals) and GraphQL `markPullRequestReadyForReview`.

Kept beside `api.py` and registered by `Emulator`; its own state lives in `Conversation`.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Body, FastAPI, Request

from app.emulator import shapes
from app.emulator.api import ApiError, _base, _installation, _pull, _repo
from app.emulator.gitrepo import GitFailed, _identity, _run
from app.emulator.state import Pull, Repo, State, User, iso

Json = dict[str, Any]
JsonBody = Annotated[dict[str, Any], Body()]

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
_READY_MUTATION = re.compile(r"markPullRequestReadyForReview", re.IGNORECASE)


@dataclass
class Review:
    id: int
    user: User
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED
    commit_id: str
    submitted_at: float


@dataclass
class Conversation:
    """Collaborator roles by (repository, login) and reviews by (repository, PR number)."""

    roles: dict[tuple[str, str], str] = field(default_factory=dict)
    reviews: dict[tuple[str, int], list[Review]] = field(default_factory=dict)
    required: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (repo, branch)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def role(self, repo: Repo, login: str) -> str:
        if login.lower() == repo.owner.login.lower():
            return "admin"
        return self.roles.get((repo.full_name.lower(), login.lower()), "read")


def add_conversation_routes(app: FastAPI, state: State) -> Conversation:
    conversation = Conversation()
    _collaborator_routes(app, state, conversation)
    _review_routes(app, state, conversation)
    _merge_routes(app, state)
    _protection_routes(app, state, conversation)
    return conversation


def _protection_routes(app: FastAPI, state: State, conversation: Conversation) -> None:
    @app.get("/repos/{owner}/{name}/branches/{branch}/protection/required_status_checks")
    def required_checks(request: Request, owner: str, name: str, branch: str) -> Json:
        repo = _repo(request, state, owner, name)
        contexts = conversation.required.get((repo.full_name.lower(), branch))
        if contexts is None:
            raise ApiError(404, "Branch not protected")
        return {
            "strict": False,
            "contexts": list(contexts),
            "checks": [{"context": c, "app_id": None} for c in contexts],
        }

    @app.put("/_emulator/repos/{owner}/{name}/branches/{branch}/protection")
    def protect(owner: str, name: str, branch: str, body: JsonBody) -> Json:
        """Require these check names (`contexts`) on pull requests into `branch`."""
        repo = state.repo(f"{owner}/{name}")
        if repo is None:
            raise ApiError(404, "Not Found")
        contexts = [str(c) for c in body.get("contexts", [])]
        with conversation.lock:
            conversation.required[(repo.full_name.lower(), branch)] = contexts
        return {"contexts": contexts}


def _collaborator_routes(app: FastAPI, state: State, conversation: Conversation) -> None:
    @app.get("/repos/{owner}/{name}/collaborators/{username}/permission")
    def permission(request: Request, owner: str, name: str, username: str) -> Json:
        repo = _repo(request, state, owner, name)
        role = conversation.role(repo, username)
        return {
            "permission": LEGACY[role],
            "role_name": role,
            "user": shapes.user_json(_base(request), state.user(username)),
        }

    @app.put("/repos/{owner}/{name}/collaborators/{username}", status_code=201)
    def add_collaborator(
        request: Request, owner: str, name: str, username: str, body: JsonBody
    ) -> Json:
        repo = _repo(request, state, owner, name)
        wanted = str(body.get("permission", "push")).lower()
        if wanted not in ROLES:
            raise ApiError(422, f"Validation Failed: {wanted!r} is not a permission")
        user = state.user(username)
        with conversation.lock:
            conversation.roles[(repo.full_name.lower(), username.lower())] = ROLES[wanted]
        base = _base(request)
        return {
            "id": state.next_id(),
            "repository": shapes.repo_json(base, repo),
            "invitee": shapes.user_json(base, user),
            "permissions": wanted,
            "created_at": iso(time.time()),
        }


def _review_routes(app: FastAPI, state: State, conversation: Conversation) -> None:
    @app.get("/repos/{owner}/{name}/pulls/{number}/reviews")
    def reviews(request: Request, owner: str, name: str, number: int) -> list[Json]:
        repo = _repo(request, state, owner, name)
        _pull(repo, number)
        base = _base(request)
        listed = conversation.reviews.get((repo.full_name.lower(), number), [])
        return [_review_json(base, r) for r in listed]

    @app.post("/_emulator/repos/{owner}/{name}/pulls/{number}/reviews", status_code=201)
    def human_review(request: Request, owner: str, name: str, number: int, body: JsonBody) -> Json:
        """A review by a person (`user`, `state`, `commit_id` defaulting to the head)."""
        repo = state.repo(f"{owner}/{name}")
        if repo is None or number not in repo.pulls:
            raise ApiError(404, "Not Found")
        pull = repo.pulls[number]
        head = repo.git.branch_sha(pull.head_ref) or pull.head_sha
        review = Review(
            state.next_id(),
            state.user(str(body.get("user", repo.owner.login))),
            str(body.get("state", "APPROVED")).upper(),
            str(body.get("commit_id") or head),
            time.time(),
        )
        with conversation.lock:
            conversation.reviews.setdefault((repo.full_name.lower(), number), []).append(review)
        return _review_json(_base(request), review)


def _review_json(base: str, review: Review) -> Json:
    return {
        "id": review.id,
        "user": shapes.user_json(base, review.user),
        "state": review.state,
        "commit_id": review.commit_id,
        "submitted_at": iso(review.submitted_at),
        "body": "",
    }


def _merge_routes(app: FastAPI, state: State) -> None:
    @app.put("/repos/{owner}/{name}/pulls/{number}/merge")
    def merge(request: Request, owner: str, name: str, number: int, body: JsonBody) -> Json:
        repo = _repo(request, state, owner, name)
        pull = _pull(repo, number)
        with state.lock:
            sha = _merge(state, repo, pull, body)
        return {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}

    @app.post("/graphql")
    def graphql(request: Request, body: JsonBody) -> Json:
        """Only `markPullRequestReadyForReview(input: {pullRequestId})` (REST cannot un-draft)."""
        _installation(request, state)
        query = str(body.get("query", ""))
        variables = body.get("variables") or {}
        node_id = str(variables.get("id") or variables.get("pullRequestId") or "")
        if not _READY_MUTATION.search(query):
            return {
                "errors": [{"message": "the emulator answers only markPullRequestReadyForReview"}]
            }
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
    try:
        tree = repo.git.git("merge-tree", "--write-tree", base, head).split()[0]
    except GitFailed:
        raise ApiError(405, "Pull Request is not mergeable (conflicts)") from None
    title = str(body.get("commit_title") or f"{pull.title} (#{pull.number})")
    parents = ["-p", base] if method != "merge" else ["-p", base, "-p", head]
    actor = state.bot
    email = f"{actor.id}+{actor.login}@users.noreply.github.com"
    sha = _run(
        ["git", "--git-dir", str(repo.git.path), "commit-tree", tree, *parents, "-m", title],
        _identity(actor.login, email),
    ).strip()
    repo.git.set_ref(f"refs/heads/{pull.base_ref}", sha, base)
    pull.head_sha, pull.base_sha = head, sha
    pull.state, pull.merged, pull.closed_at = "closed", True, time.time()
    pull.updated_at = time.time()
    return sha
