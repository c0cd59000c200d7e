"""Issues' side of a pull request: comments, labels and reactions to comments."""

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
from app.emulator.state import Comment, Reaction

router = APIRouter()


@router.get("/repos/{owner}/{name}/issues/{number}/comments")
def list_comments(
    request: Request, state: EmulatorState, owner: str, name: str, number: int
) -> JSONResponse:
    repo = visible_repo(request, state, owner, name)
    existing_pull(repo, number)
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
    existing_pull(repo, number)
    if not isinstance(body.get("body"), str) or not body["body"]:
        raise ApiError(422, "Validation Failed: body is missing")
    comment = Comment(state.next_id(), number, body["body"], state.bot, time.time())
    with state.lock:
        repo.comments[comment.id] = comment
    return shapes.comment_json(base_url(request), repo, comment)


@router.get("/repos/{owner}/{name}/issues/{number}/labels")
def list_labels(
    request: Request, state: EmulatorState, owner: str, name: str, number: int
) -> list[Json]:
    repo = visible_repo(request, state, owner, name)
    existing_pull(repo, number)
    base = base_url(request)
    return [shapes.label_json(base, repo, n) for n in repo.labels.get(number, [])]


@router.post("/repos/{owner}/{name}/issues/{number}/labels")
def add_labels(
    request: Request, state: EmulatorState, owner: str, name: str, number: int, body: JsonBody
) -> list[Json]:
    repo = visible_repo(request, state, owner, name)
    existing_pull(repo, number)
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
