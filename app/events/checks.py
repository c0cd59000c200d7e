"""`check_suite` / `check_run` completed on a bot PR head: record CI, refresh the PR's risk."""

from __future__ import annotations

from app import ci
from app.events.context import EventContext
from app.events.payload import mapping, text
from app.events.repos import known_repository
from app.events.router import Event, Router
from app.proposals import is_bot_branch
from app.store import JobKind

router: Router[EventContext] = Router()


def _record(event: Event, context: EventContext, head_sha: str, result: str, worsen: bool) -> None:
    """Store `result` for the proposals at `head_sha`; with `worsen`, never improve on it.

    A suite's conclusion is authoritative (a re-run can turn it green); a single run only
    adds its failure to what is known."""
    stored = known_repository(event, context)
    if stored is None:
        return
    previous = [p for p in context.store.proposals(stored.id) if p.head_sha == head_sha]
    if not previous:
        return
    before = previous[0].ci_result if previous[0].ci_sha == head_sha else None
    combined = ci.combine(before, result) if worsen else result
    if combined == before:
        return
    for proposal in context.store.record_ci_result(stored.id, head_sha, combined):
        context.jobs.enqueue(JobKind.REFRESH, stored.full_name, {"proposal_id": proposal.id})


@router.register("check_suite", "completed")
def suite_completed(event: Event, context: EventContext) -> None:
    suite = mapping(event.payload.get("check_suite"))
    head_sha, conclusion = text(suite.get("head_sha")), text(suite.get("conclusion"))
    if head_sha and conclusion and is_bot_branch(text(suite.get("head_branch"))):
        _record(event, context, head_sha, conclusion, worsen=False)


@router.register("check_run", "completed")
def run_completed(event: Event, context: EventContext) -> None:
    run = mapping(event.payload.get("check_run"))
    if ci.is_own_check(text(run.get("name"))):
        return
    head_sha, conclusion = text(run.get("head_sha")), text(run.get("conclusion"))
    branch = text(mapping(run.get("check_suite")).get("head_branch"))
    if head_sha and conclusion and is_bot_branch(branch):
        _record(event, context, head_sha, conclusion, worsen=True)
