"""`pull_request` closed or merged on one of the bot's PRs: remember the outcome."""

from __future__ import annotations

from app.events.context import EventContext
from app.events.payload import integer, mapping, text
from app.events.repos import known_repository
from app.events.router import Event, Router

router: Router[EventContext] = Router()


def is_bot_branch(context: EventContext, branch: str | None) -> bool:
    return branch is not None and branch.startswith(context.branch_prefix)


@router.register("pull_request", "closed")
def closed(event: Event, context: EventContext) -> None:
    pull = mapping(event.payload.get("pull_request"))
    number = integer(pull.get("number")) or integer(event.payload.get("number"))
    if number is None or not is_bot_branch(context, text(mapping(pull.get("head")).get("ref"))):
        return
    stored = known_repository(event, context)
    if stored is not None:
        context.store.record_pr_outcome(stored.id, number, merged=bool(pull.get("merged")))
