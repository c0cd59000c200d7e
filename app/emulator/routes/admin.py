"""The admin API under `/_emulator` (loopback, no auth): seed repositories and installations,
act as a person (comments, reviews, branch protection), inject faults, expire tokens, read the
request log."""

from __future__ import annotations

import base64
import binascii
import time
from pathlib import Path

from fastapi import APIRouter, Request, Response

from app.emulator import shapes
from app.emulator.rest import ApiError, EmulatorState, Json, JsonBody, base_url
from app.emulator.routes.issues import open_issue
from app.emulator.state import Comment, Fault, Review

router = APIRouter(prefix="/_emulator")


@router.post("/repos", status_code=201)
def seed(request: Request, state: EmulatorState, body: JsonBody) -> Json:
    tree = Path(body["tree"]) if body.get("tree") else None
    try:
        repo = state.create_repo(
            str(body["owner"]), str(body["name"]), tree, str(body.get("default_branch", "main"))
        )
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None
    return shapes.repo_json(base_url(request), repo)


@router.get("/repos/{owner}/{name}")
def repo_admin(request: Request, state: EmulatorState, owner: str, name: str) -> Json:
    repo = state.repo(f"{owner}/{name}")
    if repo is None:
        raise ApiError(404, "Not Found")
    data = shapes.repo_json(base_url(request), repo)
    data["path"] = str(repo.git.path)
    data["head"] = repo.git.branch_sha(repo.default_branch)
    return data


@router.get("/repos/{owner}/{name}/pushed")
def pushed(request: Request, state: EmulatorState, owner: str, name: str) -> list[Json]:
    """The commits of a push from `before` to `after`, as a push payload lists them."""
    repo = state.repo(f"{owner}/{name}")
    after = request.query_params.get("after", "")
    if repo is None or repo.git.resolve(after) is None:
        raise ApiError(404, "Not Found")
    before = request.query_params.get("before", "")
    known = repo.git.resolve(before) if before.strip("0") else None
    commits = repo.git.commits_between(known, after) if known else repo.git.log_from(after)[::-1]
    base = base_url(request)
    return [shapes.push_commit_json(base, repo, c) for c in commits]


@router.post("/repos/{owner}/{name}/issues/{number}/comments", status_code=201)
def human_comment(
    request: Request, state: EmulatorState, owner: str, name: str, number: int, body: JsonBody
) -> Json:
    """A comment by a person (`user`), as if typed on GitHub; send its webhook yourself."""
    repo = state.repo(f"{owner}/{name}")
    if repo is None or (number not in repo.pulls and number not in repo.issues):
        raise ApiError(404, "Not Found")
    author = state.user(str(body.get("user", repo.owner.login)))
    comment = Comment(state.next_id(), number, str(body.get("body", "")), author, time.time())
    with state.lock:
        repo.comments[comment.id] = comment
    return shapes.comment_json(base_url(request), repo, comment)


@router.post("/repos/{owner}/{name}/issues", status_code=201)
def human_issue(
    request: Request, state: EmulatorState, owner: str, name: str, body: JsonBody
) -> Json:
    """An issue opened by a person (`user`, `title`, `body`, `labels`), as if typed on GitHub."""
    repo = state.repo(f"{owner}/{name}")
    if repo is None:
        raise ApiError(404, "Not Found")
    author = state.user(str(body.get("user", repo.owner.login)))
    labels = [str(x) for x in body.get("labels", [])]
    issue = open_issue(
        state, repo, author, str(body.get("title") or "An issue"), str(body.get("body", "")), labels
    )
    return shapes.issue_json(base_url(request), repo, issue, labels)


@router.post("/installations", status_code=201)
def install(request: Request, state: EmulatorState, body: JsonBody) -> Json:
    installation = state.install(
        int(body["id"]), str(body["account"]), [str(r) for r in body.get("repositories", [])]
    )
    return shapes.installation_json(base_url(request), state, installation)


@router.post("/faults", status_code=201)
def add_fault(state: EmulatorState, body: JsonBody) -> Json:
    kind = str(body.get("kind", "error"))
    status = {"rate_limit": 429, "secondary": 403}.get(kind, int(body.get("status", 500)))
    fault = Fault(
        path=str(body["path"]),
        status=status,
        remaining=int(body.get("count", 1)),
        method=body.get("method"),
        retry_after=body.get("retry_after"),
        kind=kind,
        seconds=float(body.get("seconds", 0)),
    )
    with state.lock:
        state.faults.append(fault)
    return {"path": fault.path, "status": fault.status, "count": fault.remaining}


@router.delete("/faults", status_code=204)
def clear_faults(state: EmulatorState) -> Response:
    with state.lock:
        state.faults.clear()
    return Response(status_code=204)


@router.post("/tokens/expire")
def expire_tokens(state: EmulatorState) -> Json:
    return {"expired": state.expire_tokens()}


@router.get("/tokens")
def tokens(state: EmulatorState) -> list[str]:
    """Every token issued so far: tests look for them where they must never appear."""
    with state.lock:
        return list(state.tokens)


@router.post("/settings")
def settings(state: EmulatorState, body: JsonBody) -> Json:
    if "token_ttl" in body:
        state.token_ttl = float(body["token_ttl"])
    if "download_ttl" in body:
        state.download_ttl = float(body["download_ttl"])
    return {"token_ttl": state.token_ttl, "download_ttl": state.download_ttl}


@router.get("/requests")
def requests_log(state: EmulatorState) -> list[Json]:
    with state.lock:
        return [{"method": r.method, "path": r.path, "status": r.status} for r in state.requests]


@router.post("/repos/{owner}/{name}/pulls/{number}/reviews", status_code=201)
def human_review(
    request: Request, state: EmulatorState, owner: str, name: str, number: int, body: JsonBody
) -> Json:
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
    with state.lock:
        repo.reviews.setdefault(number, []).append(review)
    return shapes.review_json(base_url(request), review)


@router.put("/repos/{owner}/{name}/branches/{branch}/protection")
def protect(state: EmulatorState, owner: str, name: str, branch: str, body: JsonBody) -> Json:
    """Require these check names (`contexts`) on pull requests into `branch`."""
    repo = state.repo(f"{owner}/{name}")
    if repo is None:
        raise ApiError(404, "Not Found")
    contexts = [str(c) for c in body.get("contexts", [])]
    with state.lock:
        repo.required_checks[branch] = contexts
    return {"contexts": contexts}


@router.post("/repos/{owner}/{name}/actions/runs", status_code=201)
def workflow_run(
    request: Request, state: EmulatorState, owner: str, name: str, body: JsonBody
) -> Json:
    """A workflow run that happened (`name`, `head_sha` default the default branch's head,
    `conclusion`, `event`, `artifacts`: {name: base64 zip}); with `run_id`, a re-run attempt
    of that run. Send its `workflow_run` webhook yourself."""
    repo = state.repo(f"{owner}/{name}")
    if repo is None:
        raise ApiError(404, "Not Found")
    head_sha = str(body.get("head_sha") or repo.git.branch_sha(repo.default_branch) or "")
    if repo.git.resolve(head_sha) != head_sha:
        raise ApiError(422, "Validation Failed: head_sha is not a commit of the repository")
    try:
        artifacts = {
            str(k): base64.b64decode(str(v), validate=True)
            for k, v in dict(body.get("artifacts") or {}).items()
        }
    except (binascii.Error, ValueError):
        raise ApiError(422, "Validation Failed: artifacts must be base64") from None
    run_id = body.get("run_id")
    try:
        run = state.add_workflow_run(
            repo,
            name=str(body.get("name", "CI")),
            head_sha=head_sha,
            conclusion=body.get("conclusion", "success"),
            artifacts=artifacts,
            run_id=int(run_id) if run_id is not None else None,
            event=str(body.get("event", "push")),
            status=str(body.get("status", "completed")),
        )
    except KeyError as exc:
        raise ApiError(404, str(exc)) from None
    return shapes.workflow_run_json(base_url(request), repo, run)


@router.post("/repos/{owner}/{name}/actions/artifacts/{artifact_id}/expire")
def expire_artifact(state: EmulatorState, owner: str, name: str, artifact_id: int) -> Json:
    """The artifact's retention ran out: listed as expired, its download answers 410."""
    repo = state.repo(f"{owner}/{name}")
    artifact = repo.artifacts.get(artifact_id) if repo else None
    if artifact is None:
        raise ApiError(404, "Not Found")
    with state.lock:
        artifact.expired = True
    return {"id": artifact.id, "expired": True}
