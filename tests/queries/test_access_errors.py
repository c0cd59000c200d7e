"""Bad DSNs, missing extensions and missing privileges give a clear error naming what is missing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from app.cli import cli
from tests.queries.conftest import ADMIN, dsn, with_extensions


def run(path: Path, url: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["queries", str(path), "--database-url", url, "--cache-dir", str(path / ".cache")]
    )
    return result.exit_code, result.stderr


def test_unreachable_server_is_named_without_the_password(tmp_path: Path) -> None:
    code, err = run(tmp_path, "postgresql://app:hunter2secret@127.0.0.1:1/shop")
    assert code == 2
    assert "cannot connect to app@127.0.0.1:1/shop" in err
    assert "hunter2secret" not in err


def test_text_that_is_no_dsn_is_refused(tmp_path: Path) -> None:
    code, err = run(tmp_path, "host=127.0.0.1 port")
    assert code == 2
    assert "not a PostgreSQL URL or DSN" in err


def test_missing_database_is_named(tmp_path: Path, scratch_databases: Callable[[], str]) -> None:
    code, err = run(tmp_path, dsn("queries_no_such_database"))
    assert code == 2
    assert "127.0.0.1:5432/queries_no_such_database" in err
    assert 'database "queries_no_such_database" does not exist' in err


def test_missing_extensions_are_named_one_by_one(
    tmp_path: Path, scratch_databases: Callable[[], str]
) -> None:
    name = scratch_databases()
    code, err = run(tmp_path, dsn(name))
    assert code == 2
    assert "the extension pg_stat_statements is not installed" in err
    with_extensions(name, "pg_stat_statements")
    code, err = run(tmp_path, dsn(name))
    assert code == 2
    assert "the extension hypopg is not installed" in err
    assert "postgresql-15-hypopg" in err


def test_missing_privileges_are_named(tmp_path: Path, scratch_databases: Callable[[], str]) -> None:
    name = scratch_databases()
    with_extensions(name, "pg_stat_statements", "hypopg")
    role = f"queries_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        url = f"postgresql://{role}@127.0.0.1:5432/{name}"
        code, err = run(tmp_path, url)
        assert code == 2
        assert "GRANT pg_read_all_stats" in err
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'GRANT pg_read_all_stats TO "{role}"')
        with psycopg.connect(dsn(name), autocommit=True) as db:
            db.execute("REVOKE EXECUTE ON FUNCTION hypopg_create_index(text) FROM PUBLIC")
        code, err = run(tmp_path, url)
        assert code == 2
        assert "permission denied for function hypopg_create_index" in err
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_the_preload_check_names_the_setting() -> None:
    """pg_stat_statements installed but not preloaded (checked on a fake: the real cluster
    preloads it)."""
    from app.queries.access import Database, QueriesError

    class Fake(Database):
        def __init__(self) -> None:
            self.where = "x@h:1/d"

        def rows(self, query: str, params: object = ()) -> list[tuple[object, ...]]:
            if "FROM pg_stat_statements" in query:
                raise psycopg.errors.ObjectNotInPrerequisiteState("must be loaded")
            if query.startswith("SELECT extname"):
                return [("pg_stat_statements",), ("hypopg",)]
            return [(True,)]

    with pytest.raises(QueriesError, match="not in shared_preload_libraries"):
        Fake().check()
