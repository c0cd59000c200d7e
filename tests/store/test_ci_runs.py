"""The CI-run store area on SQLite and PostgreSQL (a scratch database `flakyapp_*`, when the
machine's PostgreSQL answers): attempts once, artifacts with their reports in one transaction,
reports read back in time order with their results."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from app.store import NewCiRun, RepoRef, Store, StoredResult, open_store

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _postgres() -> Iterator[str]:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    name = f"flakyapp_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG}/test", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL refused a scratch database: {exc}")
    try:
        yield f"{PG}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'state.db'}"])
    else:
        urls = _postgres()
    url = next(urls)
    store = open_store(url)
    store.upsert_installation(1, "octo", "Organization")
    store.add_repositories(1, [RepoRef(5, "octo/app")])
    try:
        yield store
    finally:
        store.engine.dispose()
        next(urls, None)


def result(test: str, outcome: str) -> StoredResult:
    return StoredResult(
        test, "tests/test_a.py", 3, outcome, 0.25, "boom" if outcome != "passed" else ""
    )


def test_runs_artifacts_and_reports_round_trip(store: Store) -> None:
    late = store.record_ci_run(5, NewCiRun(9, 2, "CI", "b" * 40, T0 + timedelta(hours=1)))
    early = store.record_ci_run(5, NewCiRun(9, 1, "CI", "b" * 40, T0, "main", "push", "failure"))
    again = store.record_ci_run(5, NewCiRun(9, 1, "CI", "b" * 40, T0))
    assert again == early and early.conclusion == "failure"
    store.record_artifact(
        5,
        late.id,
        101,
        "junit",
        status="read",
        reports=[("r.xml", [result("t::a", "passed"), result("t::b", "passed")])],
    )
    stored = store.record_artifact(
        5,
        early.id,
        100,
        "junit",
        status="read",
        reason="bad.xml: not well-formed",
        reports=[("r.xml", [result("t::a", "failed"), result("t::b", "passed")])],
    )
    assert stored.reports == 1 and stored.reason == "bad.xml: not well-formed"
    store.record_artifact(5, early.id, 102, "logs", status="corrupt", reason="not a zip")
    assert store.collected_artifact_ids(5) == {100, 101, 102}
    reports = store.test_reports(5)
    assert [(r.run.attempt, r.artifact) for r in reports] == [(1, "junit"), (2, "junit")]
    assert reports[0].results[0] == result("t::a", "failed")
    assert [r.run.attempt for r in store.test_reports(5, since=T0 + timedelta(minutes=1))] == [2]
    assert [r.attempt for r in store.ci_runs(5)] == [1, 2]
    with pytest.raises(IntegrityError):  # an artifact is recorded once
        store.record_artifact(5, early.id, 100, "junit", status="read")
    assert len(store.test_reports(5)) == 2  # the refused write left nothing behind
