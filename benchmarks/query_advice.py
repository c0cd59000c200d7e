"""`maintainer queries` on a database whose top 100 statements all need analysing, whole processes.

The database: a scratch ``queries_bench_<random>`` on the local PostgreSQL (pg_stat_statements,
hypopg and pg_qualstats preloaded, see scripts/postgres_preload.sh) with a 500,000-row table of
16 filterable columns; the workload runs 120 distinct statements (every pair of columns as an
equality filter), each a few times, so the advisor analyses 100 statements with their one- and
two-column hypothetical candidates. The database is dropped at the end.

Per round, alternating which goes first, two processes are timed:

- ours: ``maintainer queries REPO --database-url DSN --format json`` (checks, top 100 statements,
  parameters, plans, HypoPG candidates, model lookup, report); the target is <= 10 s;
- the floor: one Python process that only reads the same top 100 statements and EXPLAINs each
  once with its parameters from pg_stats (no candidates): what any advisor pays at least.

    .venv/bin/python -m benchmarks.query_advice [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.processes import Run, alternate, checked, maintainer, timed, timings

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_SECONDS = 10.0
COLUMNS = [f"c{i}" for i in range(16)]

FLOOR = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as db:
    rows = db.execute(
        "SELECT query FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
        "WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 100"
    ).fetchall()
    for (query,) in rows:
        if not query.startswith("SELECT id FROM bench"):
            continue
        db.execute("PREPARE q AS " + query)
        db.execute("EXPLAIN (FORMAT JSON) EXECUTE q('1', '1')").fetchall()
        db.execute("DEALLOCATE q")
print(len(rows))
"""


def build(name: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(dsn, autocommit=True) as db:
        for extension in ("pg_stat_statements", "hypopg", "pg_qualstats"):
            db.execute(f"CREATE EXTENSION {extension}")
        columns = ", ".join(f"{c} int NOT NULL" for c in COLUMNS)
        db.execute(f"CREATE TABLE bench (id bigint PRIMARY KEY, {columns})")
        values = ", ".join(f"(i * {7 + n}) % {20 + 3 * n}" for n in range(len(COLUMNS)))
        db.execute(f"INSERT INTO bench SELECT i, {values} FROM generate_series(1, 500000) i")
        db.execute("ANALYZE bench")
        db.execute("SELECT pg_stat_statements_reset(), pg_qualstats_reset(), pg_stat_reset()")
        db.execute("SET pg_qualstats.sample_rate = 1")
        for a, b in itertools.combinations(COLUMNS, 2):
            for value in range(2):
                db.execute(f"SELECT id FROM bench WHERE {a} = %s AND {b} = %s", (value, value))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    name = f"queries_bench_{uuid.uuid4().hex[:10]}"
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    results: dict[str, list[Run]] = {"ours": [], "floor": []}
    build(name)
    try:
        with tempfile.TemporaryDirectory(prefix="query-advice-") as scratch:
            repo = Path(scratch) / "repo"
            repo.mkdir()
            cache = Path(scratch) / "cache"
            ours = [*maintainer(), "queries", str(repo), "--database-url", dsn, "--format", "json"]
            ours += ["--cache-dir", str(cache)]

            def run_ours(_: int) -> None:
                results["ours"].append(checked(timed(ours), "maintainer queries"))

            def run_floor(_: int) -> None:
                command = [sys.executable, "-c", FLOOR, dsn]
                results["floor"].append(checked(timed(command), "floor"))

            alternate(args.rounds, run_ours, run_floor)
            document = json.loads(results["ours"][-1].stdout)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report: dict[str, Any] = {
        **timings(results),
        "statements_analysed": document["statements_analysed"],
        "indexes_proposed": len(document["indexes"]),
        "target_seconds": TARGET_SECONDS,
    }
    report["ratio_to_floor"] = report["seconds"]["ours"] / report["seconds"]["floor"]
    report["meets_target"] = report["seconds"]["ours"] <= TARGET_SECONDS
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        seconds = report["seconds"]
        print(
            f"maintainer queries: {seconds['ours']:.2f} s for {report['statements_analysed']} "
            f"statements ({report['indexes_proposed']} indexes proposed), target "
            f"<= {TARGET_SECONDS:.0f} s: {'met' if report['meets_target'] else 'MISSED'}"
        )
        print(
            f"floor (read + one EXPLAIN each): {seconds['floor']:.2f} s; ratio "
            f"{report['ratio_to_floor']:.1f}x; load average {report['load_average']:.2f}, "
            f"{report['cpus']} cpus"
        )


if __name__ == "__main__":
    main()
