"""The store against SQLite files and PostgreSQL schemas (the `database_url` fixture), migrated
by Alembic exactly as at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.config import RepoConfig, Schedule
from app.health.samples import StoredSample
from app.store import (
    JobStatus,
    NewJob,
    ProposalStatus,
    RepoRef,
    Store,
    alembic_config,
    make_engine,
    migrate,
    open_store,
)
from app.store.models import Base


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database_url: str, clock: Clock) -> Iterator[Store]:
    store = open_store(database_url, clock)
    yield store
    store.engine.dispose()


def installed(store: Store) -> None:
    store.upsert_installation(7, "octo-org", "Organization")
    store.add_repositories(7, [RepoRef(1, "octo-org/one"), RepoRef(2, "octo-org/two", True, "dev")])


def test_migrations_create_every_table_and_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True)
    try:
        migrate(engine)
        migrate(engine)  # idempotent: already at head
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_migrations_go_down_to_nothing_and_up_again(database_url: str, clock: Clock) -> None:
    """upgrade → downgrade → upgrade: every revision's downgrade runs, on both backends, and
    the schema after the second upgrade is the models' again."""
    store = open_store(database_url, clock)
    installed(store)
    engine = store.engine
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert store.repositories() == []  # the tables are new
        installed(store)
        assert len(store.repositories()) == 2
    finally:
        engine.dispose()


def test_installation_lifecycle(store: Store) -> None:
    installed(store)
    assert [r.full_name for r in store.repositories()] == ["octo-org/one", "octo-org/two"]
    two = store.repository("octo-org/two")
    assert two is not None and two.private and two.default_branch == "dev"
    assert (two.owner, two.name) == ("octo-org", "two")

    assert store.set_installation_suspended(7, True)
    assert store.repositories() == []
    store.set_installation_suspended(7, False)

    store.remove_repositories(7, [2])
    assert [r.full_name for r in store.repositories()] == ["octo-org/one"]
    store.add_repositories(7, [RepoRef(2, "octo-org/two")])
    assert len(store.repositories()) == 2

    store.delete_installation(7)
    assert store.installation(7) is None
    assert store.repositories() == []
    kept = store.repository("octo-org/one")
    assert kept is not None and not kept.active and kept.installation_id is None


def test_rename_archive_and_name_reuse(store: Store) -> None:
    installed(store)
    store.update_repository(1, full_name="octo-org/uno")
    assert store.repository("octo-org/one") is None
    assert store.repository_by_id(1) is not None
    store.update_repository(1, archived=True)
    assert [r.full_name for r in store.repositories()] == ["octo-org/two"]
    # a new repository takes a name an old one had: the old row keeps its history
    store.add_repositories(7, [RepoRef(3, "octo-org/two")])
    new = store.repository("octo-org/two")
    assert new is not None and new.id == 3
    old = store.repository_by_id(2)
    assert old is not None and not old.active


def test_last_valid_config_survives_an_error(store: Store) -> None:
    installed(store)
    assert store.last_valid_config(1) is None
    config = RepoConfig(schedule=Schedule(interval="daily"), open_pr_limit=2)
    store.save_valid_config(1, config, "a" * 40)
    store.record_config_error(1, "line 3: schedule.interval: bad", "b" * 40)
    assert store.last_valid_config(1) == config
    repo = store.repository_by_id(1)
    assert repo is not None and repo.config_error == "line 3: schedule.interval: bad"
    store.save_valid_config(1, RepoConfig(), "c" * 40)
    repo = store.repository_by_id(1)
    assert repo is not None and repo.config_error is None


def test_delivery_dedupe_records_one_job(store: Store) -> None:
    job = NewJob("j1", "delivery", "octo-org/one", "d-1")
    assert store.record_delivery("d-1", "push", None, b"{}", job)
    assert not store.record_delivery("d-1", "push", None, b"{}", NewJob("j2", "delivery"))
    delivery = store.delivery("d-1")
    assert delivery is not None and delivery.body == b"{}"
    assert store.job_count() == 1
    store.forget_deliveries(["d-1"])
    assert store.job_count() == 0
    assert store.record_delivery("d-1", "push", None, b"{}", job)


def test_job_states_and_orphans(store: Store, clock: Clock) -> None:
    store.add_job(NewJob("j1", "scan", "octo-org/one", args={"reason": "push"}))
    started = store.start_job("j1", "host:1")
    assert started is not None and started.attempts == 1 and started.args == {"reason": "push"}
    assert store.orphaned_jobs(lambda owner: owner == "host:1")[0].id == "j1"
    assert store.orphaned_jobs(lambda owner: False) == []
    store.retry_job("j1", "HTTP 502")
    again = store.start_job("j1", "host:2")
    assert again is not None and again.attempts == 2
    store.fail_job("j1", "HTTP 502 after 2 attempts")
    assert store.start_job("j1", "host:3") is None
    failed = store.jobs(JobStatus.FAILED)
    assert [(j.id, j.error) for j in failed] == [("j1", "HTTP 502 after 2 attempts")]
    store.add_job(NewJob("j2", "scan"))
    store.start_job("j2", "host:2")
    store.finish_job("j2")
    assert store.job_count(JobStatus.SUCCEEDED) == 1
    assert store.prune_jobs(clock.now) == 0
    assert store.prune_jobs(clock.now + timedelta(seconds=1)) == 1  # the failed one stays
    assert [j.id for j in store.jobs()] == ["j1"]


def test_locks_exclude_and_recover_from_dead_or_silent_owners(store: Store, clock: Clock) -> None:
    alive = {"a", "b"}

    def dead(owner: str) -> bool:
        return owner not in alive

    stale = clock.now - timedelta(minutes=5)
    assert store.try_lock("repo", "a", stale, dead)
    assert store.try_lock("repo", "a", stale, dead)  # re-entrant for its owner
    assert not store.try_lock("repo", "b", stale, dead)
    alive.discard("a")
    assert store.try_lock("repo", "b", stale, dead)
    assert not store.heartbeat("repo", "a")
    clock.now += timedelta(minutes=10)
    alive.add("c")
    assert store.try_lock("repo", "c", clock.now - timedelta(minutes=5), dead)
    store.unlock("repo", "b")  # not the holder: no effect
    assert not store.try_lock("repo", "b", clock.now - timedelta(minutes=5), dead)
    store.unlock("repo", "c")
    assert store.try_lock("repo", "b", clock.now - timedelta(minutes=5), dead)


def test_proposals_pull_requests_outcomes_and_ci(store: Store, clock: Clock) -> None:
    installed(store)
    proposal = store.save_proposal(1, "dependency-update", "maintainer/deps/django-5.2", "Bump")
    assert proposal.status is ProposalStatus.DRAFT
    same = store.save_proposal(1, "dependency-update", "maintainer/deps/django-5.2", "Bump 2")
    assert same.id == proposal.id and same.title == "Bump 2"
    store.set_pull_request(proposal.id, 12, "abc")
    opened = store.proposal(proposal.id)
    assert opened is not None and opened.opened_at == clock.now
    clock.now += timedelta(minutes=1)
    store.set_pull_request(proposal.id, 12, "abd")  # the same PR updated: opened_at stays
    reopened = store.proposal(proposal.id)
    assert reopened is not None and reopened.opened_at == opened.opened_at
    store.set_pull_request(proposal.id, 12, "abc")
    [updated] = store.record_ci_result(1, "abc", "failure")
    assert (updated.ci_result, updated.ci_sha) == ("failure", "abc")
    assert store.record_ci_result(1, "other", "success") == []
    store.mark_stopped(proposal.id, notice_posted=True)
    merged = store.record_pr_outcome(1, 12, merged=True)
    assert merged is not None and merged.status is ProposalStatus.MERGED
    assert merged.outcome == "merged" and merged.stopped and merged.stop_notice_posted
    assert store.record_pr_outcome(1, 99, merged=False) is None
    assert store.proposals(1, [ProposalStatus.OPEN]) == []
    assert [p.id for p in store.proposals(1)] == [proposal.id]


def test_ignore_rules(store: Store) -> None:
    installed(store)
    rule = store.add_ignore(1, "django", versions=[">=6"], reason="later", created_by="alice")
    assert rule.versions == (">=6",) and rule.created_by == "alice"
    assert store.ignore_rules(2) == []
    assert store.remove_ignore(1, "django") == 1
    assert store.ignore_rules(1) == []


def test_datetimes_come_back_aware_utc(store: Store, clock: Clock) -> None:
    installed(store)
    store.mark_scanned(1)
    repo = store.repository_by_id(1)
    assert repo is not None and repo.last_scan_at == clock.now
    assert repo.last_scan_at.tzinfo is not None


def test_batched_deliveries_dedupe_within_and_across_batches(store: Store) -> None:
    from app.store import NewDelivery

    def item(delivery: str, job: str) -> NewDelivery:
        return NewDelivery(delivery, "push", None, b"{}", NewJob(job, "delivery", None, delivery))

    assert store.record_deliveries([item("a", "1"), item("b", "2"), item("a", "3")]) == [
        True,
        True,
        False,
    ]
    assert store.record_deliveries([item("b", "4"), item("c", "5")]) == [False, True]
    assert store.delivery_count() == 3 and store.job_count() == 3
    store.forget_deliveries(["a", "c"])
    assert store.delivery_count() == 1 and store.job_count() == 1


def test_health_samples_one_per_day_oldest_first_and_bot_issue_numbers(store: Store) -> None:
    installed(store)

    def sample(day: date, score: int) -> StoredSample:
        return StoredSample("c" * 40, day, score, {"libyears": 1.5}, {"complexity": 90}, (), {})

    store.put_health_sample(1, sample(date(2026, 3, 2), 80))
    store.put_health_sample(1, sample(date(2026, 2, 23), 70))
    store.put_health_sample(1, sample(date(2026, 3, 2), 85))  # same day: replaced
    store.put_health_sample(2, sample(date(2026, 3, 2), 10))
    assert [(s.day, s.score) for s in store.health_samples(1)] == [
        (date(2026, 2, 23), 70),
        (date(2026, 3, 2), 85),
    ]
    assert [s.score for s in store.health_samples(1, since=date(2026, 3, 1))] == [85]
    assert store.health_samples(1)[0].metrics == {"libyears": 1.5}

    assert store.bot_issue(1, "report") is None
    store.remember_bot_issue(1, "report", 12)
    store.remember_bot_issue(1, "report", 14)
    store.remember_bot_issue(2, "report", 3)
    assert (store.bot_issue(1, "report"), store.bot_issue(2, "report")) == (14, 3)
    store.forget_bot_issue(1, "report")
    assert (store.bot_issue(1, "report"), store.bot_issue(2, "report")) == (None, 3)
