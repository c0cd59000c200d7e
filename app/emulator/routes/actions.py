"""GitHub Actions: workflow runs (list with filters, get, attempts), their artifacts, and the
artifact download, which answers 302 to a short-lived signed URL on the emulator's blob route
(as GitHub redirects to its blob storage). The blob route refuses an expired signature, and a
request that also carries an `Authorization` header (blob storage refuses two credentials)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from app.emulator import shapes
from app.emulator.rest import ApiError, EmulatorState, Json, base_url, page, visible_repo
from app.emulator.state import Artifact, Repo, WorkflowRun

router = APIRouter()

_STATUSES = {"completed", "in_progress", "queued", "requested", "waiting", "pending"}


def _run(repo: Repo, run_id: int) -> WorkflowRun:
    run = repo.workflow_runs.get(run_id)
    if run is None:
        raise ApiError(404, "Not Found")
    return run


def _artifact(repo: Repo, artifact_id: int) -> Artifact:
    artifact = repo.artifacts.get(artifact_id)
    if artifact is None:
        raise ApiError(404, "Not Found")
    return artifact


@router.get("/repos/{owner}/{name}/actions/runs")
def list_runs(request: Request, state: EmulatorState, owner: str, name: str) -> JSONResponse:
    """Newest first; `head_sha`, `status` (a status or a conclusion), `event`, `branch`."""
    repo = visible_repo(request, state, owner, name)
    query = request.query_params
    runs = sorted(repo.workflow_runs.values(), key=lambda r: r.id, reverse=True)
    if "head_sha" in query:
        runs = [r for r in runs if r.head_sha == query["head_sha"]]
    if "event" in query:
        runs = [r for r in runs if r.event == query["event"]]
    if "branch" in query:
        runs = [r for r in runs if r.head_branch == query["branch"]]
    if "status" in query:
        wanted = query["status"]
        field = "status" if wanted in _STATUSES else "conclusion"
        runs = [r for r in runs if getattr(r.latest, field) == wanted]
    base = base_url(request)
    listed = [shapes.workflow_run_json(base, repo, r) for r in runs]
    chosen, headers = page(request, listed)
    return JSONResponse({"total_count": len(listed), "workflow_runs": chosen}, headers=headers)


@router.get("/repos/{owner}/{name}/actions/runs/{run_id}")
def get_run(request: Request, state: EmulatorState, owner: str, name: str, run_id: int) -> Json:
    repo = visible_repo(request, state, owner, name)
    return shapes.workflow_run_json(base_url(request), repo, _run(repo, run_id))


@router.get("/repos/{owner}/{name}/actions/runs/{run_id}/attempts/{attempt}")
def get_attempt(
    request: Request, state: EmulatorState, owner: str, name: str, run_id: int, attempt: int
) -> Json:
    repo = visible_repo(request, state, owner, name)
    run = _run(repo, run_id)
    if not 1 <= attempt <= len(run.attempts):
        raise ApiError(404, "Not Found")
    return shapes.workflow_run_json(base_url(request), repo, run, attempt)


@router.get("/repos/{owner}/{name}/actions/runs/{run_id}/artifacts")
def run_artifacts(
    request: Request, state: EmulatorState, owner: str, name: str, run_id: int
) -> JSONResponse:
    """Every attempt's artifacts, newest first; `name` filters by exact name."""
    repo = visible_repo(request, state, owner, name)
    run = _run(repo, run_id)
    wanted = request.query_params.get("name")
    artifacts = [repo.artifacts[i] for i in reversed(run.artifact_ids) if i in repo.artifacts]
    artifacts = [a for a in artifacts if wanted in (None, a.name)]
    base = base_url(request)
    listed = [shapes.artifact_json(base, repo, a, run) for a in artifacts]
    chosen, headers = page(request, listed)
    return JSONResponse({"total_count": len(listed), "artifacts": chosen}, headers=headers)


@router.get("/repos/{owner}/{name}/actions/artifacts/{artifact_id}")
def get_artifact(
    request: Request, state: EmulatorState, owner: str, name: str, artifact_id: int
) -> Json:
    repo = visible_repo(request, state, owner, name)
    artifact = _artifact(repo, artifact_id)
    run = _run(repo, artifact.run_id)
    return shapes.artifact_json(base_url(request), repo, artifact, run)


@router.get("/repos/{owner}/{name}/actions/artifacts/{artifact_id}/{archive_format}")
def download_artifact(
    request: Request,
    state: EmulatorState,
    owner: str,
    name: str,
    artifact_id: int,
    archive_format: str,
) -> Response:
    """302 to a signed URL valid for `State.download_ttl` seconds; 410 for an expired one."""
    repo = visible_repo(request, state, owner, name)
    if archive_format != "zip":
        raise ApiError(404, "Not Found")
    artifact = _artifact(repo, artifact_id)
    if artifact.expired:
        raise ApiError(410, "Artifact has expired")
    key = state.sign_download(repo, artifact)
    return RedirectResponse(f"{base_url(request)}/_blobs/artifacts/{key}", status_code=302)


@router.get("/_blobs/artifacts/{key}")
def blob(request: Request, state: EmulatorState, key: str) -> Response:
    if "authorization" in request.headers:
        return Response(
            "<Error><Code>InvalidAuthenticationInfo</Code><Message>Only one authentication "
            "mechanism is allowed</Message></Error>",
            status_code=400,
            media_type="application/xml",
        )
    data = state.signed_download(key)
    if data is None:
        return Response(
            "<Error><Code>AuthenticationFailed</Code><Message>Signed expiry time has "
            "passed</Message></Error>",
            status_code=403,
            media_type="application/xml",
        )
    return Response(data, media_type="application/zip")
