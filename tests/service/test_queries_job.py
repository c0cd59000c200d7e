"""The App side of slow-query maintenance, against the emulator and the machine's PostgreSQL:
the daily tick queues a queries job for each repository `MAINTAINER_DATABASES` names; the job
analyses the database, keeps the day's snapshot in the App's history, opens one draft PR per
index that has a model (model change + migration), an issue with the DDL for one that has
none, and a second run opens no duplicate. A database that cannot be analysed fails the job
for good with a message naming what is missing, without the DSN's password.

Small tables (20,000 rows, `min_table_rows: 1000`) keep it fast; the 500,000-row end to end of
the advisor itself is tests/queries/test_queries_postgres.py.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from app.config import RepoConfig, parse_config
from app.github import GitHub, Issue, PullRequest
from app.planner import Budget, within_limits
from app.queries.history import FILENAME, FOLDER
from app.queue import Queue, RetryPolicy, build_huey
from app.service.queries_job import QueriesJob
from app.service.wiring import tick_handler
from app.settings import Settings
from app.store import JobKind, JobRecord, JobStatus, RepoRef, Store, open_store
from tests.queries.conftest import ADMIN, FILL, FIXTURES, ShopDatabase, _skip_reason, dsn, migrate
from tests.queries.test_queries_postgres import explained_cost, indexes_of
from tests.support import git
from tests.support.harness import DEMO_TREE, INSTALLATION_ID, Harness, settings_for
from tests.support.proposals import bump

SHOP = "octo-org/shop"
ORPHAN = "octo-org/orphan"
ROWS = 20_000
CONFIG = """
enabled: [performance]
queries:
  min_table_rows: 1000
"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def shop_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShopDatabase]:
    """``queriesapp_<random>``: the SQLAlchemy shop migrated, 20,000 orders, dropped after."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    name = f"queriesapp_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(dsn(name), autocommit=True) as db:
            for extension in ("pg_stat_statements", "hypopg", "pg_qualstats"):
                db.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        tree = tmp_path_factory.mktemp("shop") / "tree"
        shutil.copytree(FIXTURES / "sqlalchemy-shop", tree)
        (tree / ".maintainer.yml").write_text(CONFIG)
        database = ShopDatabase(name, tree, "widget_order", "sqlalchemy")
        migrate(database)
        with psycopg.connect(dsn(name), autocommit=True) as db:
            fill = FILL.format(customer="customer", orders="widget_order", rows=ROWS)
            db.execute(fill.encode())
        yield database
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def workload(database: ShopDatabase) -> None:
    """This database's statistics period (its own counters only: other tests share the
    cluster): an unindexed column pair, an ORDER BY … LIMIT, a well-indexed control."""
    with psycopg.connect(database.dsn, autocommit=True) as db:
        db.execute("SELECT pg_stat_force_next_flush()")
        db.execute(
            "SELECT pg_stat_statements_reset(0, oid, 0), pg_stat_reset() "
            "FROM pg_database WHERE datname = current_database()"
        )
        db.execute("SET pg_qualstats.sample_rate = 1")
        for i in range(12):
            db.execute(
                "SELECT id, total FROM widget_order WHERE status = %s AND region = %s",
                (f"s{i % 40}", f"r{(i * 7) % 50}"),
            ).fetchall()
            db.execute(
                "SELECT id FROM widget_order ORDER BY created_at DESC LIMIT %s", (10,)
            ).fetchall()
        for i in range(400):
            db.execute("SELECT status FROM widget_order WHERE id = %s", (i * 37 + 1,)).fetchall()
        db.execute("SELECT pg_stat_force_next_flush()")


@dataclass
class App:
    harness: Harness
    settings: Settings
    store: Store
    queue: Queue
    github: GitHub
    clock: Clock

    def tick(self) -> list[JobRecord]:
        """One tick, then each queries job it queued; the jobs as they ended."""
        self.queue.run_job(self.queue.enqueue(JobKind.TICK, None))
        ran = []
        for job in self.store.jobs(JobStatus.QUEUED):
            if job.kind == JobKind.QUERIES:
                self.queue.run_job(job.id)
                done = self.store.job(job.id)
                assert done is not None
                ran.append(done)
        return ran

    def pulls(self, repo: str = SHOP) -> list[PullRequest]:
        return self.github.installation(INSTALLATION_ID).pulls(repo, state="all")

    def issues(self, repo: str) -> list[Issue]:
        return self.github.installation(INSTALLATION_ID).issues(repo, state="all")


def make_app(
    harness: Harness, tmp_path: Path, databases: dict[str, str], trees: dict[str, Path | None]
) -> App:
    clock = Clock()
    base = settings_for(harness, tmp_path)
    settings = Settings(
        **{**base.model_dump(), "workers": 0, "databases": SecretStr(json.dumps(databases))}
    )
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}", clock)
    queue = Queue(build_huey(settings), store, RetryPolicy(retries=3), settings.tick_minutes)
    github = harness.github()
    queue.handlers[JobKind.TICK] = tick_handler(
        store, queue, databases=lambda: settings.repository_databases().keys()
    )
    queue.handlers[JobKind.SCAN] = lambda job: None
    queue.handlers[JobKind.REPORT] = lambda job: None
    queue.handlers[JobKind.QUERIES] = QueriesJob(settings, store, github.installation, clock=clock)
    store.upsert_installation(INSTALLATION_ID, "octo-org", "Organization")
    for name, tree in trees.items():
        harness.seed(name, tree)
        repo = harness.emulator.state.repo(name)
        assert repo is not None
        store.add_repositories(INSTALLATION_ID, [RepoRef(repo.id, name, False, "main")])
        record = store.repository(name)
        assert record is not None
        store.save_valid_config(record.id, parse_config(CONFIG, ".maintainer.yml"), None)
    return App(harness, settings, store, queue, github, clock)


@pytest.fixture
def app(harness: Harness, tmp_path: Path, shop_database: ShopDatabase) -> Iterator[App]:
    orphan = tmp_path / "orphan"  # the same database, a repository with no model for it
    orphan.mkdir()
    (orphan / ".maintainer.yml").write_text(CONFIG)
    (orphan / "README.md").write_text("Reads the shop's database; its models live elsewhere.\n")
    made = make_app(
        harness,
        tmp_path,
        {SHOP: shop_database.dsn, ORPHAN: shop_database.dsn},
        {SHOP: shop_database.repo, ORPHAN: orphan},
    )
    yield made
    made.github.close()
    made.store.engine.dispose()


def changed_files(harness: Harness, branch: str) -> list[str]:
    bare = harness.emulator.repo_path(SHOP)
    return sorted(git(bare, "diff", "--name-only", "main", branch).split())


@pytest.mark.slow
def test_a_database_gets_draft_index_prs_once_and_an_issue_where_no_model_owns_the_table(
    app: App, shop_database: ShopDatabase
) -> None:
    workload(shop_database)
    jobs = app.tick()
    assert sorted(j.repository or "" for j in jobs) == [ORPHAN, SHOP]
    assert all(j.status is JobStatus.SUCCEEDED for j in jobs), jobs

    pulls = app.pulls()
    by_columns = {p.title.rsplit("(", 1)[1].rstrip(")"): p for p in pulls}
    assert set(by_columns) == {"status, region", "created_at"}, [p.title for p in pulls]
    for pull in pulls:
        assert pull.draft and pull.open and pull.labels == ("performance",)
        assert pull.head_ref.startswith("maintainer/performance/index-widget_order_")
        assert "CREATE INDEX CONCURRENTLY" in pull.body and "DROP INDEX CONCURRENTLY" in pull.body
        files = changed_files(app.harness, pull.head_ref)
        assert files[1] == "shop/models.py" and files[0].startswith("migrations/versions/"), files
    pair = by_columns["status, region"]
    bare = app.harness.emulator.repo_path(SHOP)
    model = git(bare, "show", f"{pair.head_ref}:shop/models.py")
    assert 'Index("widget_order_status_region_idx", "status", "region")' in model
    record = app.store.repository(SHOP)
    assert record is not None
    stored = {p.branch: p for p in app.store.proposals(record.id)}
    assert {stored[p.head_ref].pr_number for p in pulls} == {p.number for p in pulls}

    # No model in the orphan: one issue per index, with the DDL, and no PR.
    assert app.pulls(ORPHAN) == []
    issues = app.issues(ORPHAN)
    assert len(issues) == 2
    for issue in issues:
        assert issue.open and "create it by hand" in issue.title
        assert "CREATE INDEX CONCURRENTLY" in issue.body
        assert "no model in the repository owns widget_order" in issue.body

    # The day's snapshot is in the App's history (cache root), one per database and series.
    history = app.settings.cache_root() / FOLDER / FILENAME
    with sqlite3.connect(history) as db:
        series = {s for (s,) in db.execute("SELECT series FROM samples")}
    assert "table:widget_order" in series and any(s.startswith("statement:") for s in series)

    # The same day: no second job. The next day, nothing new: no new PR, no new issue.
    assert app.tick() == []
    app.clock.now += timedelta(days=1)
    workload(shop_database)
    again = app.tick()
    assert len(again) == 2 and all(j.status is JobStatus.SUCCEEDED for j in again)
    assert sorted(p.number for p in app.pulls()) == sorted(p.number for p in pulls)
    assert all(p.open for p in app.pulls())
    assert [i.number for i in app.issues(ORPHAN)] == [i.number for i in issues]
    with sqlite3.connect(history) as db:
        [(days,)] = db.execute(
            "SELECT COUNT(DISTINCT day) FROM samples WHERE series = 'table:widget_order'"
        ).fetchall()
    assert days == 2

    # The PR's migration, run as its users would, really creates the index, and the plan of
    # the statement it was proposed for gets cheaper (undone after, for the other tests).
    clone = app.harness.data.parent / "clone"
    git(app.harness.data.parent, "clone", "-q", "-b", pair.head_ref, str(bare), str(clone))
    query = "SELECT id, total FROM widget_order WHERE status = 's3' AND region = 'r21'"
    before = explained_cost(shop_database, query, ())
    migrate(ShopDatabase(shop_database.name, clone, "widget_order", "sqlalchemy"))
    try:
        assert "widget_order_status_region_idx" in indexes_of(shop_database)
        assert explained_cost(shop_database, query, ()) < before / 2
        # With the index in the database, the next day proposes it nowhere: the orphan's
        # issue for it is closed, the other stays; no PR is opened.
        app.clock.now += timedelta(days=1)
        workload(shop_database)
        third = app.tick()
        assert len(third) == 2 and all(j.status is JobStatus.SUCCEEDED for j in third)
        assert sorted(p.number for p in app.pulls()) == sorted(p.number for p in pulls)
        states = {i.title.split()[1]: i.open for i in app.issues(ORPHAN)}
        assert states == {
            "widget_order_status_region_idx": False,
            "widget_order_created_at_idx": True,
        }, states
    finally:
        alembic(clone, shop_database.name, "downgrade", "-1")
    assert "widget_order_status_region_idx" not in indexes_of(shop_database)


def alembic(repo: Path, name: str, *args: str) -> None:
    env = {
        **os.environ,
        "SHOP_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
        "PYTHONPATH": str(repo),
    }
    command = [sys.executable, "-m", "alembic", *args]
    subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True, text=True)


@pytest.mark.slow
def test_open_pr_limit_holds_the_second_index(
    harness: Harness, tmp_path: Path, shop_database: ShopDatabase
) -> None:
    tree = tmp_path / "limited"
    shutil.copytree(shop_database.repo, tree, ignore=shutil.ignore_patterns(".git"))
    (tree / ".maintainer.yml").write_text(CONFIG + "open_pr_limit: 1\n")
    app = make_app(harness, tmp_path, {SHOP: shop_database.dsn}, {SHOP: tree})
    try:
        workload(shop_database)
        [job] = app.tick()
        assert job.status is JobStatus.SUCCEEDED
        [pull] = app.pulls()
        assert pull.draft and pull.labels == ("performance",)
        app.clock.now += timedelta(days=1)
        workload(shop_database)
        [job] = app.tick()
        assert job.status is JobStatus.SUCCEEDED
        assert [p.number for p in app.pulls()] == [pull.number], "still held: the limit is met"
    finally:
        app.github.close()
        app.store.engine.dispose()


def test_within_limits_keeps_open_prs_and_holds_new_ones_over_the_limits() -> None:
    first, second, third = (
        replace(bump("requests", "2.28.0", "2.31.0"), branch=f"maintainer/performance/index-{n}")
        for n in ("a", "b", "c")
    )
    config = RepoConfig(open_pr_limit=2, hourly_pr_limit=10)
    admitted, held = within_limits(
        [first, second, third], config, Budget(frozenset({first.branch}), 0)
    )
    assert admitted == [first, second]
    assert held == [f"{third.branch}: open_pr_limit of 2 reached"]
    hourly = RepoConfig(open_pr_limit=10, hourly_pr_limit=1)
    admitted, held = within_limits([second, third], hourly, Budget(frozenset(), 1))
    assert admitted == [] and len(held) == 2 and "hourly_pr_limit of 1" in held[0]


Dsn = Callable[[tuple[str, str]], str]


@pytest.mark.parametrize(
    ("make_dsn", "expected"),
    [
        (
            lambda names: "postgresql://postgres:hunter2secret@127.0.0.1:1/nowhere",
            "cannot connect to postgres@127.0.0.1:1/nowhere",
        ),
        (lambda names: dsn(names[0]), "the extension hypopg is not installed"),
        (
            lambda names: f"postgresql://queriesapp_reader:hunter2secret@127.0.0.1:5432/{names[1]}",
            "GRANT pg_read_all_stats",
        ),
        (lambda names: "not a url at all", "not a PostgreSQL URL or DSN"),
    ],
    ids=["unreachable", "missing-extension", "no-permission", "not-a-dsn"],
)
def test_a_database_that_cannot_be_analysed_fails_the_job_once_without_its_password(
    harness: Harness,
    tmp_path: Path,
    bare_databases: tuple[str, str],
    make_dsn: Dsn,
    expected: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app = make_app(harness, tmp_path, {SHOP: make_dsn(bare_databases)}, {SHOP: DEMO_TREE})
    try:
        [job] = app.tick()
        assert job.status is JobStatus.FAILED
        assert job.attempts == 1, "a database problem is not retried"
        assert job.error is not None and expected in job.error, job.error
        assert "hunter2secret" not in job.error
        assert expected in caplog.text and "hunter2secret" not in caplog.text
        assert app.pulls() == [] and app.issues(SHOP) == []
        assert app.tick() == [], "a failed job waits for the next day: no loop"
        app.clock.now += timedelta(days=1)
        [retried] = app.tick()
        assert retried.status is JobStatus.FAILED
    finally:
        app.github.close()
        app.store.engine.dispose()


@pytest.fixture(scope="module")
def bare_databases() -> Iterator[tuple[str, str]]:
    """Two ``queriesapp_<random>`` databases: one with pg_stat_statements only (no hypopg),
    one with both, and a login role ``queriesapp_reader`` without pg_read_all_stats."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    names = (f"queriesapp_{uuid.uuid4().hex[:12]}", f"queriesapp_{uuid.uuid4().hex[:12]}")
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'queriesapp_reader'")
        if exists.fetchone() is None:
            admin.execute("CREATE ROLE queriesapp_reader LOGIN PASSWORD 'hunter2secret'")
    try:
        for name, extensions in zip(
            names, (("pg_stat_statements",), ("pg_stat_statements", "hypopg")), strict=True
        ):
            with psycopg.connect(dsn(name), autocommit=True) as db:
                for extension in extensions:
                    db.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        yield names
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_broken_databases_setting_queues_no_queries_job_and_keeps_the_scans(
    harness: Harness, tmp_path: Path
) -> None:
    settings = Settings(
        **{
            **settings_for(harness, tmp_path).model_dump(),
            "workers": 0,
            "databases": SecretStr(str(tmp_path / "missing.json")),
        }
    )
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    queue = Queue(build_huey(settings), store, RetryPolicy(retries=0), settings.tick_minutes)
    queue.handlers[JobKind.TICK] = tick_handler(
        store, queue, databases=lambda: settings.repository_databases().keys()
    )
    try:
        repo = harness.emulator.state.repo("octo-org/demo")
        assert repo is not None
        store.upsert_installation(INSTALLATION_ID, "octo-org", "Organization")
        store.add_repositories(INSTALLATION_ID, [RepoRef(repo.id, "octo-org/demo", False, "main")])
        tick = queue.enqueue(JobKind.TICK, None)
        queue.run_job(tick)
        done = store.job(tick)
        assert done is not None and done.status is JobStatus.SUCCEEDED
        kinds = {job.kind for job in store.jobs(JobStatus.QUEUED)}
        assert JobKind.SCAN in kinds and JobKind.QUERIES not in kinds
    finally:
        store.engine.dispose()
