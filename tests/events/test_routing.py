"""Event routing on recorded payloads: a real store, recording fakes for jobs and replies."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from app.events import BadPayload, Event, EventContext, Router, router
from app.events.push import relevant
from app.metrics import metrics
from app.store import JobKind, ProposalStatus, RepoRef, Store, open_store
from tests.server.support import RecordingReplies, load

INSTALLATION = 957387
REPO = "Codertocat/Hello-World"
REPO_ID = 186853002


class RecordingJobs:
    def __init__(self) -> None:
        self.jobs: list[tuple[JobKind, str | None, dict[str, Any]]] = []

    def enqueue(
        self, kind: JobKind, repository: str | None, args: Mapping[str, Any] | None = None
    ) -> str:
        self.jobs.append((kind, repository, dict(args or {})))
        return f"job-{len(self.jobs)}"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'state.db'}")


@pytest.fixture
def jobs() -> RecordingJobs:
    return RecordingJobs()


@pytest.fixture
def replies() -> RecordingReplies:
    return RecordingReplies()


@pytest.fixture
def context(store: Store, jobs: RecordingJobs, replies: RecordingReplies) -> EventContext:
    return EventContext(store, jobs, replies, "maintainer-bot")


def send(context: EventContext, event: str, payload: dict[str, Any]) -> int:
    return router.dispatch(Event(event, "delivery-1", payload), context)


def install(context: EventContext) -> None:
    send(context, "installation", load("installation", "created.payload.json"))


def with_installation(payload: dict[str, Any]) -> dict[str, Any]:
    payload = copy.deepcopy(payload)
    payload["installation"] = {"id": INSTALLATION}
    return payload


def test_installation_created_stores_repositories_and_onboards_them(
    context: EventContext, store: Store, jobs: RecordingJobs
) -> None:
    install(context)
    installation = store.installation(INSTALLATION)
    assert installation is not None and installation.account_login == "Codertocat"
    assert [r.full_name for r in store.repositories()] == [REPO]
    assert jobs.jobs == [(JobKind.SCAN, REPO, {"reason": "installed"})]


def test_suspend_unsuspend_delete(context: EventContext, store: Store) -> None:
    install(context)
    suspend = load("installation", "suspend.payload.json")
    suspend["installation"]["id"] = INSTALLATION
    send(context, "installation", suspend)
    assert store.repositories() == []
    unsuspend = load("installation", "unsuspend.payload.json")
    unsuspend["installation"]["id"] = INSTALLATION
    send(context, "installation", unsuspend)
    assert [r.full_name for r in store.repositories()] == [REPO]
    deleted = load("installation", "deleted.payload.json")
    deleted["installation"]["id"] = INSTALLATION
    send(context, "installation", deleted)
    assert store.installation(INSTALLATION) is None and store.repositories() == []


def test_installation_repositories_added_and_removed(
    context: EventContext, store: Store, jobs: RecordingJobs
) -> None:
    install(context)
    send(
        context,
        "installation_repositories",
        load("installation_repositories", "added.payload.json"),
    )
    assert {r.full_name for r in store.repositories()} == {REPO, "Codertocat/Space"}
    assert (JobKind.SCAN, "Codertocat/Space", {"reason": "installed"}) in jobs.jobs
    removed = load("installation_repositories", "removed.payload.json")
    removed["repositories_removed"] = [{"id": 186853007, "full_name": "Codertocat/Space"}]
    removed["installation"]["id"] = INSTALLATION
    send(context, "installation_repositories", removed)
    assert [r.full_name for r in store.repositories()] == [REPO]


def push_touching(*paths: str, ref: str = "refs/heads/master") -> dict[str, Any]:
    payload = with_installation(load("push", "with-new-branch.payload.json"))
    payload["ref"] = ref
    payload["commits"] = [{"added": [], "modified": list(paths), "removed": []}]
    return payload


@pytest.mark.parametrize(
    "paths",
    [
        ["requirements.txt"],
        ["requirements-dev.txt"],
        ["deps/base.in"],
        ["requirements/base.txt"],
        ["pyproject.toml"],
        ["setup.cfg"],
        ["src/pkg/mod.py"],
        [".maintainer.yml"],
    ],
)
def test_push_to_the_default_branch_schedules_a_scan(
    context: EventContext, jobs: RecordingJobs, paths: list[str]
) -> None:
    install(context)
    jobs.jobs.clear()
    send(context, "push", push_touching("README.md", *paths))
    sha = load("push", "with-new-branch.payload.json")["after"]
    assert jobs.jobs == [(JobKind.SCAN, REPO, {"reason": "push", "sha": sha})]


def test_pushes_that_do_not_matter(
    context: EventContext, store: Store, jobs: RecordingJobs
) -> None:
    install(context)
    jobs.jobs.clear()
    send(context, "push", push_touching("README.md", "docs/index.rst"))
    send(context, "push", push_touching("requirements.txt", ref="refs/heads/feature"))
    send(context, "push", load("push", "with-installation.payload.json"))  # a deleted tag
    assert jobs.jobs == []
    store.update_repository(REPO_ID, archived=True)
    send(context, "push", push_touching("requirements.txt"))
    assert jobs.jobs == []


def test_push_without_a_commit_list_scans_to_be_safe(
    context: EventContext, jobs: RecordingJobs
) -> None:
    install(context)
    jobs.jobs.clear()
    payload = push_touching()
    payload["commits"] = []
    send(context, "push", payload)
    assert [kind for kind, _, _ in jobs.jobs] == [JobKind.SCAN]


def test_push_for_an_unknown_repository_of_a_known_installation_records_it(
    context: EventContext, store: Store, jobs: RecordingJobs
) -> None:
    store.upsert_installation(INSTALLATION, "Codertocat", "User")
    send(context, "push", push_touching("setup.cfg"))
    assert [r.full_name for r in store.repositories()] == [REPO]
    assert len(jobs.jobs) == 1


def test_relevant_paths() -> None:
    assert relevant("requirements/prod.in") and relevant("a/b/requirements-test.txt")
    assert relevant(".github/maintainer.yml") and relevant("types.pyi")
    assert not relevant("README.md") and not relevant("requirements.md")


def test_a_push_changing_requirements_base_txt_triggers_a_rescan(
    context: EventContext, jobs: RecordingJobs
) -> None:
    """`manifests.reader_for` reads `requirements/*.txt`: a push touching one is a rescan,
    decided by the path, not the file name (`base.txt` elsewhere is not a manifest)."""
    assert relevant("requirements/base.txt")
    assert not relevant("base.txt") and not relevant("docs/base.txt")
    install(context)
    jobs.jobs.clear()
    send(context, "push", push_touching("docs/base.txt"))
    assert jobs.jobs == []
    send(context, "push", push_touching("requirements/base.txt"))
    assert [(kind, repo) for kind, repo, _ in jobs.jobs] == [(JobKind.SCAN, REPO)]


def test_a_lock_file_change_is_relevant() -> None:
    """Lock-only pins are audited (transitive security fixes): a relock can add a vulnerable one."""
    assert relevant("uv.lock") and relevant("services/api/poetry.lock")
    assert not relevant("Cargo.lock")


def bot_proposal(store: Store, head_sha: str) -> int:
    proposal = store.save_proposal(REPO_ID, "dependency-update", "maintainer/deps/django", "Bump")
    store.set_pull_request(proposal.id, 2, head_sha)
    return proposal.id


def test_pull_request_closed_or_merged_on_a_bot_branch(context: EventContext, store: Store) -> None:
    install(context)
    proposal_id = bot_proposal(store, "abc")
    merged_before = _pulls_counted("merged")
    payload = with_installation(load("pull_request", "closed.payload.json"))
    send(context, "pull_request", payload)  # head "changes": not ours
    record = store.proposal(proposal_id)
    assert record is not None and record.status is ProposalStatus.OPEN
    assert _pulls_counted("merged") == merged_before
    payload["pull_request"]["head"]["ref"] = "maintainer/deps/django"
    payload["pull_request"]["merged"] = True
    send(context, "pull_request", payload)
    record = store.proposal(proposal_id)
    assert record is not None and record.status is ProposalStatus.MERGED
    assert record.outcome == "merged"
    assert _pulls_counted("merged") == merged_before + 1


def _pulls_counted(event: str) -> float:
    """The process's `maintainer_pull_requests_total{event=...}` (the handlers record there)."""
    found = metrics().registry.get_sample_value("maintainer_pull_requests_total", {"event": event})
    return found or 0.0


def test_pull_request_closed_unmerged(context: EventContext, store: Store) -> None:
    install(context)
    proposal_id = bot_proposal(store, "abc")
    payload = with_installation(load("pull_request", "closed.payload.json"))
    payload["pull_request"]["head"]["ref"] = "maintainer/deps/django"
    closed_before = _pulls_counted("closed")
    send(context, "pull_request", payload)
    record = store.proposal(proposal_id)
    assert record is not None and record.status is ProposalStatus.CLOSED
    assert _pulls_counted("closed") == closed_before + 1


def suite(conclusion: str, head_sha: str, branch: str = "maintainer/deps/django") -> dict[str, Any]:
    payload = with_installation(load("check_suite", "completed.payload.json"))
    payload["check_suite"].update(conclusion=conclusion, head_sha=head_sha, head_branch=branch)
    return payload


def run(conclusion: str, head_sha: str, name: str = "tests") -> dict[str, Any]:
    payload = with_installation(load("check_run", "completed.payload.json"))
    payload["check_run"].update(conclusion=conclusion, head_sha=head_sha, name=name)
    payload["check_run"]["check_suite"]["head_branch"] = "maintainer/deps/django"
    return payload


def test_ci_results_on_a_bot_head_are_recorded_and_refresh_the_pr(
    context: EventContext, store: Store, jobs: RecordingJobs
) -> None:
    install(context)
    proposal_id = bot_proposal(store, "abc")
    jobs.jobs.clear()
    refresh = (JobKind.REFRESH, REPO, {"proposal_id": proposal_id})

    send(context, "check_suite", suite("success", "abc"))
    record = store.proposal(proposal_id)
    assert record is not None and (record.ci_result, record.ci_sha) == ("success", "abc")
    assert jobs.jobs == [refresh]

    send(context, "check_suite", suite("success", "abc"))  # nothing new: no refresh
    send(context, "check_run", run("success", "abc"))
    assert jobs.jobs == [refresh]

    send(context, "check_run", run("failure", "abc"))  # a failing run makes CI red
    record = store.proposal(proposal_id)
    assert record is not None and record.ci_result == "failure"
    assert jobs.jobs == [refresh, refresh]

    send(context, "check_run", run("success", "abc"))  # one green run does not undo it
    record = store.proposal(proposal_id)
    assert record is not None and record.ci_result == "failure"


def test_ci_elsewhere_is_ignored(context: EventContext, store: Store, jobs: RecordingJobs) -> None:
    install(context)
    proposal_id = bot_proposal(store, "abc")
    jobs.jobs.clear()
    send(context, "check_suite", suite("failure", "abc", branch="feature"))
    send(context, "check_suite", suite("failure", "other-sha"))
    send(context, "check_run", run("failure", "abc", name="maintainer/config"))
    record = store.proposal(proposal_id)
    assert record is not None and record.ci_result is None
    assert jobs.jobs == []


def test_repository_renamed_archived_deleted(context: EventContext, store: Store) -> None:
    install(context)
    renamed = load("repository", "renamed.payload.json")
    renamed["repository"].update(id=REPO_ID, full_name="Codertocat/Hi-World")
    send(context, "repository", renamed)
    assert store.repository("Codertocat/Hi-World") is not None
    archived = copy.deepcopy(renamed)
    archived["action"] = "archived"
    send(context, "repository", archived)
    assert store.repositories() == []
    archived["action"] = "unarchived"
    send(context, "repository", archived)
    assert len(store.repositories()) == 1
    archived["action"] = "deleted"
    send(context, "repository", archived)
    assert store.repositories() == []


def test_default_branch_edit(context: EventContext, store: Store) -> None:
    install(context)
    edited = load("repository", "edited.with-default_branch-edit.payload.json")
    edited["repository"]["id"] = REPO_ID
    send(context, "repository", edited)
    stored = store.repository_by_id(REPO_ID)
    assert stored is not None
    assert stored.default_branch == edited["repository"]["default_branch"]


def comment(body: str, user_type: str = "User") -> dict[str, Any]:
    payload = with_installation(load("issue_comment", "created.payload.json"))
    payload["comment"]["body"] = body
    payload["comment"]["user"]["type"] = user_type
    return payload


def test_help_command_is_answered_through_the_replies_port(
    context: EventContext, replies: RecordingReplies
) -> None:
    send(context, "issue_comment", comment("@maintainer-bot help"))
    [(installation, repository, number, body)] = replies.comments
    assert (installation, repository, number) == (INSTALLATION, REPO, 1)
    assert "| `help` |" in body and "@maintainer-bot" in body


def test_unknown_commands_get_help_and_other_comments_nothing(
    context: EventContext, replies: RecordingReplies
) -> None:
    send(context, "issue_comment", comment("\n/maintainer frobnicate now"))
    assert "I don't know the command `frobnicate`" in replies.comments[0][3]
    send(context, "issue_comment", comment("Thanks! @maintainer-bot help later"))
    send(context, "issue_comment", comment("@maintainer-bot help", user_type="Bot"))
    assert len(replies.comments) == 1


def test_router_composes_and_matches_actions() -> None:
    calls: list[str] = []
    first: Router[None] = Router()
    second: Router[None] = Router()

    @first.register("pull_request", "opened", "reopened")
    def opened(event: Event, context: None) -> None:
        calls.append("opened")

    @second.register("pull_request")
    def any_action(event: Event, context: None) -> None:
        calls.append("any")

    both: Router[None] = Router(first, second)
    assert both.dispatch(Event("pull_request", "d", {"action": "reopened"}), None) == 2
    assert both.dispatch(Event("pull_request", "d", {"action": "closed"}), None) == 1
    assert both.dispatch(Event("push", "d", {}), None) == 0
    assert calls == ["any", "opened", "any"]


def test_typed_models_are_parsed_only_on_demand() -> None:
    event = Event("push", "d", load("push", "with-new-branch.payload.json"))
    assert event.model().ref == "refs/heads/master"
    broken = Event("push", "d", {"ref": 1})
    assert broken.action is None  # routing still works on the raw dict
    with pytest.raises(Exception):  # noqa: B017 - githubkit's validation error
        broken.model()


def test_every_handled_event_has_a_recorded_payload() -> None:
    from tests.server.support import PAYLOADS

    for event, _action in router.events():
        assert (PAYLOADS / event).is_dir(), event


def test_store_refs_from_payloads() -> None:
    from app.events.payload import repo_refs

    assert repo_refs([{"id": 1, "full_name": "a/b"}, {"id": "x"}, None]) == [RepoRef(1, "a/b")]


@pytest.mark.parametrize(
    "body",
    [b"[" * 5_000 + b"]" * 5_000, b'{"n": ' + b"9" * 5_000 + b"}", b"[1]", b"{bad"],
    ids=["deep", "huge-integer", "array", "broken"],
)
def test_a_stored_body_that_cannot_be_parsed_is_a_bad_payload(body: bytes) -> None:
    with pytest.raises(BadPayload, match="JSON"):
        Event.from_body("push", "delivery-1", body)


def test_a_completed_workflow_run_attempt_enqueues_its_collection(
    context: EventContext, jobs: RecordingJobs
) -> None:
    payload = copy.deepcopy(load("workflow_run", "completed.payload.json"))
    payload["installation"] = {"id": INSTALLATION}
    payload["workflow_run"]["run_attempt"] = 2
    assert send(context, "workflow_run", payload) == 1
    [(kind, repository, args)] = jobs.jobs
    run = payload["workflow_run"]
    assert kind is JobKind.CI_RUN and repository == payload["repository"]["full_name"]
    assert args["run_id"] == run["id"] and args["attempt"] == 2
    assert args["head_sha"] == run["head_sha"] and args["conclusion"] == "success"
    assert args["workflow"] == "test"  # the run's name is empty: the workflow's name
    requested = copy.deepcopy(load("workflow_run", "requested.payload.json"))
    requested["installation"] = {"id": INSTALLATION}
    send(context, "workflow_run", requested)
    assert len(jobs.jobs) == 1  # only completed attempts are collected
