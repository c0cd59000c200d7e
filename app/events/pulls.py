"""`pull_request` closed, merged or reopened on one of the bot's PRs: remember the outcome,
the commits others added, and that a reopened PR's version is no longer rejected."""

from __future__ import annotations

from app.composer.github import bot_for
from app.events.context import EventContext, IssueHandle
from app.events.payload import integer, mapping, text
from app.events.repos import known_repository
from app.events.router import Event, Router
from app.metrics import metrics
from app.proposals import is_bot_branch
from app.store import ProposalRecord, ProposalStatus

router: Router[EventContext] = Router()


@router.register("pull_request", "closed")
def closed(event: Event, context: EventContext) -> None:
    pull = mapping(event.payload.get("pull_request"))
    number = integer(pull.get("number")) or integer(event.payload.get("number"))
    if number is None or not is_bot_branch(text(mapping(pull.get("head")).get("ref"))):
        return
    stored = known_repository(event, context)
    if stored is not None:
        merged = bool(pull.get("merged"))
        if context.store.record_pr_outcome(stored.id, number, merged=merged) is not None:
            metrics().pull_request("merged" if merged else "closed")


@router.register("pull_request", "closed")
def bot_pull_closed(event: Event, context: EventContext) -> None:
    """Count the commits others added (merged untouched or with human edits, for `stats`)."""
    target, proposal = _bot_pull(event, context)
    if target is None or proposal is None:
        return
    bot = bot_for(target.gh, context.app_slug)
    commits = target.gh.pull_commits(target.repo, target.number)
    pr_records = context.store
    pr_records.record_human_commits(proposal.id, sum(1 for c in commits if not bot.wrote(c)))
    pr_records.cancel_merge(proposal.id)


@router.register("pull_request", "reopened")
def bot_pull_reopened(event: Event, context: EventContext) -> None:
    """Reopened: no longer a rejected version."""
    stored = known_repository(event, context)
    number = integer(mapping(event.payload.get("pull_request")).get("number"))
    if stored is None or number is None:
        return
    pr_records = context.store
    proposal = pr_records.proposal_by_number(stored.id, number)
    if proposal is not None and proposal.status is ProposalStatus.CLOSED:
        pr_records.reopen(proposal.id)


def _bot_pull(
    event: Event, context: EventContext
) -> tuple[IssueHandle | None, ProposalRecord | None]:
    pull = mapping(event.payload.get("pull_request"))
    number = integer(pull.get("number"))
    branch = text(mapping(pull.get("head")).get("ref"))
    installation_id = event.installation_id
    if number is None or installation_id is None or context.github is None:
        return None, None
    if not is_bot_branch(branch):
        return None, None
    stored = known_repository(event, context)
    if stored is None:
        return None, None
    proposal = context.store.proposal_by_number(stored.id, number)
    target = IssueHandle(context.github(installation_id), context, stored, installation_id, number)
    return target, proposal
