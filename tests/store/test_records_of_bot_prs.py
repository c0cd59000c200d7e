"""The store's records of bot PRs that comment commands read and write: ignores, claimed
comments, merge requests, rejections (real SQLite and PostgreSQL, migrated)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.model import Change
from app.store import ProposalStatus, RepoRef, Store, open_store


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = open_store(database_url)
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
