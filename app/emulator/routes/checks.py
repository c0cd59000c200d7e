"""Check runs: create, update, get, and list for a ref (filtered by name)."""

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
    page,
    visible_repo,
)
from app.emulator.state import CheckRun

router = APIRouter()


@router.post("/repos/{owner}/{name}/check-runs", status_code=201)
def create_check_run(
    request: Request, state: EmulatorState, owner: str, name: str, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    head_sha = str(body.get("head_sha", ""))
    if not body.get("name") or repo.git.resolve(head_sha) != head_sha:
        raise ApiError(422, "Validation Failed: name and an existing head_sha are required")
    now = time.time()
    run = CheckRun(
        id=state.next_id(),
        name=str(body["name"]),
        head_sha=head_sha,
        status=str(body.get("status") or ("completed" if body.get("conclusion") else "queued")),
        conclusion=body.get("conclusion"),
        output=dict(body.get("output") or {}),
        started_at=now,
        completed_at=now if body.get("conclusion") else None,
    )
    with state.lock:
        repo.check_runs[run.id] = run
    return shapes.check_run_json(base_url(request), state, repo, run)


@router.patch("/repos/{owner}/{name}/check-runs/{run_id}")
def update_check_run(
    request: Request, state: EmulatorState, owner: str, name: str, run_id: int, body: JsonBody
) -> Json:
    repo = visible_repo(request, state, owner, name)
    run = repo.check_runs.get(run_id)
    if run is None:
        raise ApiError(404, "Not Found")
    with state.lock:
        if "status" in body:
            run.status = str(body["status"])
        if body.get("conclusion"):
            run.conclusion, run.status = str(body["conclusion"]), "completed"
            run.completed_at = time.time()
        if isinstance(body.get("output"), dict):
            run.output.update(body["output"])
    return shapes.check_run_json(base_url(request), state, repo, run)


@router.get("/repos/{owner}/{name}/check-runs/{run_id}")
def get_check_run(
    request: Request, state: EmulatorState, owner: str, name: str, run_id: int
) -> Json:
    repo = visible_repo(request, state, owner, name)
    run = repo.check_runs.get(run_id)
    if run is None:
        raise ApiError(404, "Not Found")
    return shapes.check_run_json(base_url(request), state, repo, run)


@router.get("/repos/{owner}/{name}/commits/{ref}/check-runs")
def list_check_runs(
    request: Request, state: EmulatorState, owner: str, name: str, ref: str
) -> JSONResponse:
    repo = visible_repo(request, state, owner, name)
    sha = repo.git.resolve(ref)
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    wanted = request.query_params.get("check_name")
    runs = [r for r in repo.check_runs.values() if r.head_sha == sha and wanted in (None, r.name)]
    base = base_url(request)
    listed = [shapes.check_run_json(base, state, repo, r) for r in reversed(runs)]
    chosen, headers = page(request, listed)
    return JSONResponse({"total_count": len(listed), "check_runs": chosen}, headers=headers)
