"""Deciding each command's effect from plain values (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.commands import (
    Checks,
    Decision,
    IgnoreView,
    Permission,
    PullState,
    Reaction,
    Rescan,
    Situation,
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
from app.commands.help import COMMANDS
from app.config import MergeSettings, UpdateType
from app.model import Change, Kind

SLUG = "maintainer-bot"
REQUESTS = Change("requests", "2.31.0", "2.32.3", "minor")
MERGE_ON = MergeSettings(enabled=True)
GREEN = Checks(passed=("tests",))


def situation(**overrides: object) -> Situation:
    base = Situation(
        actor="alice",
        permission=Permission.WRITE,
        app_slug=SLUG,
        number=7,
        on_pull=True,
        bot_pull=True,
        kind="dependency-update",
        branch="maintainer/dependency-update/requests-2.32.3",
        changes=(REQUESTS,),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def run(text: str, s: Situation | None = None) -> Decision:
    [parsed] = parse_comment(f"/maintainer {text}", SLUG)
    return decide(parsed, s or situation())


def kinds(decision: Decision) -> list[type]:
    return [type(a) for a in decision.actions]


def reply(decision: Decision) -> str:
    return next(a.body for a in decision.actions if isinstance(a, Reply))


def test_help_lists_every_command_for_anyone() -> None:
    decision = run("help", situation(permission=Permission.READ, on_pull=False))
    assert decision.ok and decision.reaction is Reaction.DONE
    body = reply(decision)
    for name in ("rebase", "merge when green", "unignore <package>", "show ignores"):
        assert f"| `{name}` |" in body
    assert "@maintainer-bot" in body


def test_unknown_command_gets_help_and_confused() -> None:
    decision = run("frobnicate")
    assert decision.reaction is Reaction.REFUSED
    assert "I don't know the command `frobnicate`" in reply(decision)


def test_malformed_arguments_get_a_precise_reply_and_no_action() -> None:
    decision = run("ignore django major")
    assert kinds(decision) == [Reply] and not decision.ok
    assert "major|minor|patch version" in reply(decision)


@pytest.mark.parametrize("permission", [Permission.NONE, Permission.READ, Permission.TRIAGE])
def test_without_write_permission_a_polite_refusal(permission: Permission) -> None:
    decision = run("close", situation(permission=permission))
    assert kinds(decision) == [Reply] and not decision.ok
    assert "needs write, maintain or admin permission" in reply(decision)


@pytest.mark.parametrize("permission", [Permission.WRITE, Permission.MAINTAIN, Permission.ADMIN])
def test_write_maintain_admin_may_act(permission: Permission) -> None:
    assert ClosePull in kinds(run("close", situation(permission=permission)))


@pytest.mark.parametrize("text", ["close", "rebase", "ignore this dependency", "explain"])
def test_on_issues_and_foreign_prs_only_scan_and_help(text: str) -> None:
    on_issue = run(text, situation(on_pull=False, bot_pull=False))
    assert not on_issue.ok and "only understand `scan` and `help`" in reply(on_issue)
    foreign = run(text, situation(bot_pull=False))
    assert not foreign.ok and "not one of mine" in reply(foreign)
    scan = run("scan", situation(on_pull=False, bot_pull=False))
    assert scan.ok and Enqueue(Rescan.SCAN) in scan.actions


def test_closed_and_merged_prs() -> None:
    closed = situation(state=PullState.CLOSED)
    assert "closed; `reopen` it first" in reply(run("rebase", closed))
    assert ReopenPull() in run("reopen", closed).actions
    merged = situation(state=PullState.MERGED)
    assert "already merged" in reply(run("reopen", merged))
    assert "already merged" in reply(run("merge when green", merged))
    assert run("show ignores", merged).ok


def test_repeated_close_and_reopen_change_nothing_and_say_so() -> None:
    again = run("close", situation(state=PullState.CLOSED))
    assert kinds(again) == [Reply] and again.ok and "already closed" in reply(again)
    open_again = run("reopen")
    assert kinds(open_again) == [Reply] and "already open" in reply(open_again)


def test_close_says_the_version_is_not_proposed_again() -> None:
    decision = run("close")
    assert kinds(decision) == [ClosePull, Reply]
    assert "will not propose `requests` 2.32.3 again; a newer version may be" in reply(decision)


def test_rebase_refused_over_human_commits_recreate_allowed() -> None:
    assert run("rebase").actions[0] == Enqueue(Rescan.REBASE)
    human = situation(human_commits=("abc1234",))
    refused = run("rebase", human)
    assert not refused.ok and "abc1234" in reply(refused) and "`recreate`" in reply(refused)
    assert run("recreate", human).actions[0] == Enqueue(Rescan.RECREATE)


@pytest.mark.parametrize(
    ("text", "versions", "label"),
    [
        ("ignore this dependency", (), "every version"),
        ("ignore this major version", ("==2.*",), "major version 2.*"),
        ("ignore this minor version", ("==2.32.*",), "minor version 2.32.*"),
        ("ignore this patch version", ("==2.32.3",), "patch version 2.32.3"),
    ],
)
def test_ignore_this_stores_the_scope_and_closes(
    text: str, versions: tuple[str, ...], label: str
) -> None:
    decision = run(text)
    store = decision.actions[0]
    assert isinstance(store, StoreIgnore)
    assert (store.package, store.versions) == ("requests", versions)
    assert "by @alice on #7" in store.reason
    assert kinds(decision) == [StoreIgnore, ClosePull, Reply]
    assert f"`requests` ({label})" in reply(decision)


def test_ignore_in_grouped_pr_names_the_package_and_rebuilds_the_group() -> None:
    grouped = situation(changes=(REQUESTS, Change("urllib3", "2.0.0", "3.0.1", "major")))
    ambiguous = run("ignore this major version", grouped)
    assert not ambiguous.ok and "say which: `ignore <package>`" in reply(ambiguous)
    decision = run("ignore urllib3 major version", grouped)
    assert decision.actions[0] == StoreIgnore("urllib3", ("==3.*",), decision.actions[0].reason)  # type: ignore[union-attr]
    assert kinds(decision) == [StoreIgnore, Enqueue, Reply]
    assert "rebuilding this group without it" in reply(decision)
    missing = run("ignore flask", grouped)
    assert not missing.ok and "`flask` is not in this pull request" in reply(missing)


def test_repeated_ignore_stores_nothing() -> None:
    stored = IgnoreView("requests", (), (), "comment", "bob")
    decision = run("ignore this patch version", situation(ignores=(stored,)))
    assert kinds(decision) == [Reply] and "already ignored" in reply(decision)


def test_ignore_this_on_a_pr_without_versions() -> None:
    decision = run("ignore this minor version", situation(kind="deprecation", changes=()))
    assert not decision.ok and "proposes no package version" in reply(decision)


def test_unignore_stored_but_not_file_ignores() -> None:
    stored = IgnoreView("requests", ("==2.*",), (), "comment", "bob")
    in_file = IgnoreView("django", (), (), ".maintainer.yml")
    s = situation(ignores=(stored, in_file))
    decision = run("unignore requests", s)
    assert kinds(decision) == [RemoveIgnores, Enqueue, Reply]
    refused = run("unignore django", s)
    assert not refused.ok and "editing that file" in reply(refused)
    everything = run("unignore *", s)
    assert everything.actions[0] == RemoveIgnores("*")
    assert "they are in `.maintainer.yml`" in reply(everything)


def test_show_ignores_table() -> None:
    when = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    stored = IgnoreView("requests", ("==2.*",), (), "comment", "bob", when, 12)
    in_file = IgnoreView("django", (), ("major",), ".maintainer.yml")
    body = reply(run("show ignores", situation(ignores=(stored, in_file))))
    assert "| `requests` | ==2.* | comment | @bob | 2026-11-20 09:30 UTC | #12 |" in body
    assert "| `django` | major updates | .maintainer.yml | — | — | — |" in body
    assert "Nothing is ignored" in reply(run("show ignores"))


def test_explain_lists_evidence() -> None:
    body = reply(run("explain", situation(checks=Checks(failing=("lint",)))))
    assert "| `requests` | 2.31.0 | 2.32.3 | minor |" in body
    assert "1 failing (lint)" in body and "Merging: refuse" in body


def test_merge_when_green_is_off_by_default() -> None:
    decision = run("merge when green", situation(checks=GREEN))
    assert not decision.ok and "merging is off" in reply(decision)


def test_merge_policy_kinds_and_update_types() -> None:
    only_security = MergeSettings(enabled=True, kinds=[Kind.SECURITY])
    assert "lets me merge only security" in reply(
        run("merge when green", situation(merge=only_security, checks=GREEN))
    )
    patch_only = MergeSettings(enabled=True, update_types=[UpdateType.PATCH])
    assert "it includes minor updates" in reply(
        run("merge when green", situation(merge=patch_only, checks=GREEN))
    )


def test_merge_now_when_green_later_when_pending_never_when_failing() -> None:
    green = run("merge when green", situation(merge=MERGE_ON, checks=GREEN))
    assert kinds(green) == [MergeNow, Reply]
    pending = situation(merge=MERGE_ON, checks=Checks(passed=("a",), pending=("tests",)))
    assert kinds(run("merge when green", pending)) == [RequestMerge, Reply]
    assert kinds(run("merge when green", situation(merge=MERGE_ON))) == [RequestMerge, Reply]
    failing = run("merge when green", situation(merge=MERGE_ON, checks=Checks(failing=("t",))))
    assert not failing.ok and "checks are failing: t" in reply(failing)
    repeated = run("merge when green", replace(pending, merge_requested_by="bob"))
    assert kinds(repeated) == [Reply] and "already requested by @bob" in reply(repeated)


def test_never_merge_an_unreviewed_human_commit() -> None:
    human = situation(merge=MERGE_ON, checks=GREEN, human_commits=("abc1234",))
    refused = run("merge when green", human)
    assert not refused.ok and "no approving review covers them" in reply(refused)
    reviewed = replace(human, human_commits_reviewed=True)
    assert kinds(run("merge when green", reviewed)) == [MergeNow, Reply]


def test_cancel_merge() -> None:
    assert not run("cancel merge").ok
    decision = run("cancel merge", situation(merge_requested_by="bob"))
    assert kinds(decision) == [CancelMerge, Reply] and "requested by @bob" in reply(decision)


def table_rows(markdown: str) -> list[list[str]]:
    """The body rows of the first table, as GitHub renders them (CommonMark + GFM tables)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    rows: list[list[str]] = []
    in_body = False
    for token in tokens:
        if token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif in_body and token.type == "tr_open":
            rows.append([])
        elif in_body and token.type == "inline":
            rows[-1].append(token.content)
    return rows


def test_help_table_renders_with_every_command_in_its_own_two_cells() -> None:
    rows = table_rows(reply(run("help")))
    assert rows == [[f"`{name}`", summary] for name, summary in COMMANDS]
    assert ["`ignore this major|minor|patch version`", COMMANDS[3][1]] in rows


def test_report_refreshes_only_the_report_issue_for_writers() -> None:
    report_issue = situation(on_pull=False, bot_pull=False, report_issue=True)
    done = run("report", report_issue)
    assert done.ok and RefreshReport() in done.actions
    assert "Refreshing this report" in reply(done)
    reader = run("report", replace(report_issue, permission=Permission.READ))
    assert not reader.ok and RefreshReport() not in reader.actions
    assert "needs write, maintain or admin permission" in reply(reader)
    for elsewhere in (situation(on_pull=False, bot_pull=False), situation()):
        refused = run("report", elsewhere)
        assert not refused.ok and "works only there" in reply(refused)
    assert not run("report now", report_issue).ok  # takes no arguments


def test_run_queues_a_step_of_the_incidents_runbook_for_writers_only() -> None:
    incident = situation(
        on_pull=False, bot_pull=False, incident=3, runbook_steps=("flush-cache", "revert")
    )
    done = run("run flush-cache", incident)
    assert done.ok and RunStep(3, "flush-cache") in done.actions
    assert "Running the runbook step `flush-cache`" in reply(done)
    reader = run("run flush-cache", replace(incident, permission=Permission.READ))
    assert not reader.ok and kinds(reader) == [Reply]
    unknown = run("run reboot", incident)
    assert not unknown.ok and "no step `reboot` (`flush-cache`, `revert`)" in reply(unknown)
    broken = replace(incident, runbook_steps=(), runbook_problem="its runbook cannot be used: x")
    assert "its runbook cannot be used: x" in reply(run("run flush-cache", broken))
    for elsewhere in (situation(on_pull=False, bot_pull=False), situation()):
        refused = run("run flush-cache", elsewhere)
        assert not refused.ok and "works only on its incident issue" in reply(refused)
    assert not run("run", incident).ok and not run("run a b", incident).ok
    assert not run("run ../etc", incident).ok  # step names are runbook names only
