"""The advisor's policy on a real database: write-heavy tables and `.maintainer.yml` thresholds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from click.testing import CliRunner

from app.cli import cli
from tests.queries.conftest import dsn, with_extensions
from tests.support import make_repo

ROWS = 40_000


def build(name: str, qualstats: bool = True) -> None:
    with_extensions(name, "pg_stat_statements", "hypopg", *(["pg_qualstats"] if qualstats else []))
    with psycopg.connect(dsn(name), autocommit=True) as db:
        db.execute("CREATE TABLE ledger (id bigint PRIMARY KEY, account int, kind int, amount int)")
        db.execute(
            f"INSERT INTO ledger SELECT i, i % 4000, i % 7, i FROM generate_series(1, {ROWS}) i"
        )
        db.execute("ANALYZE ledger")
        # table counters reach the shared statistics when the session goes idle: flush the
        # load's now, so the reset really starts the period at zero writes
        db.execute("SELECT pg_stat_force_next_flush()")
        db.execute("SELECT pg_stat_statements_reset(), pg_stat_reset()")


def queries_json(repo: Path, name: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        ["queries", str(repo), "--database-url", dsn(name), "--format", "json", "--no-cache"],
    )
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_a_write_heavy_table_gets_no_index(
    tmp_path: Path, scratch_databases: Callable[[], str]
) -> None:
    name = scratch_databases()
    build(name)
    with psycopg.connect(dsn(name), autocommit=True) as db:
        for account in range(5):
            db.execute("SELECT sum(amount) FROM ledger WHERE account = %s", (account,)).fetchall()
    # every statement counts, however small its share (the UPDATEs take most of the time)
    config = "queries: {min_time_share: 0}\n"
    repo = make_repo(tmp_path / "repo", files={".maintainer.yml": config})
    proposed = queries_json(repo, name)
    assert [i["columns"] for i in proposed["indexes"]] == [["account"]]

    with psycopg.connect(dsn(name), autocommit=True) as db:
        for _ in range(5):
            db.execute("UPDATE ledger SET amount = amount + 1")  # 200,000 rows written
        db.execute("SELECT pg_stat_force_next_flush()")
        db.execute("SELECT 1")
    document = queries_json(repo, name)
    assert document["indexes"] == []
    reasons = [s["reason"] for s in document["skipped"]]
    assert any("ledger is write-heavy" in r and "200000 rows written" in r for r in reasons)


def test_min_cost_drop_comes_from_the_repository_config(
    tmp_path: Path, scratch_databases: Callable[[], str]
) -> None:
    name = scratch_databases()
    build(name)
    with psycopg.connect(dsn(name), autocommit=True) as db:
        for account in range(5):
            db.execute("SELECT sum(amount) FROM ledger WHERE kind = %s", (account,)).fetchall()
    # kind has 7 values: an index on it cuts little; with min_cost_drop 0.01 it is kept
    strict = make_repo(tmp_path / "strict", files={".maintainer.yml": "version: 1\n"})
    assert queries_json(strict, name)["indexes"] == []
    lenient = make_repo(
        tmp_path / "lenient",
        files={".maintainer.yml": "queries: {min_cost_drop: 0.01, min_table_rows: 100}\n"},
    )
    kept = queries_json(lenient, name)["indexes"]
    assert [i["columns"] for i in kept] == [["kind"]]


def test_without_pg_qualstats_parameters_come_from_pg_stats(
    tmp_path: Path, scratch_databases: Callable[[], str]
) -> None:
    name = scratch_databases()
    build(name, qualstats=False)
    with psycopg.connect(dsn(name), autocommit=True) as db:
        for account in range(5):
            db.execute("SELECT sum(amount) FROM ledger WHERE account = %s", (account,)).fetchall()
    repo = make_repo(tmp_path / "repo", files={".maintainer.yml": "version: 1\n"})
    [index] = queries_json(repo, name)["indexes"]
    assert index["columns"] == ["account"]
    assert index["statements"][0]["parameters_from"] == "pg_stats"
