"""What a comment command is decided on, gathered from GitHub, the store and the config:
the `Situation` of `app.commands`, the PR's checks, the ignores in force."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from app import ci
from app.commands import Checks, IgnoreView, Permission, PullState, Situation
from app.composer.github import bot_for
from app.config import CONFIG_PATHS, RepoConfig
from app.events.bot_issues import is_kept_issue, marker
from app.events.context import IssueHandle
from app.github import CheckRun, PullRequest
from app.github import pull_workflow as github
from app.health.report_issue import REPORT_KEY
from app.incidents.runbooks import last_runbook
from app.incidents.triage import incident_key
from app.planner import ignore_rule
from app.proposals import is_bot_branch
from app.store import IgnoreRecord, Store


def situation_of(
    target: IssueHandle, pr_records: Store, issue: Mapping[str, Any], actor: str, ask: bool
) -> Situation:
    """Who asks (their permission only when a command needs it), the config's merge policy
    and the ignores in force; on a pull request, what `pull_situation_of` adds."""
    context = target.context
    config = context.store.last_valid_config(target.repository.id) or RepoConfig()
    permission = Permission.NONE
    if ask:
        permission = Permission.parse(github.permission(target.gh, target.repo, actor))
    base = Situation(
        actor=actor,
        permission=permission,
        app_slug=context.app_slug,
        number=target.number,
        on_pull=False,
        bot_pull=False,
        merge=config.merge,
        ignores=ignore_views(pr_records.ignore_rules(target.repository.id), config),
    )
    if "pull_request" not in issue:
        report = _is_report_issue(target, pr_records, issue)
        return _with_incident(replace(base, report_issue=report), target, pr_records)
    return pull_situation_of(target, pr_records, base, target.gh.pull(target.repo, target.number))


def pull_situation_of(
    target: IssueHandle, pr_records: Store, base: Situation, pull: PullRequest
) -> Situation:
    """The pull request's state and, on one of the bot's, its record: the packages it moves,
    others' commits and whether a review covers them, its checks, a pending merge request."""
    context = target.context
    state = PullState.MERGED if pull.merged else PullState.OPEN if pull.open else PullState.CLOSED
    ours = pull.user_login == context.bot_login and is_bot_branch(pull.head_ref)
    situation = replace(
        base, on_pull=True, bot_pull=ours, state=state, branch=pull.head_ref, base=pull.base_ref
    )
    if not ours:
        return situation
    proposal = pr_records.proposal_by_number(target.repository.id, target.number)
    bot = bot_for(target.gh, context.app_slug)
    humans = tuple(
        c.sha[:7] for c in target.gh.pull_commits(target.repo, target.number) if not bot.wrote(c)
    )
    reviewed = bool(humans) and any(
        r.state == "APPROVED" and r.commit_id == pull.head_sha and r.login != bot.login
        for r in github.reviews(target.gh, target.repo, target.number)
    )
    request = pr_records.merge_request(proposal.id) if proposal else None
    changes = pr_records.changes(proposal.id) if proposal else []
    return replace(
        situation,
        kind=proposal.kind if proposal else None,
        changes=tuple(changes),
        human_commits=humans,
        human_commits_reviewed=reviewed,
        checks=summarize_checks(
            target.gh.check_runs(target.repo, pull.head_sha),
            github.required_checks(target.gh, target.repo, pull.base_ref),
        ),
        merge_requested_by=request.requested_by if request else None,
        ci_result=proposal.ci_result if proposal else None,
    )


def summarize_checks(runs: Iterable[CheckRun], required: Iterable[str] = ()) -> Checks:
    """The latest run per name (the bot's own `maintainer/` runs are not CI); a required
    check (branch protection) that has not started yet counts as pending."""
    latest: dict[str, CheckRun] = {}
    for run in runs:
        if ci.is_own_check(run.name):
            continue
        if run.name not in latest or run.id > latest[run.name].id:
            latest[run.name] = run
    passed, pending, failing = [], [], []
    for name, run in sorted(latest.items()):
        if run.status != "completed":
            pending.append(name)
        elif ci.passes(run.conclusion):
            passed.append(name)
        else:
            failing.append(name)
    pending += sorted(set(required) - set(latest))
    return Checks(tuple(passed), tuple(pending), tuple(failing))


def ignore_views(stored: Iterable[IgnoreRecord], config: RepoConfig) -> tuple[IgnoreView, ...]:
    """The ignores in force: those of comment commands (who, when, from which PR), then those
    of the configuration file."""
    from_comments = [
        IgnoreView.of(
            ignore_rule(i),
            "comment",
            created_by=i.created_by,
            created_at=i.created_at,
            pr_number=i.pr_number,
        )
        for i in stored
    ]
    from_file = [IgnoreView.of(r, CONFIG_PATHS[0]) for r in config.ignore]
    return (*from_comments, *from_file)


def _with_incident(situation: Situation, target: IssueHandle, pr_records: Store) -> Situation:
    """On the bot's issue of an incident: the incident and the steps of its runbook (as the
    incident job last read it)."""
    incident = pr_records.incident_by_issue(target.repo, target.number)
    if incident is None or not is_kept_issue(
        pr_records, target.repository, incident_key(incident.id), target.number
    ):
        return situation
    steps, problem = last_runbook(pr_records.incident_timeline(incident.id))
    return replace(situation, incident=incident.id, runbook_steps=steps, runbook_problem=problem)


def _is_report_issue(target: IssueHandle, pr_records: Store, issue: Mapping[str, Any]) -> bool:
    """The weekly report issue: the one remembered, or (the store lost it) the bot's issue
    whose body carries the report's marker."""
    if is_kept_issue(pr_records, target.repository, REPORT_KEY, target.number):
        return True
    user = issue.get("user")
    login = user.get("login") if isinstance(user, Mapping) else None
    body = issue.get("body")
    return (
        login == target.context.bot_login and isinstance(body, str) and marker(REPORT_KEY) in body
    )
