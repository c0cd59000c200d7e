"""Scratch PostgreSQL databases (``queries_<random>``) for the query advisor, dropped afterwards.

Each needs pg_stat_statements, hypopg and pg_qualstats (scripts/postgres_preload.sh makes the
local cluster preload them); the 500,000-row fixture tables are filled once per test session
with generate_series.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.support import make_repo

ADMIN = os.environ.get(
    "MAINTAINER_TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/test"
)
FIXTURES = Path(__file__).parents[2] / "fixtures" / "queries"
ROWS = 500_000


def dsn(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _skip_reason() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError as exc:
        return f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc})"
    return None


@pytest.fixture(scope="session")
def scratch_databases() -> Iterator[Callable[[], str]]:
    """Makes ``queries_<random>`` databases; drops them all at the end of the session."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    made: list[str] = []

    def make() -> str:
        name = f"queries_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return name

    yield make
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def with_extensions(name: str, *extensions: str) -> None:
    with psycopg.connect(dsn(name), autocommit=True) as db:
        for extension in extensions:
            db.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")


FILL = """
INSERT INTO {customer} (id, name) SELECT i, 'c' || i FROM generate_series(1, 20000) i;
INSERT INTO {orders} (id, customer_id, status, region, created_at, total)
SELECT i, 1 + i % 20000, 's' || (i % 40), 'r' || ((i / 40) % 50),
       timestamp '2026-01-01' + i * interval '1 minute', i % 1000
FROM generate_series(1, {rows}) i;
ANALYZE {customer}; ANALYZE {orders};
SELECT pg_stat_force_next_flush();
"""


@dataclass(frozen=True)
class ShopDatabase:
    name: str
    repo: Path
    orders: str
    framework: str

    @property
    def dsn(self) -> str:
        return dsn(self.name)


def run_workload(database: ShopDatabase) -> None:
    """The statistics period: an unindexed column pair, an ORDER BY … LIMIT, a control."""
    with psycopg.connect(database.dsn, autocommit=True) as db:
        db.execute("SELECT pg_stat_force_next_flush()")  # counters of earlier sessions, now
        db.execute("SELECT pg_stat_statements_reset(), pg_qualstats_reset(), pg_stat_reset()")
        db.execute("SET pg_qualstats.sample_rate = 1")
        orders = database.orders
        for i in range(12):
            db.execute(
                f"SELECT id, total FROM {orders} WHERE status = %s AND region = %s",
                (f"s{i % 40}", f"r{(i * 7) % 50}"),
            ).fetchall()
            db.execute(
                f"SELECT id FROM {orders} ORDER BY created_at DESC LIMIT %s", (10,)
            ).fetchall()
        for i in range(400):  # well indexed: the control, many calls, one row each
            db.execute(f"SELECT status FROM {orders} WHERE id = %s", (i * 997 + 1,)).fetchall()


def _migrate(repo: Path, framework: str, name: str) -> None:
    if framework == "django":
        command = [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"]
    else:
        command = [sys.executable, "-m", "alembic", "upgrade", "head"]
    env = {
        **os.environ,
        "SHOP_DB_NAME": name,
        "SHOP_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
        "PYTHONPATH": str(repo),
    }
    subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True, text=True)


def migrate(database: ShopDatabase) -> None:
    _migrate(database.repo, database.framework, database.name)


def _shop(
    make: Callable[[], str], tmp: Path, fixture: str, framework: str, customer: str, orders: str
) -> ShopDatabase:
    name = make()
    with_extensions(name, "pg_stat_statements", "hypopg", "pg_qualstats")
    repo = make_repo(tmp / fixture, FIXTURES / fixture)
    _migrate(repo, framework, name)
    with psycopg.connect(dsn(name), autocommit=True) as db:
        db.execute(FILL.format(customer=customer, orders=orders, rows=ROWS).encode())
    return ShopDatabase(name, repo, orders, framework)


@pytest.fixture(scope="session")
def django_shop(
    scratch_databases: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> ShopDatabase:
    tmp = tmp_path_factory.mktemp("django")
    return _shop(scratch_databases, tmp, "django-shop", "django", "shop_customer", "shop_order")


@pytest.fixture(scope="session")
def sqlalchemy_shop(
    scratch_databases: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> ShopDatabase:
    tmp = tmp_path_factory.mktemp("sqlalchemy")
    return _shop(
        scratch_databases, tmp, "sqlalchemy-shop", "sqlalchemy", "customer", "widget_order"
    )
