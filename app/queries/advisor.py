"""Which indexes to propose: HypoPG hypothetical indexes, one and two columns, re-planned.

For each costly statement, single-column candidates come from its predicates, join keys and
ORDER BY, two-column ones from an equality column followed by another predicate or the sort
column. Each is created with ``hypopg_create_index`` (backend memory only), the statement is
re-planned, and the hypothetical index is dropped again. A two-column index must beat the best
single one by `PAIR_GAIN`. An index is kept when the statement's planner cost falls by at least
``min_cost_drop``, the statement takes at least ``min_time_share`` of the database's statement
time, the table is large enough, and the estimated write overhead does not exceed the time saved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from app.config import QueriesSettings
from app.queries import evidence
from app.queries.access import Capabilities, Database
from app.queries.evidence import MissingParameter, Plan, Statement, Table
from app.queries.statements import NotAnalysable, Shape, shape, tables_of

PAIR_GAIN = 0.9
"""A two-column index is chosen over the best single column only below this cost ratio."""
WRITE_MS_PER_ROW = 0.01
"""Estimated cost of maintaining one more btree index per row written (10 µs)."""
MAX_SINGLES = 12
MAX_PAIRS = 30
MAX_INDEX_NAME = 30
"""Django's limit on index names (PostgreSQL allows 63)."""


@dataclass(frozen=True)
class StatementGain:
    statement: Statement
    share: float
    """Of the database's total statement time."""
    before: Plan
    after: Plan
    parameters: evidence.ParameterSource

    @property
    def drop(self) -> float:
        return 1.0 - self.after.cost / self.before.cost if self.before.cost > 0 else 0.0

    @property
    def saved_ms(self) -> float:
        return self.statement.total_ms * self.drop


@dataclass(frozen=True)
class IndexAdvice:
    table: Table
    columns: tuple[str, ...]
    gains: tuple[StatementGain, ...]

    @property
    def name(self) -> str:
        return index_name(self.table.name, self.columns)

    @property
    def ddl(self) -> str:
        columns = ", ".join(self.columns)
        return f"CREATE INDEX CONCURRENTLY {self.name} ON {self.table.name} ({columns});"

    @property
    def rollback_ddl(self) -> str:
        return f"DROP INDEX CONCURRENTLY {self.name};"

    @property
    def write_overhead_ms(self) -> float:
        return self.table.writes * WRITE_MS_PER_ROW

    @property
    def saved_ms(self) -> float:
        return sum(gain.saved_ms for gain in self.gains)

    @property
    def weight(self) -> float:
        """Cost drop weighted by the statements' share of the total time (the ranking)."""
        return sum(gain.drop * gain.share for gain in self.gains)


@dataclass(frozen=True)
class Skipped:
    queryid: int
    text: str
    reason: str


@dataclass(frozen=True)
class Advice:
    statements: int
    """How many statements were looked at."""
    total_ms: float
    indexes: tuple[IndexAdvice, ...]
    skipped: tuple[Skipped, ...]
    seq_scans: tuple[Table, ...]
    """Large tables read by sequential scans, most rows read first."""
    top: tuple[Statement, ...] = field(default=())
    tables: Mapping[str, Table] = field(default_factory=dict)


def index_name(table: str, columns: Sequence[str]) -> str:
    base = "_".join([table.replace(".", "_"), *columns])
    if len(base) + 4 <= MAX_INDEX_NAME:
        return f"{base}_idx"
    digest = hashlib.sha1(base.encode()).hexdigest()[:6]
    return f"{base[: MAX_INDEX_NAME - 11]}_{digest}_idx"


def candidates(shape: Shape, table: str) -> list[tuple[str, ...]]:
    """Single then two-column candidates on ``table`` (pure)."""
    equal = [p.column for p in shape.predicates if p.table == table and p.equality]
    ranged = [p.column for p in shape.predicates if p.table == table and not p.equality]
    order = [c for t, c in shape.order_by if t == table]
    joined = [c for t, c in shape.joins if t == table]
    singles = list(dict.fromkeys([*equal, *joined, *ranged, *order]))[:MAX_SINGLES]
    pairs: list[tuple[str, ...]] = []
    for first in dict.fromkeys([*equal, *joined]):
        for second in dict.fromkeys([*equal, *joined, *ranged, *order[:1]]):
            if second != first and (first, second) not in pairs:
                pairs.append((first, second))
    return [(column,) for column in singles] + pairs[:MAX_PAIRS]


def advise(
    db: Database,
    capabilities: Capabilities,
    settings: QueriesSettings,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Advice:
    statements, total_ms = evidence.top_statements(db, settings.top)
    table_stats = evidence.tables(db)
    table_columns = evidence.columns(db)
    found: dict[tuple[str, tuple[str, ...]], list[StatementGain]] = {}
    skipped: list[Skipped] = []
    db.run("SELECT hypopg_reset()")
    for done, statement in enumerate(statements, 1):
        progress(done, len(statements))
        reason = _advise_one(
            db, capabilities, settings, statement, total_ms, table_stats, table_columns, found
        )
        if reason:
            skipped.append(Skipped(statement.queryid, statement.text, reason))
    indexes = []
    for (table, columns), gains in found.items():
        advice = IndexAdvice(table_stats[table], columns, tuple(gains))
        if advice.write_overhead_ms >= advice.saved_ms:
            for gain in gains:
                skipped.append(
                    Skipped(
                        gain.statement.queryid,
                        gain.statement.text,
                        f"{table} is write-heavy: ~{advice.write_overhead_ms:.0f} ms of index "
                        f"upkeep for {table_stats[table].writes} rows written vs "
                        f"{advice.saved_ms:.0f} ms saved",
                    )
                )
            continue
        indexes.append(advice)
    indexes.sort(key=lambda a: (-a.weight, a.table.name, a.columns))
    seq = sorted(
        (t for t in table_stats.values() if t.rows >= settings.min_table_rows and t.seq_scan),
        key=lambda t: -t.seq_tup_read,
    )
    return Advice(
        statements=len(statements),
        total_ms=total_ms,
        indexes=tuple(indexes),
        skipped=tuple(skipped),
        seq_scans=tuple(seq),
        top=tuple(statements),
        tables=table_stats,
    )


def _advise_one(
    db: Database,
    capabilities: Capabilities,
    settings: QueriesSettings,
    statement: Statement,
    total_ms: float,
    table_stats: Mapping[str, Table],
    table_columns: Mapping[str, frozenset[str]],
    found: dict[tuple[str, tuple[str, ...]], list[StatementGain]],
) -> str | None:
    """Record the statement's best index in ``found``; or say why there is none."""
    share = statement.total_ms / total_ms if total_ms > 0 else 0.0
    try:
        read = tables_of(statement.text)
    except NotAnalysable as exc:
        return str(exc)
    large = [t for t in read if t in table_stats and table_stats[t].rows >= settings.min_table_rows]
    if not large:
        return f"reads no table of {settings.min_table_rows}+ rows"
    if share < settings.min_time_share:
        return f"{share:.1%} of the total time (under min_time_share)"
    try:
        parsed = shape(statement.text, {t: table_columns.get(t, frozenset()) for t in read})
        values = evidence.parameters(db, statement, parsed, table_stats, capabilities.qualstats)
    except (NotAnalysable, MissingParameter) as exc:
        return str(exc)
    try:
        before = evidence.explain(db, statement.text, values.values)
    except Exception as exc:
        return f"cannot be planned: {str(exc).strip().splitlines()[0]}"
    best: tuple[float, str, tuple[str, ...], Plan] | None = None
    for table in large:
        single: float | None = None
        for columns in candidates(parsed, table):
            plan = _hypothetical(db, table, columns, statement.text, values.values)
            if plan is None:
                continue
            if len(columns) == 1:
                single = plan.cost if single is None else min(single, plan.cost)
            elif single is not None and plan.cost > single * PAIR_GAIN:
                continue
            if best is None or plan.cost < best[0] - 1e-9:
                best = (plan.cost, table, columns, plan)
    if best is None:
        return "no candidate index"
    _, table, columns, after = best
    gain = StatementGain(statement, share, before, after, values.source)
    if gain.drop < settings.min_cost_drop:
        return f"best candidate {table}({', '.join(columns)}) cuts cost {gain.drop:.0%} only"
    found.setdefault((table, columns), []).append(gain)
    return None


def _hypothetical(
    db: Database, table: str, columns: tuple[str, ...], text: str, values: tuple[str | None, ...]
) -> Plan | None:
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    target = ".".join('"' + part.replace('"', '""') + '"' for part in table.split(".", 1))
    ddl = f"CREATE INDEX ON {target} ({quoted})"
    db.rows("SELECT indexrelid FROM hypopg_create_index(%s)", (ddl,))
    try:
        plan = evidence.explain(db, text, values)
    except Exception:
        return None
    finally:
        db.run("SELECT hypopg_reset()")
    if not any("<" in node and "btree" in node for node in plan.nodes):
        return None  # the planner did not use the hypothetical index
    return plan
