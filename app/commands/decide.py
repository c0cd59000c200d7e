"""Decide what a parsed command does in a situation: a list of actions and 👍 or 😕. Pure.

Documented behaviour (README, "Commands on pull requests"):
- `help` and unknown commands are answered for anyone; every other command needs write,
  maintain or admin permission, else a polite refusal.
- On plain issues and on PRs that are not the bot's, only `scan` and `help` apply, and
  `report` on the bot's "Maintenance report" issue (only there), `run <step>` on an incident
  issue (only there, and only a step of its runbook).
- On a closed PR: `close` (already closed), `reopen`, `ignore`, `unignore`, `show ignores`,
  `explain`, `scan`, `help`.
  On a merged PR: the same without `close`, `reopen` and `ignore`.
- Repeating a command whose effect is already in place changes nothing and says so (👍).
"""

from __future__ import annotations

from collections.abc import Callable

from app.commands.actions import (
    Action,
    CancelMerge,
    ClosePull,
    Decision,
    Enqueue,
    MergeNow,
    RefreshReport,
    RemoveIgnores,
    ReopenPull,
    Reply,
    RequestMerge,
    Rescan,
    RunStep,
    StoreIgnore,
)
from app.commands.grammar import Command, Malformed, Parsed, Scope, Unknown, Verb
from app.commands.help import COMMANDS
from app.commands.ignores import ScopeError, already_ignored, scope_label, scope_versions
from app.commands.merging import Verdict, merge_check
from app.commands.situation import PullState, Situation
from app.model import Change
from app.templates import render

ANYWHERE = frozenset({Verb.SCAN, Verb.HELP})
AFTER_CLOSE = frozenset(
    {
        Verb.CLOSE,
        Verb.REOPEN,
        Verb.IGNORE,
        Verb.UNIGNORE,
        Verb.SHOW_IGNORES,
        Verb.EXPLAIN,
        *ANYWHERE,
    }
)
AFTER_MERGE = AFTER_CLOSE - {Verb.CLOSE, Verb.REOPEN, Verb.IGNORE}


def decide(parsed: Parsed, situation: Situation) -> Decision:
    if isinstance(parsed, Unknown):
        return _help(situation, unknown=parsed.word, ok=False)
    if isinstance(parsed, Malformed):
        body = render("commands/malformed.md.j2", s=situation, parsed=parsed)
        return Decision((Reply(body),), ok=False)
    if parsed.verb is Verb.HELP:
        return _help(situation)
    if not situation.permission.may_act:
        return _refuse_permission(parsed, situation)
    refusal = _out_of_place(parsed.verb, situation)
    if refusal is not None:
        return refuse(parsed, situation, refusal)
    return _HANDLERS[parsed.verb](parsed, situation)


def refuse(command: Command, situation: Situation, reason: str) -> Decision:
    body = render("commands/refused.md.j2", s=situation, command=command, reason=reason)
    return Decision((Reply(body),), ok=False)


def _say(template: str, situation: Situation, command: Command, **values: object) -> Reply:
    return Reply(render(f"commands/{template}.md.j2", s=situation, command=command, **values))


def _help(situation: Situation, unknown: str | None = None, ok: bool = True) -> Decision:
    body = render("commands/help.md.j2", s=situation, unknown=unknown, commands=COMMANDS)
    return Decision((Reply(body),), ok=ok)


def _refuse_permission(command: Command, situation: Situation) -> Decision:
    body = render("commands/permission.md.j2", s=situation, command=command)
    return Decision((Reply(body),), ok=False)


def _out_of_place(verb: Verb, situation: Situation) -> str | None:
    if verb in ANYWHERE:
        return None
    if verb is Verb.REPORT:
        if situation.report_issue:
            return None
        return "`report` refreshes the Maintenance report issue, and works only there"
    if verb is Verb.RUN:
        if situation.incident is not None:
            return None
        return "`run` runs a runbook step of an incident, and works only on its incident issue"
    if not situation.on_pull:
        return "on issues I only understand `scan` and `help`"
    if not situation.bot_pull:
        return "this pull request is not one of mine; here I only understand `scan` and `help`"
    if situation.state is PullState.MERGED and verb not in AFTER_MERGE:
        return "this pull request is already merged"
    if situation.state is PullState.CLOSED and verb not in AFTER_CLOSE:
        return "this pull request is closed; `reopen` it first"
    return None


# -- one function per verb ------------------------------------------------------------------


def _rebase(command: Command, situation: Situation) -> Decision:
    if situation.human_commits:
        reason = (
            f"the branch has commits by others ({', '.join(situation.human_commits)}) and I never "
            "rewrite them; `recreate` rebuilds the branch from scratch, discarding them"
        )
        return refuse(command, situation, reason)
    return Decision((Enqueue(Rescan.REBASE), _say("queued", situation, command)), ok=True)


def _recreate(command: Command, situation: Situation) -> Decision:
    return Decision((Enqueue(Rescan.RECREATE), _say("queued", situation, command)), ok=True)


def _scan(command: Command, situation: Situation) -> Decision:
    return Decision((Enqueue(Rescan.SCAN), _say("queued", situation, command)), ok=True)


def _report(command: Command, situation: Situation) -> Decision:
    return Decision((RefreshReport(), _say("queued", situation, command)), ok=True)


def _run(command: Command, situation: Situation) -> Decision:
    assert situation.incident is not None and command.step is not None  # _out_of_place
    if not situation.runbook_steps:
        reason = situation.runbook_problem or "this incident has no runbook"
        return refuse(command, situation, reason)
    if command.step not in situation.runbook_steps:
        listed = ", ".join(f"`{name}`" for name in situation.runbook_steps)
        return refuse(command, situation, f"the runbook has no step `{command.step}` ({listed})")
    reply = _say("queued", situation, command)
    return Decision((RunStep(situation.incident, command.step), reply), ok=True)


def _ignore(command: Command, situation: Situation) -> Decision:
    scope = command.scope or Scope.DEPENDENCY
    change, problem = _ignored_change(command, situation)
    if problem is not None:
        return refuse(command, situation, problem)
    package = command.package or (change.package if change else "")
    try:
        versions = scope_versions(scope, change)
    except ScopeError as exc:
        return refuse(command, situation, str(exc))
    label = scope_label(scope, versions)
    grouped = len(situation.packages) > 1
    if already_ignored(situation.ignores, package, versions):
        return Decision(
            (
                _say(
                    "ignored",
                    situation,
                    command,
                    package=package,
                    label=label,
                    grouped=grouped,
                    repeated=True,
                ),
            ),
            ok=True,
        )
    reason = f"`{command.text}` by @{situation.actor} on #{situation.number}"
    actions: list[Action] = [StoreIgnore(package, versions, reason)]
    if grouped:
        actions.append(Enqueue(Rescan.SCAN))  # rebuild the group without it
    elif situation.state is PullState.OPEN:
        actions.append(ClosePull())
    reply = _say(
        "ignored", situation, command, package=package, label=label, grouped=grouped, repeated=False
    )
    return Decision((*actions, reply), ok=True)


def _ignored_change(command: Command, situation: Situation) -> tuple[Change | None, str | None]:
    """The PR's change the ignore is about, or why there is none."""
    if command.package is None:
        if not situation.changes:
            if command.scope is Scope.DEPENDENCY and situation.kind:
                return None, "this pull request moves no package; `ignore <package>` names one"
            return None, "this pull request proposes no package version"
        if len(situation.packages) > 1:
            names = ", ".join(f"`{p}`" for p in situation.packages)
            return None, f"this pull request updates {names}; say which: `ignore <package>`"
        return situation.changes[0], None
    change = situation.change_of(command.package)
    if change is None and command.scope is not Scope.DEPENDENCY:
        return None, f"`{command.package}` is not updated by this pull request"
    if change is None and situation.changes:
        names = ", ".join(f"`{p}`" for p in situation.packages)
        return None, f"`{command.package}` is not in this pull request (it updates {names})"
    return change, None


def _unignore(command: Command, situation: Situation) -> Decision:
    package = command.package or "*"
    stored = [i for i in situation.ignores if i.source == "comment"]
    matching = [i for i in stored if package == "*" or i.package.lower() == package.lower()]
    in_file = [
        i
        for i in situation.ignores
        if i.source != "comment" and (package == "*" or i.package.lower() == package.lower())
    ]
    if not matching:
        reason = f"there is no stored ignore for `{package}`"
        if in_file:
            reason += "; the ignores in `.maintainer.yml` are changed by editing that file"
        return refuse(command, situation, reason)
    reply = _say("unignored", situation, command, removed=matching, in_file=in_file)
    return Decision((RemoveIgnores(package), Enqueue(Rescan.SCAN), reply), ok=True)


def _show_ignores(command: Command, situation: Situation) -> Decision:
    return Decision((_say("ignores", situation, command, ignores=situation.ignores),), ok=True)


def _explain(command: Command, situation: Situation) -> Decision:
    check = merge_check(situation)
    return Decision((_say("explain", situation, command, merge_check=check),), ok=True)


def _merge_when_green(command: Command, situation: Situation) -> Decision:
    check = merge_check(situation)
    if check.verdict is Verdict.REFUSE:
        return refuse(command, situation, check.reason)
    if situation.merge_requested_by is not None and check.verdict is Verdict.WAIT:
        reply = _say("merge", situation, command, check=check, repeated=True)
        return Decision((reply,), ok=True)
    if check.verdict is Verdict.MERGE:
        reply = _say("merge", situation, command, check=check, repeated=False)
        return Decision((MergeNow(), reply), ok=True)
    reply = _say("merge", situation, command, check=check, repeated=False)
    return Decision((RequestMerge(), reply), ok=True)


def _cancel_merge(command: Command, situation: Situation) -> Decision:
    if situation.merge_requested_by is None:
        return refuse(command, situation, "no merge was requested on this pull request")
    return Decision((CancelMerge(), _say("cancelled", situation, command)), ok=True)


def _close(command: Command, situation: Situation) -> Decision:
    if situation.state is not PullState.OPEN:
        return Decision((_say("closed", situation, command, repeated=True),), ok=True)
    return Decision((ClosePull(), _say("closed", situation, command, repeated=False)), ok=True)


def _reopen(command: Command, situation: Situation) -> Decision:
    if situation.state is PullState.OPEN:
        return Decision((_say("reopened", situation, command, repeated=True),), ok=True)
    return Decision((ReopenPull(), _say("reopened", situation, command, repeated=False)), ok=True)


_HANDLERS: dict[Verb, Callable[[Command, Situation], Decision]] = {
    Verb.REBASE: _rebase,
    Verb.RECREATE: _recreate,
    Verb.SCAN: _scan,
    Verb.REPORT: _report,
    Verb.RUN: _run,
    Verb.IGNORE: _ignore,
    Verb.UNIGNORE: _unignore,
    Verb.SHOW_IGNORES: _show_ignores,
    Verb.EXPLAIN: _explain,
    Verb.MERGE_WHEN_GREEN: _merge_when_green,
    Verb.CANCEL_MERGE: _cancel_merge,
    Verb.CLOSE: _close,
    Verb.REOPEN: _reopen,
}
