"""Merge when green: CI finished on a bot PR whose merge a maintainer requested
(`/maintainer merge`); merge it when every check passed, or say why not."""

from __future__ import annotations

from app import ci
from app.commands import Permission, Situation
from app.commands.merging import Verdict, merge_check
from app.config import RepoConfig
from app.events.context import EventContext, IssueHandle
from app.events.payload import mapping, text
from app.events.repos import known_repository
from app.events.router import Event, Router
from app.events.situation_from_github import pull_situation_of
from app.github import pull_workflow as github
from app.store import ProposalStatus, Store
from app.templates import render

router: Router[EventContext] = Router()


@router.register("check_suite", "completed")
@router.register("check_run", "completed")
def ci_completed(event: Event, context: EventContext) -> None:
    item = mapping(event.payload.get(event.name))
    head_sha, name = text(item.get("head_sha")), text(item.get("name")) or ""
    if head_sha is None or ci.is_own_check(name) or context.github is None:
        return
    installation_id = event.installation_id
    stored = known_repository(event, context)
    if stored is None or installation_id is None:
        return
    pr_records = context.store
    for proposal in context.store.proposals(stored.id, [ProposalStatus.OPEN]):
        request = pr_records.merge_request(proposal.id)
        if request is None or proposal.pr_number is None:
            continue
        target = IssueHandle(
            context.github(installation_id), context, stored, installation_id, proposal.pr_number
        )
        _merge_if_green(target, pr_records, request.requested_by, head_sha)


def _merge_if_green(
    target: IssueHandle, pr_records: Store, requested_by: str, head_sha: str
) -> None:
    pull = target.gh.pull(target.repo, target.number)
    if pull.head_sha != head_sha or not pull.open:
        return
    config = target.context.store.last_valid_config(target.repository.id) or RepoConfig()
    base = Situation(
        requested_by,
        Permission.WRITE,
        target.context.app_slug,
        target.number,
        True,
        True,
        merge=config.merge,
    )
    situation = pull_situation_of(target, pr_records, base, pull)
    check = merge_check(situation)
    if check.verdict is Verdict.WAIT:
        return
    proposal = target.recorded_proposal()
    if check.verdict is Verdict.REFUSE:
        pr_records.cancel_merge(proposal.id)
        body = render(
            "commands/merge_stopped.md.j2", reason=check.reason, requested_by=requested_by
        )
        target.reply([body])
        return
    merge_pull(target, pr_records, situation)
    target.reply([render("commands/merged.md.j2", reason=check.reason, requested_by=requested_by)])


def merge_pull(target: IssueHandle, pr_records: Store, situation: Situation) -> None:
    pull = target.gh.pull(target.repo, target.number)
    if pull.draft:
        github.mark_ready(target.gh, target.repo, target.number)
    github.merge(
        target.gh, target.repo, target.number, sha=pull.head_sha, method=situation.merge.method
    )
    proposal = target.recorded_proposal()
    pr_records.merged_by_bot(proposal.id)
    pr_records.cancel_merge(proposal.id)
    pr_records.record_human_commits(proposal.id, len(situation.human_commits))
    target.context.store.record_pr_outcome(target.repository.id, target.number, merged=True)
