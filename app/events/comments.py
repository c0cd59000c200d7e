"""Comment commands (`issue_comment.created`), at the edge: read the comment, gather the
`Situation`, perform what `app.commands.decide` decided, and answer.

Documented behaviour (README, "Commands on pull requests"):
- Bots' comments (ours included) are never read. Edited and deleted comments run nothing:
  commands run once, when the comment is created; a redelivered or retried delivery of the
  same comment runs nothing again.
- 👀 on receipt, then 👍 when every command in the comment was done, else 😕 with a reply
  saying why. All replies to one comment are posted as one comment.
- Without a GitHub connection (`EventContext.github`), only `help` is answered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from app.commands import (
    Command,
    Decision,
    Parsed,
    Permission,
    Reaction,
    Situation,
    Verb,
    decide,
    parse_comment,
)
from app.commands.actions import (
    CancelMerge,
    ClosePull,
    Enqueue,
    MergeNow,
    RefreshReport,
    RemoveIgnores,
    ReopenPull,
    Reply,
    RequestMerge,
    RunStep,
    StoreIgnore,
)
from app.events.context import ActionFailed, EventContext, IssueHandle
from app.events.merge_when_green import merge_pull
from app.events.payload import integer, mapping, text
from app.events.repos import known_repository
from app.events.router import Event, Router
from app.events.situation_from_github import situation_of
from app.github import GitHubError
from app.github import pull_workflow as github
from app.store import JobKind, Store
from app.templates import render

log = logging.getLogger(__name__)
router: Router[EventContext] = Router()


@router.register("issue_comment", "created")
def comment_created(event: Event, context: EventContext) -> None:
    comment = mapping(event.payload.get("comment"))
    user = mapping(comment.get("user"))
    login = text(user.get("login")) or ""
    if text(user.get("type")) == "Bot" or login.endswith("[bot]") or login == context.bot_login:
        return  # never answer bots, ourselves included
    parsed = parse_comment(text(comment.get("body")) or "", context.app_slug)
    issue = mapping(event.payload.get("issue"))
    number, comment_id = integer(issue.get("number")), integer(comment.get("id"))
    installation_id = event.installation_id
    if not parsed or number is None or comment_id is None or installation_id is None:
        return
    if context.github is None:
        _help_only(event, context, parsed, installation_id, number)
        return
    stored = known_repository(event, context)
    if stored is None:
        return
    target = IssueHandle(context.github(installation_id), context, stored, installation_id, number)
    pr_records = context.store
    if not pr_records.claim_comment(comment_id, stored.id, number, login):
        log.info("comment %s on %s#%s was handled before", comment_id, stored.full_name, number)
        return
    try:
        target.gh.react(target.repo, comment_id, Reaction.SEEN)
        situation = situation_of(target, pr_records, issue, login, _needs_permission(parsed))
    except GitHubError as exc:
        if exc.retryable and context.will_retry(exc):
            pr_records.release_comment(comment_id)
            raise  # the delivery job runs again and the comment is read again
        # Refused for good, or the last attempt: the comment was read, so it gets an answer.
        gave_up = exc.retryable
        reply = render(
            "commands/failed.md.j2", actor=login, verb="command", reason=exc, gave_up=gave_up
        )
        target.reply([reply])
        target.gh.react(target.repo, comment_id, Reaction.REFUSED)
        if gave_up:
            raise  # the job is recorded as failed, with GitHub's error
        return
    decisions = [(p, decide(p, situation)) for p in parsed]
    ok = _run_all(target, pr_records, situation, decisions, comment_id)
    target.gh.react(target.repo, comment_id, Reaction.DONE if ok else Reaction.REFUSED)


def _help_only(
    event: Event, context: EventContext, parsed: Sequence[Parsed], installation_id: int, number: int
) -> None:
    repo = text(mapping(event.repository).get("full_name"))
    situation = Situation("", Permission.NONE, context.app_slug, number, False, False)
    for item in parsed:
        if isinstance(item, Command) and item.verb is not Verb.HELP:
            continue
        decision = decide(item, situation)
        bodies = [a.body for a in decision.actions if isinstance(a, Reply)]
        if repo is not None and bodies:
            context.replies.comment(installation_id, repo, number, "\n\n".join(bodies))


def _needs_permission(parsed: Iterable[object]) -> bool:
    return any(isinstance(p, Command) and p.verb is not Verb.HELP for p in parsed)


def _run_all(
    target: IssueHandle,
    pr_records: Store,
    situation: Situation,
    decisions: Sequence[tuple[Parsed, Decision]],
    comment_id: int,
) -> bool:
    bodies: list[str] = []
    ok = True
    for parsed, decision in decisions:
        try:
            bodies.extend(_perform(target, pr_records, situation, decision, comment_id))
            ok = ok and decision.ok
        except (ActionFailed, GitHubError) as exc:
            verb = parsed.verb.value if isinstance(parsed, Command) else "command"
            log.warning("command on %s#%s failed: %s", target.repo, target.number, exc)
            bodies.append(
                render("commands/failed.md.j2", actor=situation.actor, verb=verb, reason=exc)
            )
            ok = False
    target.reply(bodies)
    return ok


def _perform(
    target: IssueHandle,
    pr_records: Store,
    situation: Situation,
    decision: Decision,
    comment_id: int,
) -> list[str]:
    bodies: list[str] = []
    store, repo_id = target.context.store, target.repository.id
    for action in decision.actions:
        if isinstance(action, Reply):
            bodies.append(action.body)
        elif isinstance(action, ClosePull):
            github.set_state(target.gh, target.repo, target.number, "closed")
            store.record_pr_outcome(repo_id, target.number, merged=False)
        elif isinstance(action, ReopenPull):
            github.set_state(target.gh, target.repo, target.number, "open")
            pr_records.reopen(target.recorded_proposal().id)
        elif isinstance(action, StoreIgnore):
            store.add_ignore(
                repo_id,
                action.package,
                versions=action.versions,
                reason=action.reason,
                created_by=situation.actor,
                pr_number=target.number if situation.on_pull else None,
            )
        elif isinstance(action, RemoveIgnores):
            store.remove_ignore(repo_id, action.package)
        elif isinstance(action, RefreshReport):
            reason = f"command report by {situation.actor}"
            target.context.jobs.enqueue(JobKind.REPORT, target.repo, {"reason": reason})
        elif isinstance(action, RunStep):
            # The incident job runs it (it has the checkout a rollback needs) and records it
            # with the comment's id, so neither a redelivery nor a retry runs it twice. Queued
            # under the repository, so it holds the repository's lock (the shared clone).
            args = {
                "incident": action.incident,
                "run": action.step,
                "actor": situation.actor,
                "comment": comment_id,
            }
            target.context.jobs.enqueue(JobKind.INCIDENT, target.repo, args)
        elif isinstance(action, Enqueue):
            target.context.jobs.enqueue(JobKind.SCAN, target.repo, _job_args(action, situation))
        elif isinstance(action, RequestMerge):
            pr_records.request_merge(target.recorded_proposal().id, situation.actor)
        elif isinstance(action, CancelMerge):
            pr_records.cancel_merge(target.recorded_proposal().id)
        elif isinstance(action, MergeNow):
            merge_pull(target, pr_records, situation)
    return bodies


def _job_args(action: Enqueue, situation: Situation) -> dict[str, Any]:
    args: dict[str, Any] = {"reason": f"command {action.rescan.value} by {situation.actor}"}
    if action.rescan.value in ("rebase", "recreate") and situation.branch:
        args[action.rescan.value] = [situation.branch]
        args["pull"] = situation.number  # where to say so if the job gives up
    return args
