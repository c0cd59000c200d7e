"""The same migrations against PostgreSQL (127.0.0.1:5432, database `test`), when it runs."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, inspect, text

from app.store import NewJob, RepoRef, make_engine, migrate, open_store, utcnow
from app.store.models import Base

URL = os.environ.get(
    "MAINTAINER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _reachable() -> str | None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[dev]')"
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError as exc:
        return f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc})"
    return None


@pytest.fixture
def schema_url() -> Iterator[str]:
    reason = _reachable()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # authentication, missing database: say why and skip
        pytest.skip(f"PostgreSQL at {URL} refused the test: {exc}")
    try:
        yield f"{URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_migrations_and_store_on_postgresql(schema_url: str) -> None:
    engine = make_engine(schema_url)
    migrate(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
    store = open_store(schema_url)  # second upgrade: already at head
    store.upsert_installation(1, "octo", "User")
    store.add_repositories(1, [RepoRef(10, "octo/repo")])
    assert [r.full_name for r in store.repositories()] == ["octo/repo"]
    assert store.record_delivery("d", "push", None, b"{}", NewJob("j", "delivery", None, "d"))
    assert not store.record_delivery("d", "push", None, b"{}", NewJob("k", "delivery"))
    assert store.job_count() == 1
    assert store.try_lock("octo/repo", "me", utcnow(), lambda owner: False)
    store.engine.dispose()
