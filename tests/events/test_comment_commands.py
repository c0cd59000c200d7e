"""Comment commands end to end: real `issue_comment` payload shapes routed to the handler,
against the GitHub emulator (real git repositories) and a real store."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.emulator import deliveries
from app.github import ServerError
from app.service.scan_job import stored_ignores
from app.service.wiring import Services, build_services
from app.settings import Settings
from app.store import JobKind, JobStatus, NewDelivery, NewJob, ProposalStatus, Store, open_store
from tests.events.world import World, make_world
from tests.support import IndexServer
from tests.support.harness import APP_ID, INSTALLATION_ID, REPO, Harness, app_keys

pytestmark = pytest.mark.slow


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield store
    store.engine.dispose()


@pytest.fixture
def world(harness: Harness, store: Store, index: IndexServer, tmp_path: Path) -> World:
    return make_world(harness, store, index, tmp_path)


def test_permission_endpoint_owner_admin_others_read_until_added(world: World) -> None:
    def role(login: str) -> tuple[str, str]:
        answer = world.gh.request("GET", f"/repos/{REPO}/collaborators/{login}/permission")
        return answer["permission"], answer["role_name"]

    assert role("octo-org") == ("admin", "admin")
    assert role("stranger") == ("read", "read")
    world.grant("alice", "push")
    world.grant("mia", "maintain")
    assert role("alice") == ("write", "write")
    assert role("mia") == ("write", "maintain")


def test_help_for_anyone_with_reactions(world: World) -> None:
    number = world.pull("click").number
    comment = world.say(number, "/maintainer help", user="stranger")
    assert world.reactions(comment["id"]) == ["eyes", "+1"]
    [reply] = world.replies(number)
    assert "| `merge when green` |" in reply and "| `show ignores` |" in reply


def test_unknown_command_gets_help_and_confused(world: World) -> None:
    number = world.pull("click").number
    comment = world.say(number, "@maintainer-bot frobnicate")
    assert world.reactions(comment["id"]) == ["eyes", "confused"]
    assert "I don't know the command `frobnicate`" in world.replies(number)[0]


def test_reader_is_refused_politely_and_nothing_changes(world: World) -> None:
    pull = world.pull("click")
    comment = world.say(pull.number, "/maintainer close", user="stranger")
    assert world.reactions(comment["id"]) == ["eyes", "confused"]
    assert "needs write, maintain or admin permission" in world.replies(pull.number)[0]
    assert world.gh.pull(REPO, pull.number).open


def test_close_then_the_version_is_not_proposed_again_and_reopen(world: World) -> None:
    pull = world.pull("click")
    world.grant("alice", "write")
    comment = world.say(pull.number, "/maintainer close", user="alice")
    assert world.reactions(comment["id"]) == ["eyes", "+1"]
    assert not world.gh.pull(REPO, pull.number).open
    assert world.proposal(pull.number).status is ProposalStatus.CLOSED
    assert "will not propose `click` 8.5.1 again" in world.replies(pull.number)[0]
    record = world.store.repository(REPO)
    assert record is not None
    rules = [r for r in stored_ignores(world.store, record) if r.dependency == "click"]
    assert [(r.versions, r.reason) for r in rules] == [
        (["<=8.5.1"], f"#{pull.number} was closed without merging")
    ]
    report = world.scan()
    assert all("click" not in c.branch for c in report.composed)  # the planner held it back

    world.say(pull.number, "/maintainer reopen", user="alice")
    assert world.gh.pull(REPO, pull.number).open
    assert world.proposal(pull.number).status is ProposalStatus.OPEN
    assert [r for r in stored_ignores(world.store, record) if r.dependency == "click"] == []


def test_ignore_this_minor_version_show_ignores_and_unignore(world: World) -> None:
    pull = world.pull("click")
    world.say(pull.number, "/maintainer ignore this minor version", user="octo-org")
    assert not world.gh.pull(REPO, pull.number).open
    [stored] = world.store.ignore_rules(world.repo_id)
    assert (stored.dependency, stored.versions) == ("click", ("==8.5.*",))
    assert (stored.created_by, stored.pr_number) == ("octo-org", pull.number)

    other = world.pull("jinja2").number
    comment = world.say(other, "/maintainer show ignores", user="octo-org")
    table = world.replies(other)[0]
    assert world.reactions(comment["id"]) == ["eyes", "+1"]
    assert "| `click` | ==8.5.* | comment | @octo-org |" in table
    assert f"| #{pull.number} |" in table
    assert "| `urllib3` | major updates | .maintainer.yml | — | — | — |" in table

    world.say(other, "/maintainer unignore click", user="octo-org")
    assert world.store.ignore_rules(world.repo_id) == []
    assert world.jobs.jobs[-1][0] is JobKind.SCAN
    assert "Removed 1 stored ignore" in world.replies(other)[-1]


def test_ignore_a_package_in_a_grouped_pr_rebuilds_the_group(world: World) -> None:
    group = world.pull("group-dev-tools")
    before = {c.package for c in world.store.changes(world.proposal(group.number).id)}
    assert {"pytest", "mypy", "ruff"} <= before
    ambiguous = world.say(group.number, "/maintainer ignore this major version", user="octo-org")
    assert world.reactions(ambiguous["id"]) == ["eyes", "confused"]
    world.say(group.number, "/maintainer ignore pytest major version", user="octo-org")
    assert [(i.dependency, i.versions) for i in world.store.ignore_rules(world.repo_id)] == [
        ("pytest", ("==9.*",))
    ]
    assert world.gh.pull(REPO, group.number).open
    assert world.jobs.jobs[-1][0] is JobKind.SCAN
    world.scan()  # the job the command queued
    after = {c.package: c.to_version for c in world.store.changes(world.proposal(group.number).id)}
    assert not after.get("pytest", "").startswith("9.")  # a pytest 8 may still be proposed
    repo = world.harness.emulator.state.repo(REPO)
    assert repo is not None
    dev = repo.git.git("show", f"{group.head_ref}:requirements-dev.txt")
    assert "pytest==9" not in dev and "pytest==" in dev


def test_malformed_arguments_get_a_precise_reply(world: World) -> None:
    number = world.pull("click").number
    comment = world.say(number, "/maintainer ignore click major", user="octo-org")
    assert world.reactions(comment["id"]) == ["eyes", "confused"]
    assert "write nothing or `major|minor|patch version`" in world.replies(number)[0]
    assert world.store.ignore_rules(world.repo_id) == []


def test_rebase_refused_over_a_human_commit_recreate_discards_it(world: World) -> None:
    pull = world.pull("click")
    world.harness.human_push(REPO, pull.head_ref, {"NOTES.md": "mine\n"}, world.tmp)
    world.say(pull.number, "/maintainer rebase", user="octo-org")
    assert "I never rewrite them; `recreate`" in world.replies(pull.number)[0]
    assert world.jobs.jobs == []
    world.say(pull.number, "/maintainer recreate", user="octo-org")
    kind, repository, args = world.jobs.jobs[-1]
    assert (kind, repository, args["recreate"]) == (JobKind.SCAN, REPO, [pull.head_ref])
    world.scan(recreate=args["recreate"])
    commits = world.gh.pull_commits(REPO, pull.number)
    assert [c.author_login for c in commits] == ["maintainer-bot[bot]"]


def test_rebase_policy_conflicted_leaves_a_behind_branch_then_rebase_brings_it_up(
    world: World,
) -> None:
    pull = world.pull("jinja2")
    world.harness.human_push(REPO, "main", {"src/unrelated.py": "X = 1\n"}, world.tmp)
    main = world.gh.branch_sha(REPO, "main")
    world.scan()  # the push's scan: the branch only fell behind, so it is left alone
    assert world.gh.pull(REPO, pull.number).head_sha == pull.head_sha
    world.say(pull.number, "/maintainer rebase", user="octo-org")
    _, _, args = world.jobs.jobs[-1]
    assert args["rebase"] == [pull.head_ref]
    world.scan(rebase=args["rebase"])
    [commit] = world.gh.pull_commits(REPO, pull.number)
    assert commit.parents == (main,)


def test_rebase_policy_behind_updates_every_behind_branch(
    harness: Harness, store: Store, index: IndexServer, tmp_path: Path
) -> None:
    world = make_world(harness, store, index, tmp_path, "rebase: behind\n")
    pull = world.pull("jinja2")
    world.harness.human_push(REPO, "main", {"src/unrelated.py": "X = 1\n"}, world.tmp)
    world.scan()
    [commit] = world.gh.pull_commits(REPO, pull.number)
    assert commit.parents == (world.gh.branch_sha(REPO, "main"),)


def test_merge_when_green_is_off_by_default(world: World) -> None:
    pull = world.pull("jinja2")
    world.ci(pull.head_sha, "tests", "completed", "success")
    comment = world.say(pull.number, "/maintainer merge when green", user="octo-org")
    assert world.reactions(comment["id"]) == ["eyes", "confused"]
    assert "merging is off" in world.replies(pull.number)[0]
    assert not world.gh.pull(REPO, pull.number).merged


MERGING = "merge:\n  enabled: true\n  update_types: [patch, minor]\n"


@pytest.fixture
def merging(harness: Harness, store: Store, index: IndexServer, tmp_path: Path) -> World:
    return make_world(harness, store, index, tmp_path, MERGING)


def test_merge_when_green_waits_for_pending_checks_then_merges(merging: World) -> None:
    world = merging
    pull = world.pull("jinja2")
    world.ci(pull.head_sha, "lint", "completed", "success")
    world.ci(pull.head_sha, "tests", "in_progress")
    comment = world.say(pull.number, "/maintainer merge when green", user="octo-org")
    assert world.reactions(comment["id"]) == ["eyes", "+1"]
    assert "once its checks pass (checks are still running: tests)" in world.replies(pull.number)[0]
    assert world.store.merge_request(world.proposal(pull.number).id) is not None
    assert not world.gh.pull(REPO, pull.number).merged

    world.ci(pull.head_sha, "tests", "completed", "success")  # a newer run of `tests`
    merged = world.gh.pull(REPO, pull.number)
    assert merged.merged and not merged.draft
    assert "Merged: all checks passed: lint, tests" in world.replies(pull.number)[-1]
    proposal = world.proposal(pull.number)
    assert proposal.status is ProposalStatus.MERGED
    [outcome] = [o for o in world.store.outcomes(REPO) if o.status is ProposalStatus.MERGED]
    assert outcome.merged_by_bot and outcome.human_commits == 0
    main = world.harness.emulator.state.repo(REPO)
    assert main is not None
    tree = main.git.git("rev-parse", "main^{tree}")
    assert tree == main.git.git("rev-parse", f"{pull.head_sha}^{{tree}}")  # the PR's change


def test_merge_now_when_already_green_and_a_failure_stops_a_waiting_merge(merging: World) -> None:
    world = merging
    green = world.pull("jinja2")
    world.ci(green.head_sha, "tests", "completed", "success")
    world.say(green.number, "/maintainer merge when green", user="octo-org")
    assert world.gh.pull(REPO, green.number).merged

    waiting = world.pull("urllib3")
    world.say(waiting.number, "/maintainer merge when green", user="octo-org")
    world.ci(waiting.head_sha, "tests", "completed", "failure")
    assert not world.gh.pull(REPO, waiting.number).merged
    assert "I will not merge this pull request after all" in world.replies(waiting.number)[-1]
    assert world.store.merge_request(world.proposal(waiting.number).id) is None


def test_merge_policy_refuses_major_updates_and_failing_checks(merging: World) -> None:
    world = merging
    major = world.pull("pyyaml")
    world.say(major.number, "/maintainer merge when green", user="octo-org")
    assert "it includes major updates" in world.replies(major.number)[0]
    failing = world.pull("jinja2")
    world.ci(failing.head_sha, "tests", "completed", "failure")
    world.say(failing.number, "/maintainer merge when green", user="octo-org")
    assert "checks are failing: tests" in world.replies(failing.number)[0]


def test_cancel_merge(merging: World) -> None:
    world = merging
    pull = world.pull("jinja2")
    world.say(pull.number, "/maintainer merge when green", user="octo-org")
    world.say(pull.number, "/maintainer cancel merge", user="octo-org")
    assert world.store.merge_request(world.proposal(pull.number).id) is None
    world.ci(pull.head_sha, "tests", "completed", "success")
    assert not world.gh.pull(REPO, pull.number).merged


def test_never_merge_an_unreviewed_human_commit(merging: World) -> None:
    world = merging
    pull = world.pull("jinja2")
    head = world.harness.human_push(REPO, pull.head_ref, {"NOTES.md": "mine\n"}, world.tmp)
    world.ci(head, "tests", "completed", "success")
    world.say(pull.number, "/maintainer merge when green", user="octo-org")
    assert "no approving review covers them" in world.replies(pull.number)[0]
    world.admin("POST", f"/repos/{REPO}/pulls/{pull.number}/reviews", {"user": "octo-org"})
    world.say(pull.number, "/maintainer merge when green", user="octo-org")
    assert world.gh.pull(REPO, pull.number).merged
    [outcome] = [o for o in world.store.outcomes(REPO) if o.status is ProposalStatus.MERGED]
    assert outcome.human_commits == 1


def test_explain(world: World) -> None:
    pull = world.pull("jinja2")
    world.say(pull.number, "/maintainer explain", user="octo-org")
    body = world.replies(pull.number)[0]
    assert "| `jinja2` | 3.0.3 | 3.1.6 | minor |" in body
    assert "Merging: refuse (merging is off" in body


def test_several_commands_in_one_comment_get_one_reply(world: World) -> None:
    pull = world.pull("click")
    comment = world.say(pull.number, "/maintainer show ignores\n/maintainer close", user="octo-org")
    assert world.reactions(comment["id"]) == ["eyes", "+1"]
    [reply] = world.replies(pull.number)
    assert "| `urllib3` |" in reply and "Closing at @octo-org's request" in reply


def test_redelivered_and_edited_comments_run_nothing_again(world: World) -> None:
    pull = world.pull("click")
    comment = world.say(pull.number, "/maintainer close", user="octo-org")
    world.deliver_comment(pull.number, comment)  # the same comment, delivered again
    world.deliver_comment(pull.number, {**comment, "body": "/maintainer reopen"}, action="edited")
    assert world.reactions(comment["id"]) == ["eyes", "+1"]
    assert len(world.replies(pull.number)) == 1
    assert not world.gh.pull(REPO, pull.number).open


def test_repeated_command_and_closed_pr(world: World) -> None:
    pull = world.pull("click")
    world.say(pull.number, "/maintainer close", user="octo-org")
    again = world.say(pull.number, "/maintainer close", user="octo-org")
    assert world.reactions(again["id"]) == ["eyes", "+1"]
    assert "already closed; nothing changed" in world.replies(pull.number)[-1]
    rebase = world.say(pull.number, "/maintainer rebase", user="octo-org")
    assert world.reactions(rebase["id"]) == ["eyes", "confused"]
    assert "closed; `reopen` it first" in world.replies(pull.number)[-1]


def test_bots_are_never_answered(world: World) -> None:
    number = world.pull("click").number
    comment = world.say(number, "/maintainer close", user="dependabot[bot]", user_type="Bot")
    assert world.reactions(comment["id"]) == []
    assert world.replies(number) == []


def test_plain_issues_and_foreign_prs_take_only_scan_and_help(world: World) -> None:
    number = world.pull("click").number
    refused = world.say(number, "/maintainer close", user="octo-org", issue=True)
    assert world.reactions(refused["id"]) == ["eyes", "confused"]
    assert "on issues I only understand `scan` and `help`" in world.replies(number)[0]
    world.say(number, "/maintainer scan", user="octo-org", issue=True)
    assert world.jobs.jobs[-1][0] is JobKind.SCAN

    repo = world.harness.emulator.state.repo(REPO)
    assert repo is not None
    other = world.pull("jinja2").number
    repo.pulls[other].user = world.harness.emulator.state.user("octocat")  # a person's PR
    world.say(other, "/maintainer rebase", user="octo-org")
    assert "not one of mine" in world.replies(other)[0]
    assert world.gh.pull(REPO, other).open


def test_a_human_closing_a_bot_pr_records_its_commits(world: World) -> None:
    pull = world.pull("click")
    world.harness.human_push(REPO, pull.head_ref, {"NOTES.md": "mine\n"}, world.tmp)
    world.gh.update_pull(REPO, pull.number, state="closed")
    world.pull_closed(pull.number)
    [outcome] = [o for o in world.store.outcomes(REPO) if o.status is ProposalStatus.CLOSED]
    assert outcome.human_commits == 1


def test_a_failing_action_says_why(world: World) -> None:
    pull = world.pull("click")
    world.say(pull.number, "/maintainer close", user="octo-org")
    world.gh.delete_branch(REPO, pull.head_ref)
    comment = world.say(pull.number, "/maintainer reopen", user="octo-org")
    assert world.reactions(comment["id"]) == ["eyes", "confused"]
    reply = world.replies(pull.number)[-1]
    assert "`reopen` failed:" in reply and "head branch was deleted" in reply
    assert world.proposal(pull.number).status is ProposalStatus.CLOSED


def test_a_required_check_that_has_not_started_keeps_the_merge_waiting(merging: World) -> None:
    world = merging
    world.admin("PUT", f"/repos/{REPO}/branches/main/protection", {"contexts": ["tests"]})
    pull = world.pull("jinja2")
    world.ci(pull.head_sha, "lint", "completed", "success")  # green so far, but not `tests`
    world.say(pull.number, "/maintainer merge when green", user="octo-org")
    assert "checks are still running: tests" in world.replies(pull.number)[0]
    assert not world.gh.pull(REPO, pull.number).merged
    world.ci(pull.head_sha, "tests", "completed", "success")
    assert world.gh.pull(REPO, pull.number).merged


def test_a_transient_github_error_lets_the_retried_delivery_run_the_command(world: World) -> None:
    pull = world.pull("click")
    path = f"/repos/{REPO}/collaborators/octo-org/permission"
    world.admin("POST", "/faults", {"path": path, "count": 1, "kind": "error", "status": 502})
    with pytest.raises(ServerError):
        world.say(pull.number, "/maintainer close", user="octo-org")
    comment = world.gh.comments(REPO, pull.number)[-1]
    assert world.gh.pull(REPO, pull.number).open
    world.deliver_comment(
        pull.number,
        {"id": comment.id, "body": comment.body, "user": {"login": "octo-org", "type": "User"}},
    )
    assert not world.gh.pull(REPO, pull.number).open
    assert world.reactions(comment.id)[-1] == "+1"


def test_rebase_at_the_open_pr_limit_rebuilds_the_branch(world: World) -> None:
    open_now = len(world.gh.pulls(REPO))
    world.configure(f"hourly_pr_limit: 20\nopen_pr_limit: {open_now}\n")
    pull = world.pull("jinja2")
    world.harness.human_push(REPO, "main", {"src/unrelated.py": "X = 1\n"}, world.tmp)
    main = world.gh.branch_sha(REPO, "main")
    world.scan()  # behind only: left alone
    comment = world.say(pull.number, "/maintainer rebase", user="octo-org")
    assert world.reactions(comment["id"]) == ["eyes", "+1"]
    _, _, args = world.jobs.jobs[-1]
    world.scan(rebase=args["rebase"])
    [commit] = world.gh.pull_commits(REPO, pull.number)
    assert commit.parents == (main,)
    assert len(world.replies(pull.number)) == 1  # the promise, kept: nothing to take back
    assert len(world.gh.pulls(REPO)) == open_now


def test_a_rebase_that_cannot_happen_is_answered_with_the_reason(world: World) -> None:
    pull = world.pull("click")
    requirements = world.gh.file_text(REPO, "requirements.txt", "main")
    assert requirements is not None
    without_click = "".join(
        line
        for line in requirements.splitlines(keepends=True)
        if not line.lstrip().startswith(("click", "--hash"))
    )
    world.harness.human_push(REPO, "main", {"requirements.txt": without_click}, world.tmp)
    world.ask_and_scan(pull.number, "rebase")
    assert world.gh.pull(REPO, pull.number).head_sha == pull.head_sha
    reply = world.replies(pull.number)[-1]
    assert reply.startswith(f"I did not rebase `{pull.head_ref}`: this scan of `main` no longer")


def test_a_rebase_of_an_up_to_date_branch_says_there_was_nothing_to_do(world: World) -> None:
    pull = world.pull("jinja2")
    world.ask_and_scan(pull.number, "rebase")
    assert world.gh.pull(REPO, pull.number).head_sha == pull.head_sha
    reply = world.replies(pull.number)[-1]
    assert reply.startswith(f"`{pull.head_ref}` is already up to date with `main`")


def queued_services(harness: Harness, tmp_path: Path) -> Services:
    """The service wiring (queue, handlers, replies) on the emulator; one retry per job."""
    settings = Settings(
        app_id=APP_ID,
        private_key=SecretStr(app_keys().private_pem),
        github_url=harness.url,
        data_dir=tmp_path / "data",
        job_retries=1,
        job_retry_delay=0.01,
        workers=0,
    )
    return build_services(settings)


def test_when_the_permission_check_keeps_failing_the_last_attempt_still_answers(
    harness: Harness, index: IndexServer, tmp_path: Path
) -> None:
    """Through the real queue and services: 502s on the permission endpoint fail the delivery
    job, it is retried, and after its last retry the comment is answered (never only 👀)."""
    services = queued_services(harness, tmp_path)
    world = make_world(harness, services.store, index, tmp_path, MERGING)
    pull = world.pull("jinja2")
    world.ci(pull.head_sha, "tests", "completed", "success")
    path = f"/repos/{REPO}/collaborators/octo-org/permission"
    world.admin("POST", "/faults", {"path": path, "count": 1000, "kind": "error", "status": 502})
    comment = world.admin(
        "POST",
        f"/repos/{REPO}/issues/{pull.number}/comments",
        {"user": "octo-org", "body": "/maintainer merge when green"},
    )
    payload = deliveries.issue_comment(
        INSTALLATION_ID,
        world.repository_json(),
        world.gh.request("GET", f"/repos/{REPO}/pulls/{pull.number}"),
        comment,
    )
    job = NewJob(uuid.uuid4().hex, JobKind.DELIVERY, None, "delivery-1")
    body = json.dumps(payload).encode()
    services.queue.accept_deliveries(
        [NewDelivery("delivery-1", "issue_comment", "created", body, job)]
    )
    services.queue.run_job(job.id)  # attempt 1: fails, a retry is scheduled
    first = services.store.job(job.id)
    assert first is not None and first.status is JobStatus.QUEUED
    assert world.replies(pull.number) == []  # not yet: the retry may still succeed
    services.queue.run_job(job.id)  # attempt 2, the last
    last = services.store.job(job.id)
    assert last is not None and last.status is JobStatus.FAILED and "502" in (last.error or "")
    [reply] = world.replies(pull.number)
    assert "`command` failed" in reply and "gave up" in reply
    reactions = world.reactions(comment["id"])  # 👀 on each attempt (GitHub keeps one)
    assert reactions[-1] == "confused" and set(reactions) == {"eyes", "confused"}
    assert not world.gh.pull(REPO, pull.number).merged
    services.store.engine.dispose()


def test_a_rebase_whose_scan_job_gives_up_is_answered_on_the_pr(
    harness: Harness, index: IndexServer, tmp_path: Path
) -> None:
    services = queued_services(harness, tmp_path)
    world = make_world(harness, services.store, index, tmp_path)
    pull = world.pull("jinja2")
    args = {"reason": "command rebase by octo-org", "rebase": [pull.head_ref], "pull": pull.number}
    job_id = services.queue.enqueue(JobKind.SCAN, REPO, args)
    fetches = {"path": f"/{REPO}.git/info/refs", "method": "GET", "count": 1000, "status": 502}
    world.admin("POST", "/faults", fetches)
    services.queue.run_job(job_id)
    assert world.replies(pull.number) == []  # a retry follows
    services.queue.run_job(job_id)
    job = services.store.job(job_id)
    assert job is not None and job.status is JobStatus.FAILED
    [reply] = world.replies(pull.number)
    assert reply.startswith(f"I did not rebase `{pull.head_ref}`: the scan failed and I gave up")
    services.store.engine.dispose()
