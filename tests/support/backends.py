"""The machine's PostgreSQL and Redis as test backends, each test in its own scratch space.

PostgreSQL (127.0.0.1:5432, trust auth, database `test`): a fresh schema per test, dropped after
it; the URL pins `search_path` to it, so Alembic and the store see an empty database.
Redis (127.0.0.1:6379): a queue name unique to the test, whose keys are deleted after it.

When a server is not reachable its tests skip with the reason, unless
`MAINTAINER_TEST_BACKENDS=required` (CI sets it): then they fail, so a CI run can never pass
having tested only on SQLite.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

POSTGRES_URL = os.environ.get(
    "MAINTAINER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("MAINTAINER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN = uuid.uuid4().hex[:8]  # one pytest run: names of its schemas and queues start with it


def _unavailable(why: str) -> None:
    if os.environ.get("MAINTAINER_TEST_BACKENDS") == "required":
        pytest.fail(f"{why} (MAINTAINER_TEST_BACKENDS=required)")
    pytest.skip(why)


def _reachable(host: str, port: int) -> str | None:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError as exc:
        return f"nothing listens on {host}:{port} ({exc})"
    return None


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A SQLAlchemy URL whose connections use a new, empty schema (dropped afterwards)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[dev]')")
    reason = _reachable("127.0.0.1", 5432)
    if reason:
        _unavailable(f"PostgreSQL: {reason}")
    schema = f"t_{RUN}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # authentication, missing database: say why
        admin.dispose()
        _unavailable(f"PostgreSQL at {POSTGRES_URL} refused the test: {exc}")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def redis_queue() -> Iterator[tuple[str, str]]:
    """(Redis URL, a queue name of this test's own); its keys are deleted afterwards."""
    try:
        import redis
    except ImportError:
        _unavailable("the redis client is not installed (pip install -e '.[dev]')")
    reason = _reachable("127.0.0.1", 6379)
    if reason:
        _unavailable(f"Redis: {reason}")
    name = f"maintainer-test-{RUN}-{uuid.uuid4().hex[:8]}"
    try:
        yield REDIS_URL, name
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        try:
            keys = list(client.scan_iter(match=f"*{name}*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()
