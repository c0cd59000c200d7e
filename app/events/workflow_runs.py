"""`workflow_run` completed (every attempt, re-runs included): collect the run's test results
from its artifacts in a job (the delivery is acknowledged at once; the download is slow)."""

from __future__ import annotations

from app.events.context import EventContext
from app.events.payload import integer, mapping, text
from app.events.repos import known_repository, workable
from app.events.router import Event, Router
from app.store import JobKind

router: Router[EventContext] = Router()


@router.register("workflow_run", "completed")
def run_completed(event: Event, context: EventContext) -> None:
    run = mapping(event.payload.get("workflow_run"))
    run_id, head_sha = integer(run.get("id")), text(run.get("head_sha"))
    if run_id is None or not head_sha:
        return
    stored = known_repository(event, context)
    if not workable(stored) or stored is None:
        return
    workflow = mapping(event.payload.get("workflow"))
    args = {
        "run_id": run_id,
        "attempt": integer(run.get("run_attempt")) or 1,
        "workflow": text(run.get("name")) or text(workflow.get("name")) or "",
        "head_sha": head_sha,
        "head_branch": text(run.get("head_branch")),
        "event": text(run.get("event")),
        "conclusion": text(run.get("conclusion")),
        "started_at": text(run.get("run_started_at")) or text(run.get("created_at")),
    }
    context.jobs.enqueue(JobKind.CI_RUN, stored.full_name, args)
