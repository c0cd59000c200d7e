"""An index advice becomes a plan (model edit + migration) and a proposal (kind performance).

No model owning the table: the plan has no edits and says why; the report then carries the DDL
for a human (the App files an issue with it instead of a pull request).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.model import Edit, Finding, Kind, Proposal, Risk, RiskFactor, RiskLevel
from app.proposals import branch_name
from app.queries.advisor import IndexAdvice
from app.queries.edits import ModelEditError, add_index
from app.queries.history import Trend, describe
from app.queries.migrations import (
    MigrationError,
    NewMigration,
    alembic_migration,
    alembic_versions,
    django_migration,
)
from app.queries.models import Model, read_bounded
from app.templates import render_body

LARGE_ROWS = 1_000_000
HUGE_ROWS = 10_000_000


@dataclass(frozen=True)
class IndexPlan:
    advice: IndexAdvice
    model: Model | None
    migration: NewMigration | None
    edits: tuple[Edit, ...]
    problem: str | None
    """Why there is no pull request (no model, a model or migration that cannot be edited)."""


@dataclass(frozen=True)
class PerformanceDetail:
    plan: IndexPlan

    def to_json(self) -> Mapping[str, Any]:
        return plan_json(self.plan)


def plan_json(plan: IndexPlan) -> dict[str, Any]:
    advice = plan.advice
    return {
        "table": advice.table.name,
        "columns": list(advice.columns),
        "name": advice.name,
        "ddl": advice.ddl,
        "rollback": advice.rollback_ddl,
        "table_rows": advice.table.rows,
        "weight": round(advice.weight, 4),
        "saved_ms": round(advice.saved_ms, 3),
        "write_overhead_ms": round(advice.write_overhead_ms, 3),
        "model": None
        if plan.model is None
        else {
            "framework": plan.model.framework,
            "file": plan.model.path,
            "class": plan.model.class_name,
        },
        "migration": None if plan.migration is None else plan.migration.path,
        "problem": plan.problem,
        "statements": [
            {
                "queryid": gain.statement.queryid,
                "query": gain.statement.text,
                "calls": gain.statement.calls,
                "mean_ms": round(gain.statement.mean_ms, 3),
                "total_ms": round(gain.statement.total_ms, 3),
                "share": round(gain.share, 4),
                "cost_before": gain.before.cost,
                "cost_with_index": gain.after.cost,
                "cost_drop": round(gain.drop, 4),
                "plan_before": list(gain.before.nodes),
                "plan_with_index": list(gain.after.nodes),
                "parameters_from": gain.parameters,
            }
            for gain in advice.gains
        ],
    }


def plan_index(root: Path, advice: IndexAdvice, models: Mapping[str, Model]) -> IndexPlan:
    model = models.get(advice.table.name)
    if model is None:
        return IndexPlan(
            advice, None, None, (), f"no model in the repository owns {advice.table.name}"
        )
    text = read_bounded(root / model.path)
    if text is None:
        return IndexPlan(advice, model, None, (), f"{model.path}: cannot be read")
    try:
        edited = add_index(text, model, advice.name, advice.columns)
        if model.framework == "django":
            migration = django_migration(root, model, advice.name, advice.columns)
        else:
            versions = alembic_versions(root)
            if versions is None:
                raise MigrationError("no Alembic migrations folder (alembic.ini or */env.py)")
            migration = alembic_migration(
                root, versions, advice.table.name, advice.name, advice.columns
            )
    except (ModelEditError, MigrationError, SyntaxError) as exc:
        return IndexPlan(advice, model, None, (), str(exc))
    edits = (
        Edit.replace_file(model.path, text, edited),
        Edit.create_file(migration.path, migration.text),
    )
    return IndexPlan(advice, model, migration, edits, None)


def risk(advice: IndexAdvice) -> Risk:
    rows = advice.table.rows
    factors = [
        RiskFactor(
            f"{advice.table.name} has ~{rows:,} rows: building the index concurrently reads "
            "the whole table (no write lock, but I/O and time)",
            2 if rows >= HUGE_ROWS else 1 if rows >= LARGE_ROWS else 0,
        ),
        RiskFactor(
            f"{advice.table.writes:,} rows written since the statistics were reset: "
            f"~{advice.write_overhead_ms:,.0f} ms of index upkeep vs "
            f"~{advice.saved_ms:,.0f} ms saved",
            1 if advice.write_overhead_ms * 4 >= advice.saved_ms else 0,
        ),
    ]
    weight = sum(f.weight for f in factors)
    level = RiskLevel.HIGH if weight >= 3 else RiskLevel.MEDIUM if weight >= 1 else RiskLevel.LOW
    return Risk(level, tuple(factors))


def proposal(plan: IndexPlan, trends: Mapping[str, Trend]) -> Proposal:
    advice = plan.advice
    assert plan.model is not None and plan.migration is not None
    branch = branch_name(Kind.PERFORMANCE.value, f"index-{advice.name}")
    proposal_id = hashlib.sha1(branch.encode()).hexdigest()[:12]
    level = risk(advice)
    statement_trends = {
        gain.statement.queryid: trends[key]
        for gain in advice.gains
        if (key := f"statement:{gain.statement.queryid}") in trends
    }
    table_trend = trends.get(f"table:{advice.table.name}")
    body = render_body(
        Kind.PERFORMANCE.value,
        advice=advice,
        plan=plan,
        risk=level,
        trends=statement_trends,
        trend_text={q: describe(t, "ms") for q, t in statement_trends.items()},
        table_trend=describe(table_trend, "rows") if table_trend else None,
        proposal_id=proposal_id,
    )
    best = max(gain.drop for gain in advice.gains)
    summary = (
        f"index {advice.name} on {advice.table.name} ({', '.join(advice.columns)}) cuts "
        f"planner cost up to {best:.0%}"
    )
    finding = Finding(
        Kind.PERFORMANCE,
        f"{advice.table.name}({', '.join(advice.columns)})",
        summary,
        PerformanceDetail(plan),
        edits=plan.edits,
        labels=("performance",),
    )
    return Proposal(
        id=proposal_id,
        kind=Kind.PERFORMANCE,
        title=f"Add index {advice.name} on {advice.table.name} ({', '.join(advice.columns)})",
        branch=branch,
        findings=(finding,),
        risk=level,
        labels=("performance",),
        body=body,
        commit_message=f"Add index {advice.name} on {advice.table.name}\n\n{summary}; "
        f"{plan.model.framework} model {plan.model.class_name} and migration "
        f"{plan.migration.path}.",
    )
