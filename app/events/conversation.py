"""The conversation on a PR, at the edge: comment commands (`issue_comment.created`), merge
when green (CI completed), and what a bot PR's end or reopening records.

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.commands import (
    Checks,
    Command,
    Decision,
    IgnoreView,
    Parsed,
    Permission,
    PullState,
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
    RemoveIgnores,
    ReopenPull,
    Reply,
    RequestMerge,
    StoreIgnore,
)
from app.commands.merging import Verdict, merge_check
from app.composer.github import bot_for
from app.config import RepoConfig
from app.events.checks import OWN_CHECK_PREFIX
from app.events.context import EventContext
from app.events.payload import integer, mapping, text
from app.events.pulls import is_bot_branch
from app.events.repos import known_repository
from app.events.router import Event, Router
from app.github import CheckRun, GitHub, GitHubError, Installation, PullRequest
from app.github import conversation as github
from app.store import (
    IgnoreRecord,
    JobKind,
    ProposalRecord,
    ProposalStatus,
    RepositoryRecord,
    Store,
)
from app.templates import render

log = logging.getLogger(__name__)
router: Router[EventContext] = Router()

PASSING = ("success", "neutral", "skipped")
CONFIG_FILE = ".maintainer.yml"


class ActionFailed(Exception):
    """An action could not be done; the message is the reply's reason."""


class LazyInstallations:
    """`EventContext.github` for the service: one App client, built on first use."""

    def __init__(self, connect: Callable[[], GitHub]) -> None:
        self._connect = connect
        self._github: GitHub | None = None

    def __call__(self, installation_id: int) -> Installation:
        if self._github is None:
            self._github = self._connect()
        return self._github.installation(installation_id)


@dataclass(frozen=True)
class Thread:
    """The PR or issue a comment is on, and the GitHub connection to answer there."""

    gh: Installation
    context: EventContext
    repository: RepositoryRecord
    installation_id: int
    number: int

    @property
    def repo(self) -> str:
        return self.repository.full_name

    def reply(self, bodies: Sequence[str]) -> None:
        if bodies:
            body = "\n\n---\n\n".join(b.strip() for b in bodies) + "\n"
            self.context.replies.comment(self.installation_id, self.repo, self.number, body)


# -- comments -----------------------------------------------------------------------------


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
    thread = Thread(context.github(installation_id), context, stored, installation_id, number)
    talk = context.store
    if not talk.claim_comment(comment_id, stored.id, number, login):
        log.info("comment %s on %s#%s was handled before", comment_id, stored.full_name, number)
        return
    try:
        thread.gh.react(thread.repo, comment_id, Reaction.SEEN)
        situation = _situation(thread, talk, issue, login, _needs_permission(parsed))
    except GitHubError as exc:
        if exc.retryable and context.will_retry(exc):
            talk.release_comment(comment_id)
            raise  # the delivery job runs again and the comment is read again
        # Refused for good, or the last attempt: the comment was read, so it gets an answer.
        gave_up = exc.retryable
        reply = render(
            "commands/failed.md.j2", actor=login, verb="command", reason=exc, gave_up=gave_up
        )
        thread.reply([reply])
        thread.gh.react(thread.repo, comment_id, Reaction.REFUSED)
        if gave_up:
            raise  # the job is recorded as failed, with GitHub's error
        return
    ok = _run_all(thread, talk, situation, [(p, decide(p, situation)) for p in parsed])
    thread.gh.react(thread.repo, comment_id, Reaction.DONE if ok else Reaction.REFUSED)


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
    thread: Thread,
    talk: Store,
    situation: Situation,
    decisions: Sequence[tuple[Parsed, Decision]],
) -> bool:
    bodies: list[str] = []
    ok = True
    for parsed, decision in decisions:
        try:
            bodies.extend(_perform(thread, talk, situation, decision))
            ok = ok and decision.ok
        except (ActionFailed, GitHubError) as exc:
            verb = parsed.verb.value if isinstance(parsed, Command) else "command"
            log.warning("command on %s#%s failed: %s", thread.repo, thread.number, exc)
            bodies.append(
                render("commands/failed.md.j2", actor=situation.actor, verb=verb, reason=exc)
            )
            ok = False
    thread.reply(bodies)
    return ok


def _perform(thread: Thread, talk: Store, situation: Situation, decision: Decision) -> list[str]:
    bodies: list[str] = []
    store, repo_id = thread.context.store, thread.repository.id
    for action in decision.actions:
        if isinstance(action, Reply):
            bodies.append(action.body)
        elif isinstance(action, ClosePull):
            github.set_state(thread.gh, thread.repo, thread.number, "closed")
            store.record_pr_outcome(repo_id, thread.number, merged=False)
        elif isinstance(action, ReopenPull):
            github.set_state(thread.gh, thread.repo, thread.number, "open")
            talk.reopen(_proposal(talk, thread).id)
        elif isinstance(action, StoreIgnore):
            store.add_ignore(
                repo_id,
                action.package,
                versions=action.versions,
                reason=action.reason,
                created_by=situation.actor,
                pr_number=thread.number if situation.on_pull else None,
            )
        elif isinstance(action, RemoveIgnores):
            store.remove_ignore(repo_id, action.package)
        elif isinstance(action, Enqueue):
            thread.context.jobs.enqueue(JobKind.SCAN, thread.repo, _job_args(action, situation))
        elif isinstance(action, RequestMerge):
            talk.request_merge(_proposal(talk, thread).id, situation.actor)
        elif isinstance(action, CancelMerge):
            talk.cancel_merge(_proposal(talk, thread).id)
        elif isinstance(action, MergeNow):
            _merge(thread, talk, situation)
    return bodies


def _job_args(action: Enqueue, situation: Situation) -> dict[str, Any]:
    args: dict[str, Any] = {"reason": f"command {action.job.value} by {situation.actor}"}
    if action.job.value in ("rebase", "recreate") and situation.branch:
        args[action.job.value] = [situation.branch]
        args["pull"] = situation.number  # where to say so if the job gives up
    return args


def _proposal(talk: Store, thread: Thread) -> ProposalRecord:
    proposal = talk.proposal_by_number(thread.repository.id, thread.number)
    if proposal is None:
        raise ActionFailed(f"#{thread.number} is not in my records (it was opened elsewhere)")
    return proposal


def _merge(thread: Thread, talk: Store, situation: Situation) -> None:
    pull = thread.gh.pull(thread.repo, thread.number)
    if pull.draft:
        github.mark_ready(thread.gh, thread.repo, thread.number)
    github.merge(
        thread.gh, thread.repo, thread.number, sha=pull.head_sha, method=situation.merge.method
    )
    proposal = _proposal(talk, thread)
    talk.merged_by_bot(proposal.id)
    talk.cancel_merge(proposal.id)
    talk.record_human_commits(proposal.id, len(situation.human_commits))
    thread.context.store.record_pr_outcome(thread.repository.id, thread.number, merged=True)


# -- gathering the situation ----------------------------------------------------------------


def _situation(
    thread: Thread, talk: Store, issue: Mapping[str, Any], actor: str, ask: bool
) -> Situation:
    context = thread.context
    config = context.store.last_valid_config(thread.repository.id) or RepoConfig()
    permission = Permission.NONE
    if ask:
        permission = Permission.parse(github.permission(thread.gh, thread.repo, actor))
    base = Situation(
        actor=actor,
        permission=permission,
        app_slug=context.app_slug,
        number=thread.number,
        on_pull=False,
        bot_pull=False,
        merge=config.merge,
        ignores=ignore_views(talk.ignore_rules(thread.repository.id), config),
    )
    if "pull_request" not in issue:
        return base
    return _pull_situation(thread, talk, base, thread.gh.pull(thread.repo, thread.number))


def _pull_situation(thread: Thread, talk: Store, base: Situation, pull: PullRequest) -> Situation:
    context = thread.context
    state = PullState.MERGED if pull.merged else PullState.OPEN if pull.open else PullState.CLOSED
    ours = pull.user_login == context.bot_login and is_bot_branch(context, pull.head_ref)
    situation = replace(
        base, on_pull=True, bot_pull=ours, state=state, branch=pull.head_ref, base=pull.base_ref
    )
    if not ours:
        return situation
    proposal = talk.proposal_by_number(thread.repository.id, thread.number)
    bot = bot_for(thread.gh, context.app_slug)
    humans = tuple(
        c.sha[:7] for c in thread.gh.pull_commits(thread.repo, thread.number) if not bot.wrote(c)
    )
    reviewed = bool(humans) and any(
        r.state == "APPROVED" and r.commit_id == pull.head_sha and r.login != bot.login
        for r in github.reviews(thread.gh, thread.repo, thread.number)
    )
    request = talk.merge_request(proposal.id) if proposal else None
    changes = talk.changes(proposal.id) if proposal else []
    return replace(
        situation,
        kind=proposal.kind if proposal else None,
        changes=tuple(changes),
        human_commits=humans,
        human_commits_reviewed=reviewed,
        checks=summarize_checks(
            thread.gh.check_runs(thread.repo, pull.head_sha),
            github.required_checks(thread.gh, thread.repo, pull.base_ref),
        ),
        merge_requested_by=request.requested_by if request else None,
        ci_result=proposal.ci_result if proposal else None,
    )


def summarize_checks(runs: Iterable[CheckRun], required: Iterable[str] = ()) -> Checks:
    """The latest run per name (the bot's own `maintainer/` runs are not CI); a required
    check (branch protection) that has not started yet counts as pending."""
    latest: dict[str, CheckRun] = {}
    for run in runs:
        if run.name.startswith(OWN_CHECK_PREFIX):
            continue
        if run.name not in latest or run.id > latest[run.name].id:
            latest[run.name] = run
    passed, pending, failing = [], [], []
    for name, run in sorted(latest.items()):
        if run.status != "completed":
            pending.append(name)
        elif run.conclusion in PASSING:
            passed.append(name)
        else:
            failing.append(name)
    pending += sorted(set(required) - set(latest))
    return Checks(tuple(passed), tuple(pending), tuple(failing))


def ignore_views(stored: Iterable[IgnoreRecord], config: RepoConfig) -> tuple[IgnoreView, ...]:
    from_comments = [
        IgnoreView(
            i.dependency,
            i.versions,
            i.update_types,
            "comment",
            i.created_by,
            i.created_at,
            i.pr_number,
            i.reason,
        )
        for i in stored
    ]
    from_file = [
        IgnoreView(
            r.dependency,
            tuple(r.versions),
            tuple(u.value for u in r.update_types),
            CONFIG_FILE,
            reason=r.reason,
        )
        for r in config.ignore
    ]
    return (*from_comments, *from_file)


# -- merge when green: CI finished on a PR whose merge was requested ----------------------------


@router.register("check_suite", "completed")
@router.register("check_run", "completed")
def ci_completed(event: Event, context: EventContext) -> None:
    item = mapping(event.payload.get(event.name))
    head_sha, name = text(item.get("head_sha")), text(item.get("name")) or ""
    if head_sha is None or name.startswith(OWN_CHECK_PREFIX) or context.github is None:
        return
    installation_id = event.installation_id
    stored = known_repository(event, context)
    if stored is None or installation_id is None:
        return
    talk = context.store
    for proposal in context.store.proposals(stored.id, [ProposalStatus.OPEN]):
        request = talk.merge_request(proposal.id)
        if request is None or proposal.pr_number is None:
            continue
        thread = Thread(
            context.github(installation_id), context, stored, installation_id, proposal.pr_number
        )
        _merge_if_green(thread, talk, request.requested_by, head_sha)


def _merge_if_green(thread: Thread, talk: Store, requested_by: str, head_sha: str) -> None:
    pull = thread.gh.pull(thread.repo, thread.number)
    if pull.head_sha != head_sha or not pull.open:
        return
    config = thread.context.store.last_valid_config(thread.repository.id) or RepoConfig()
    base = Situation(
        requested_by,
        Permission.WRITE,
        thread.context.app_slug,
        thread.number,
        True,
        True,
        merge=config.merge,
    )
    situation = _pull_situation(thread, talk, base, pull)
    check = merge_check(situation)
    if check.verdict is Verdict.WAIT:
        return
    proposal = _proposal(talk, thread)
    if check.verdict is Verdict.REFUSE:
        talk.cancel_merge(proposal.id)
        body = render(
            "commands/merge_stopped.md.j2", reason=check.reason, requested_by=requested_by
        )
        thread.reply([body])
        return
    _merge(thread, talk, situation)
    thread.reply([render("commands/merged.md.j2", reason=check.reason, requested_by=requested_by)])


# -- a bot PR's end, or its reopening ------------------------------------------------------------


@router.register("pull_request", "closed")
def pull_closed(event: Event, context: EventContext) -> None:
    """Count the commits others added (merged untouched or with human edits, for `stats`)."""
    thread, proposal = _bot_pull(event, context)
    if thread is None or proposal is None:
        return
    bot = bot_for(thread.gh, context.app_slug)
    commits = thread.gh.pull_commits(thread.repo, thread.number)
    talk = context.store
    talk.record_human_commits(proposal.id, sum(1 for c in commits if not bot.wrote(c)))
    talk.cancel_merge(proposal.id)


@router.register("pull_request", "reopened")
def pull_reopened(event: Event, context: EventContext) -> None:
    """Reopened: no longer a rejected version."""
    stored = known_repository(event, context)
    number = integer(mapping(event.payload.get("pull_request")).get("number"))
    if stored is None or number is None:
        return
    talk = context.store
    proposal = talk.proposal_by_number(stored.id, number)
    if proposal is not None and proposal.status is ProposalStatus.CLOSED:
        talk.reopen(proposal.id)


def _bot_pull(event: Event, context: EventContext) -> tuple[Thread | None, ProposalRecord | None]:
    pull = mapping(event.payload.get("pull_request"))
    number = integer(pull.get("number"))
    branch = text(mapping(pull.get("head")).get("ref"))
    installation_id = event.installation_id
    if number is None or installation_id is None or context.github is None:
        return None, None
    if not is_bot_branch(context, branch):
        return None, None
    stored = known_repository(event, context)
    if stored is None:
        return None, None
    proposal = context.store.proposal_by_number(stored.id, number)
    thread = Thread(context.github(installation_id), context, stored, installation_id, number)
    return thread, proposal
