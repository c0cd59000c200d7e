"""Issues: plain issues (create, get, edit, close and reopen, list with GitHub's filters), and
what issues and pull requests share: comments, labels and reactions to comments. Issues and
pull requests share one number sequence, and `/issues` lists both, as on GitHub."""

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
    existing_issue,
    page,
    visible_repo,
)
from app.emulator.state import Comment, Issue, Pull, Reaction, Repo, State, User

router = APIRouter()

BODY_LIMIT = 65536
"""GitHub refuses longer issue and comment bodies (in characters)."""
_STATES = ("open", "closed")
_REASONS = ("completed", "not_planned", "reopened")


def _text(body: Json, key: str, required: bool) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ApiError(422, f"Validation Failed: {key} is missing or not a string")
    if len(value) > BODY_LIMIT:
        raise ApiError(422, f"Validation Failed: {key} is too long (maximum is {BODY_LIMIT})")
    return value


def _labels(body: Json) -> list[str] | None:
    wanted = body.get("labels")
    if wanted is None:
        return None
    if not isinstance(wanted, list) or not all(isinstance(x, str) and x for x in wanted):
        raise ApiError(422, "Validation Failed: labels must be a list of names")
    return list(dict.fromkeys(wanted))


def open_issue(
    state: State, repo: Repo, user: User, title: str, body: str, labels: list[str]
) -> Issue:
    """A new issue by `user`, numbered after the last issue or pull request."""
    now = time.time()
    issue = Issue(state.next_number(repo), state.next_id(), title, body, user, now, now)
    with state.lock:
        repo.issues[issue.number] = issue
        if labels:
            repo.labels[issue.number] = labels
    return issue


@router.post("/repos/{owner}/{name}/issues", status_code=201)
def create_issue(
    request: Request, state: EmulatorState, owner: str, name: str, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    title = _text(body, "title", required=True) or ""
    text = _text(body, "body", required=False) or ""
    issue = open_issue(state, repo, state.bot, title, text, _labels(body) or [])
    return shapes.issue_json(base_url(request), repo, issue, repo.labels.get(issue.number, []))


@router.get("/repos/{owner}/{name}/issues")
def list_issues(request: Request, state: EmulatorState, owner: str, name: str) -> JSONResponse:
    """GitHub's filters: `state` (open, closed, all), `labels` (all of them), `creator`;
    `sort` created or updated, `direction`; pull requests are listed too."""
    repo = visible_repo(request, state, owner, name)
    wanted = request.query_params.get("state", "open")
    if wanted not in (*_STATES, "all"):
        raise ApiError(422, "Validation Failed: state must be open, closed or all")
    labels = [x for x in request.query_params.get("labels", "").split(",") if x]
    creator = request.query_params.get("creator")
    every: list[Issue | Pull] = [*repo.issues.values(), *repo.pulls.values()]
    chosen = [
        i
        for i in every
        if (wanted == "all" or i.state == wanted)
        and all(label in repo.labels.get(i.number, []) for label in labels)
        and (creator is None or i.user.login.lower() == creator.lower())
    ]
    key = "updated_at" if request.query_params.get("sort") == "updated" else "created_at"
    descending = request.query_params.get("direction", "desc") == "desc"
    chosen.sort(key=lambda i: (getattr(i, key), i.number), reverse=descending)
    base = base_url(request)
    listed = [shapes.issue_json(base, repo, i, repo.labels.get(i.number, [])) for i in chosen]
    items, headers = page(request, listed)
    return JSONResponse(items, headers=headers)


@router.get("/repos/{owner}/{name}/issues/{number}")
def get_issue(request: Request, state: EmulatorState, owner: str, name: str, number: int) -> Json:
    repo = visible_repo(request, state, owner, name)
    issue = existing_issue(repo, number)
    return shapes.issue_json(base_url(request), repo, issue, repo.labels.get(number, []))


@router.patch("/repos/{owner}/{name}/issues/{number}")
def update_issue(
    request: Request, state: EmulatorState, owner: str, name: str, number: int, body: JsonBody
) -> Json:
    """Title, body, state (with `state_reason`) and labels (replaced) of a plain issue."""
    repo = visible_repo(request, state, owner, name)
    issue = existing_issue(repo, number)
    if isinstance(issue, Pull):
        raise ApiError(422, "Validation Failed: edit pull requests through /pulls")
    title = _text(body, "title", required=True) if "title" in body else None
    text = _text(body, "body", required=False) if "body" in body else None
    wanted = body.get("state")
    if wanted is not None and wanted not in _STATES:
        raise ApiError(422, "Validation Failed: state must be open or closed")
    reason = body.get("state_reason")
    if reason is not None and reason not in _REASONS:
        raise ApiError(422, "Validation Failed: state_reason is not known")
    labels = _labels(body)
    with state.lock:
        if title is not None:
            issue.title = title
        if "body" in body:
            issue.body = text or ""
        if wanted == "closed" and issue.state == "open":
            issue.state, issue.closed_at = "closed", time.time()
            issue.state_reason = str(reason or "completed")
        elif wanted == "open" and issue.state == "closed":
            issue.state, issue.closed_at, issue.state_reason = "open", None, "reopened"
        if labels is not None:
            repo.labels[number] = labels
        issue.updated_at = time.time()
    return shapes.issue_json(base_url(request), repo, issue, repo.labels.get(number, []))


@router.get("/repos/{owner}/{name}/issues/{number}/comments")
def list_comments(
    request: Request, state: EmulatorState, owner: str, name: str, number: int
) -> JSONResponse:
    repo = visible_repo(request, state, owner, name)
    existing_issue(repo, number)
    base = base_url(request)
    listed = [
        shapes.comment_json(base, repo, c) for c in repo.comments.values() if c.number == number
    ]
    chosen, headers = page(request, listed)
    return JSONResponse(chosen, headers=headers)


@router.post("/repos/{owner}/{name}/issues/{number}/comments", status_code=201)
def create_comment(
    request: Request, state: EmulatorState, owner: str, name: str, number: int, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    issue = existing_issue(repo, number)
    text = _text(body, "body", required=True) or ""
    comment = Comment(state.next_id(), number, text, state.bot, time.time())
    with state.lock:
        repo.comments[comment.id] = comment
        issue.updated_at = comment.created_at
    return shapes.comment_json(base_url(request), repo, comment)


@router.get("/repos/{owner}/{name}/issues/{number}/labels")
def list_labels(
    request: Request, state: EmulatorState, owner: str, name: str, number: int
) -> list[Json]:
    repo = visible_repo(request, state, owner, name)
    existing_issue(repo, number)
    base = base_url(request)
    return [shapes.label_json(base, repo, n) for n in repo.labels.get(number, [])]


@router.post("/repos/{owner}/{name}/issues/{number}/labels")
def add_labels(
    request: Request, state: EmulatorState, owner: str, name: str, number: int, body: JsonBody
) -> list[Json]:
    repo = visible_repo(request, state, owner, name)
    existing_issue(repo, number)
    wanted = body.get("labels")
    if not isinstance(wanted, list) or not all(isinstance(x, str) for x in wanted):
        raise ApiError(422, "Validation Failed: labels must be a list of names")
    with state.lock:
        current = repo.labels.setdefault(number, [])
        current.extend(label for label in wanted if label not in current)
    base = base_url(request)
    return [shapes.label_json(base, repo, n) for n in repo.labels[number]]


@router.post("/repos/{owner}/{name}/issues/comments/{comment_id}/reactions", status_code=201)
def react(
    request: Request, state: EmulatorState, owner: str, name: str, comment_id: int, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    comment = repo.comments.get(comment_id)
    if comment is None:
        raise ApiError(404, "Not Found")
    content = str(body.get("content", ""))
    if content not in shapes.REACTIONS:
        raise ApiError(422, "Validation Failed: content is not a reaction")
    reaction = Reaction(state.next_id(), content, state.bot, time.time())
    with state.lock:
        comment.reactions.append(reaction)
    return shapes.reaction_json(base_url(request), reaction)


@router.get("/repos/{owner}/{name}/issues/comments/{comment_id}/reactions")
def reactions(
    request: Request, state: EmulatorState, owner: str, name: str, comment_id: int
) -> list[Json]:
    repo = visible_repo(request, state, owner, name)
    comment = repo.comments.get(comment_id)
    if comment is None:
        raise ApiError(404, "Not Found")
    base = base_url(request)
    return [shapes.reaction_json(base, r) for r in comment.reactions]
