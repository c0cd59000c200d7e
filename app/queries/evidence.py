"""The evidence, read from the database: statements, tables, parameters and plans.

Plans are EXPLAINs of the statement prepared as written (``PREPARE``/``EXPLAIN EXECUTE``, a
custom plan for the chosen values), never run. A normalised statement's ``$n`` take the
constants pg_qualstats saw for that statement's column when it is loaded, else the column's
most common value (or its median histogram bound) from ``pg_stats``; LIMIT/OFFSET take 10/0.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.queries.access import Database
from app.queries.statements import Shape

LIMIT_VALUE = "10"
MAX_PLAN_NODES = 200
_names = itertools.count()

ParameterSource = Literal["pg_qualstats", "pg_stats", "none"]


@dataclass(frozen=True)
class Statement:
    queryid: int
    text: str
    calls: int
    total_ms: float
    mean_ms: float
    rows: int


@dataclass(frozen=True)
class Table:
    name: str
    oid: int
    rows: int
    size_bytes: int
    seq_scan: int
    seq_tup_read: int
    idx_scan: int
    writes: int
    """Rows inserted, updated and deleted since the statistics were reset."""


@dataclass(frozen=True)
class Plan:
    cost: float
    nodes: tuple[str, ...]
    """Node types, depth first, with the index or table they read."""


@dataclass(frozen=True)
class Parameters:
    values: tuple[str | None, ...]
    source: ParameterSource


class MissingParameter(Exception):
    pass


def _qualified(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


def top_statements(db: Database, limit: int) -> tuple[list[Statement], float]:
    """The ``limit`` statements of this database with the most total time, and the total time
    of all its statements (ms)."""
    where = "dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel"
    rows = db.rows(
        "SELECT queryid, query, calls, total_exec_time, mean_exec_time, rows "
        f"FROM pg_stat_statements WHERE {where} AND queryid IS NOT NULL "
        "ORDER BY total_exec_time DESC LIMIT %s",
        (limit,),
    )
    [(total,)] = db.rows(
        f"SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements WHERE {where}"
    )
    statements = [
        Statement(int(q), str(text), int(calls), float(t), float(m), int(r))
        for q, text, calls, t, m, r in rows
    ]
    return statements, float(total)


def tables(db: Database) -> dict[str, Table]:
    rows = db.rows(
        "SELECT s.schemaname, s.relname, s.relid, greatest(c.reltuples, s.n_live_tup)::bigint, "
        "pg_total_relation_size(s.relid), s.seq_scan, s.seq_tup_read, coalesce(s.idx_scan, 0), "
        "s.n_tup_ins + s.n_tup_upd + s.n_tup_del "
        "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
    )
    return {
        _qualified(schema, name): Table(
            _qualified(schema, name),
            int(oid),
            int(n),
            int(size),
            int(seq),
            int(seq_read),
            int(idx),
            int(writes),
        )
        for schema, name, oid, n, size, seq, seq_read, idx, writes in rows
    }


def columns(db: Database) -> dict[str, frozenset[str]]:
    rows = db.rows(
        "SELECT n.nspname, c.relname, a.attname FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%%'"
    )
    found: dict[str, set[str]] = {}
    for schema, table, column in rows:
        found.setdefault(_qualified(schema, table), set()).add(column)
    return {table: frozenset(names) for table, names in found.items()}


def parameters(
    db: Database, statement: Statement, shape: Shape, tables: Mapping[str, Table], qualstats: bool
) -> Parameters:
    """A value for each ``$n``; raises `MissingParameter` for one that has none."""
    values: dict[int, str | None] = {n: None for n in range(1, shape.params + 1)}
    for number in shape.limit_params:
        values[number] = LIMIT_VALUE
    used: set[ParameterSource] = set()
    for predicate in shape.predicates:
        table = tables.get(predicate.table)
        if not predicate.params or table is None:
            continue
        constants = (
            _qualstats_values(db, statement.queryid, table.oid, predicate.column)
            if qualstats
            else []
        )
        source: ParameterSource = "pg_qualstats"
        if not constants:
            constants = _pg_stats_values(db, predicate.table, predicate.column)
            source = "pg_stats"
        if not constants:
            continue
        used.add(source)
        for number, value in zip(predicate.params, itertools.cycle(constants), strict=False):
            values[number] = value
    missing = [f"${n}" for n, value in values.items() if value is None]
    if missing:
        raise MissingParameter(f"no value known for {', '.join(missing)}")
    chosen: ParameterSource = (
        "pg_qualstats" if used == {"pg_qualstats"} else "pg_stats" if used else "none"
    )
    return Parameters(tuple(values[n] for n in sorted(values)), chosen)


def _qualstats_values(db: Database, queryid: int, oid: int, column: str) -> list[str]:
    rows = db.rows(
        "SELECT q.constvalue FROM pg_qualstats() q JOIN pg_attribute a "
        "ON a.attrelid = q.lrelid AND a.attnum = q.lattnum "
        "WHERE q.queryid = %s AND q.lrelid = %s AND a.attname = %s AND q.constvalue IS NOT NULL "
        "GROUP BY q.constvalue ORDER BY sum(q.occurences) DESC LIMIT 4",
        (queryid, oid, column),
    )
    return [_constant(str(value)) for (value,) in rows]


def _constant(text: str) -> str:
    """pg_qualstats shows ``'abc'::text`` or ``42``: the literal without its cast, unquoted."""
    value = text
    if "::" in value and not value.endswith("'"):
        value = value[: value.rindex("::")]
    if len(value) >= 2 and value[0] == "'" and value[-1] == "'":
        value = value[1:-1].replace("''", "'")
    return value


def _pg_stats_values(db: Database, table: str, column: str) -> list[str]:
    schema, _, name = table.rpartition(".")
    rows = db.rows(
        "SELECT (most_common_vals::text::text[])[1], "
        "(histogram_bounds::text::text[])"
        "[greatest(1, cardinality(histogram_bounds::text::text[]) / 2)] "
        "FROM pg_stats WHERE schemaname = %s AND tablename = %s AND attname = %s",
        (schema or "public", name, column),
    )
    return [value for row in rows for value in row if value is not None][:1]


def explain(db: Database, text: str, values: tuple[str | None, ...]) -> Plan:
    """The plan of ``text`` with ``values`` for its parameters (EXPLAIN only: nothing runs)."""
    if not values:
        return summarise(db.explain(text))
    name = f"maintainer_q{next(_names)}"
    db.run(f"PREPARE {name} AS {text}")
    try:
        arguments = ", ".join(_literal(value) for value in values)
        return summarise(db.explain(f"EXECUTE {name}({arguments})"))
    finally:
        db.run(f"DEALLOCATE {name}")


def _literal(value: str | None) -> str:
    if value is None:
        return "NULL"
    return "'" + value.replace("'", "''") + "'"


def summarise(plan: Mapping[str, Any]) -> Plan:
    return Plan(
        float(plan.get("Total Cost", 0.0)), tuple(itertools.islice(_nodes(plan), MAX_PLAN_NODES))
    )


def _nodes(plan: Mapping[str, Any]) -> Iterator[str]:
    node = str(plan.get("Node Type", "?"))
    target = plan.get("Index Name") or plan.get("Relation Name")
    yield f"{node} on {target}" if target else node
    for child in plan.get("Plans", ()) or ():
        if isinstance(child, Mapping):
            yield from _nodes(child)


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    target: str
    target_column: str


def foreign_keys(db: Database) -> list[ForeignKey]:
    """Single-column foreign keys between user tables."""
    rows = db.rows(
        "SELECT sn.nspname, s.relname, sa.attname, tn.nspname, t.relname, ta.attname "
        "FROM pg_constraint k "
        "JOIN pg_class s ON s.oid = k.conrelid JOIN pg_namespace sn ON sn.oid = s.relnamespace "
        "JOIN pg_class t ON t.oid = k.confrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace "
        "JOIN pg_attribute sa ON sa.attrelid = k.conrelid AND sa.attnum = k.conkey[1] "
        "JOIN pg_attribute ta ON ta.attrelid = k.confrelid AND ta.attnum = k.confkey[1] "
        "WHERE k.contype = 'f' AND cardinality(k.conkey) = 1"
    )
    return [ForeignKey(_qualified(a, b), c, _qualified(d, e), f) for a, b, c, d, e, f in rows]
