"""Lifecycle policy (pure) and the store's conversation records (real SQLite, migrated)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.commands import IgnoreView
from app.commands.lifecycle import changes_of, rejected_rules, should_update_branch
from app.config import RepoConfig, UpdateType
from app.events.conversation import ignore_views, summarize_checks
from app.github import CheckRun
from app.model import Change, Edit, Finding, Kind, Proposal, Risk, RiskLevel
from app.planner import plan
from app.store import ProposalStatus, RepoRef, Store, open_store
from app.updates import Update

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def update(package: str, old: str, new: str, kind: UpdateType = UpdateType.MINOR) -> Finding:
    detail = Update(
        package=package,
        from_version=old,
        from_spec=f"=={old}",
        to_version=new,
        to_spec=f"=={new}",
        update_type=kind,
        manifest="requirements.txt",
        line=1,
        releases_behind=1,
        days_behind=30,
        released=NOW - timedelta(days=30),
        development=False,
        group=None,
    )
    edit = Edit("requirements.txt", 0, f"{package}=={old}", f"{package}=={new}")
    return Finding(Kind.DEPENDENCY_UPDATE, package, f"{old} → {new}", detail, (edit,))


def test_a_closed_version_is_not_proposed_again_but_a_newer_one_is() -> None:
    rules = rejected_rules([("requests", "2.32.3", 12)])
    assert rules[0].reason == "#12 was closed without merging"
    findings = [update("requests", "2.31.0", "2.32.3"), update("requests", "2.31.0", "2.32.0")]
    held = plan(findings, RepoConfig(), NOW, stored_ignores=rules)
    assert held.batches == [] and "#12 was closed" in held.held[0].reason
    newer = [update("requests", "2.31.0", "2.33.0"), *findings]
    chosen = plan(newer, RepoConfig(), NOW, stored_ignores=rules)
    [batch] = chosen.batches
    assert batch.findings[0].detail.to_version == "2.33.0"  # type: ignore[attr-defined]


def test_changes_of_a_proposal() -> None:
    findings = (update("b", "1.0", "1.1"), update("a", "2.0", "3.0", UpdateType.MAJOR))
    proposal = Proposal(
        id="x",
        kind=Kind.DEPENDENCY_UPDATE,
        title="t",
        branch="maintainer/x",
        findings=findings,
        risk=Risk(RiskLevel.LOW, ()),
        labels=(),
        body="",
        commit_message="m",
    )
    assert changes_of(proposal) == [
        Change("a", "2.0", "3.0", "major"),
        Change("b", "1.0", "1.1", "minor"),
    ]


@pytest.mark.parametrize(
    ("policy", "requested", "same_edit", "expected"),
    [
        ("conflicted", False, True, False),  # only behind: left alone (no CI storm)
        ("conflicted", False, False, True),  # the base changed what the PR edits
        ("behind", False, True, True),
        ("never", False, False, False),
        ("never", True, True, True),  # /maintainer rebase
        ("conflicted", True, True, True),
    ],
)
def test_rebase_policy(policy: str, requested: bool, same_edit: bool, expected: bool) -> None:
    assert should_update_branch(policy, requested=requested, same_edit=same_edit) is expected  # type: ignore[arg-type]


def test_checks_summary_ignores_own_runs_and_keeps_the_latest_per_name() -> None:
    def run(id: int, name: str, status: str, conclusion: str | None) -> CheckRun:
        return CheckRun(id, name, "sha", status, conclusion, None, None)

    checks = summarize_checks(
        [
            run(1, "tests", "completed", "failure"),
            run(5, "tests", "completed", "success"),
            run(2, "lint", "in_progress", None),
            run(3, "docs", "completed", "skipped"),
            run(4, "maintainer/config", "completed", "failure"),
            run(6, "types", "completed", "timed_out"),
        ]
    )
    assert (checks.passed, checks.pending, checks.failing) == (
        ("docs", "tests"),
        ("lint",),
        ("types",),
    )
    assert not checks.green
    waiting = summarize_checks([run(1, "lint", "completed", "success")], required=["e2e", "lint"])
    assert (waiting.passed, waiting.pending) == (("lint",), ("e2e",))


def test_ignore_views_join_the_store_and_the_file() -> None:
    config = RepoConfig.model_validate({"ignore": [{"dependency": "django", "versions": [">=5"]}]})
    [view] = ignore_views([], config)
    assert view == IgnoreView("django", (">=5",), (), ".maintainer.yml")
    assert view.scope == ">=5"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    store.upsert_installation(1, "o", "User")
    store.add_repositories(1, [RepoRef(10, "o/a")])
    yield store
    store.engine.dispose()


def test_stored_ignores_carry_who_when_and_which_pr(store: Store) -> None:
    store.add_ignore(
        10, "Requests", versions=["==2.*"], reason="r", created_by="alice", pr_number=4
    )
    store.add_ignore(10, "flask", created_by="bob")
    first, _ = store.ignore_rules(10)
    assert (first.dependency, first.versions, first.created_by, first.pr_number) == (
        "requests",
        ("==2.*",),
        "alice",
        4,
    )
    assert first.created_at is not None and first.created_at.tzinfo is not None
    assert [r.dependency for r in store.ignore_rules(10)] == ["requests", "flask"]
    assert store.remove_ignore(10, "REQUESTS") == 1
    assert store.remove_ignore(10, "*") == 1 and store.ignore_rules(10) == []


def test_comment_claims_merge_requests_and_rejections(store: Store) -> None:
    assert store.claim_comment(99, 10, 1, "alice") and not store.claim_comment(99, 10, 1, "alice")
    store.release_comment(99)
    assert store.claim_comment(99, 10, 1, "alice")

    closed = store.save_proposal(10, "dependency-update", "maintainer/a", "a")
    superseded = store.save_proposal(10, "dependency-update", "maintainer/b", "b")
    store.set_pull_request(closed.id, 1, "1" * 40)
    store.set_pull_request(superseded.id, 2, "2" * 40)
    store.record_changes(closed.id, [Change("a", "1.0", "1.1", "minor")])
    store.record_changes(superseded.id, [Change("b", "1.0", "2.0", "major")])
    store.record_pr_outcome(10, 1, merged=False)
    store.close_proposal(superseded.id, ProposalStatus.SUPERSEDED, "superseded")
    store.record_pr_outcome(10, 2, merged=False)  # its webhook arrives after
    assert store.rejected(10) == [("a", "1.1", 1)]
    store.reopen(closed.id)
    assert store.rejected(10) == []

    store.request_merge(closed.id, "alice")
    request = store.merge_request(closed.id)
    assert request is not None and request.requested_by == "alice"
    store.cancel_merge(closed.id)
    assert store.merge_request(closed.id) is None
    assert store.proposal_by_number(10, 2) == store.proposal(superseded.id)
