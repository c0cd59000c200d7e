"""What `maintainer queries` prints: a table, one JSON document, or Markdown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.forecast import Forecast
from app.queries.advisor import Advice
from app.queries.history import Trend, describe
from app.queries.nplusone import Hint
from app.queries.proposals import IndexPlan, plan_json

MAX_QUERY_CHARS = 120
PARAMETER_TEXT = {
    "pg_qualstats": "pg_qualstats constants",
    "pg_stats": "pg_stats common values",
    "none": "no predicate (LIMIT 10)",
}


@dataclass(frozen=True)
class Report:
    database: str
    advice: Advice
    plans: tuple[IndexPlan, ...]
    trends: Mapping[str, Trend]
    hints: tuple[Hint, ...]
    branches: Mapping[str, str]
    """Index name → the local branch holding it (with --apply)."""


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_QUERY_CHARS else flat[: MAX_QUERY_CHARS - 1] + "…"


def _trend_json(trend: Trend) -> dict[str, Any]:
    outlook = trend.outlook
    document: dict[str, Any] = {
        "series": trend.series,
        "points": [[day.isoformat(), value] for day, value in trend.points],
        "threshold": trend.threshold,
    }
    if isinstance(outlook, Forecast):
        document["forecast"] = {
            "slope_per_week": outlook.slope_per_week,
            "weeks": [outlook.eta_weeks.low, outlook.eta_weeks.mid, outlook.eta_weeks.high],
        }
    else:
        document["no_forecast"] = outlook.reason
    return document


def report_json(report: Report) -> str:
    advice = report.advice
    document = {
        "database": report.database,
        "statements_analysed": advice.statements,
        "total_ms": round(advice.total_ms, 3),
        "indexes": [
            {**plan_json(plan), "branch": report.branches.get(plan.advice.name)}
            for plan in report.plans
        ],
        "seq_scans": [
            {
                "table": t.name,
                "rows": t.rows,
                "seq_scan": t.seq_scan,
                "seq_tup_read": t.seq_tup_read,
            }
            for t in advice.seq_scans
        ],
        "trends": [_trend_json(t) for t in report.trends.values()],
        "n_plus_one": [hint.to_json() for hint in report.hints],
        "skipped": [
            {"queryid": s.queryid, "query": _short(s.text), "reason": s.reason}
            for s in advice.skipped
        ],
    }
    return json.dumps(document, indent=2)


def _lines(report: Report, markdown: bool) -> list[str]:
    advice = report.advice
    code = "`" if markdown else ""
    bullet = "- " if markdown else "  "
    nested = "  - " if markdown else "    "
    lines = [
        f"{'# ' if markdown else ''}Slow queries in {report.database}: {advice.statements} "
        f"statements analysed ({advice.total_ms:,.0f} ms in total)",
        "",
    ]
    heading = "## " if markdown else ""
    lines.append(f"{heading}Proposed indexes ({len(report.plans)})")
    if not report.plans:
        lines.append(f"{bullet}none: no hypothetical index cuts a costly statement's cost enough")
    for plan in report.plans:
        a = plan.advice
        lines.append(
            f"{bullet}{code}{a.ddl}{code} weight {a.weight:.3f}, ~{a.saved_ms:,.0f} ms saved, "
            f"write upkeep ~{a.write_overhead_ms:,.0f} ms"
        )
        for gain in a.gains:
            lines.append(
                f"{nested}{code}{_short(gain.statement.text)}{code}: "
                f"{gain.statement.calls:,} calls, "
                f"mean {gain.statement.mean_ms:.2f} ms, cost {gain.before.cost:,.0f} → "
                f"{gain.after.cost:,.0f} (−{gain.drop:.0%}), parameters from "
                f"{PARAMETER_TEXT[gain.parameters]}"
            )
        if plan.problem:
            lines.append(f"{nested}no pull request: {plan.problem}; apply the DDL above by hand")
        else:
            assert plan.model is not None and plan.migration is not None
            branch = report.branches.get(a.name)
            lines.append(
                f"{nested}{plan.model.framework} model {plan.model.class_name} "
                f"({plan.model.path}), migration {plan.migration.path}"
                + (f", branch {branch}" if branch else "")
            )
    lines += ["", f"{heading}Sequential scans on large tables"]
    lines += [
        f"{bullet}{t.name}: ~{t.rows:,} rows, {t.seq_scan:,} seq scans, "
        f"{t.seq_tup_read:,} rows read"
        for t in advice.seq_scans
    ] or [f"{bullet}none"]
    if report.trends:
        lines += ["", f"{heading}Trends"]
        for trend in report.trends.values():
            unit = "ms" if trend.series.startswith("statement:") else "rows"
            lines.append(f"{bullet}{trend.series}: {describe(trend, unit)}")
    if report.hints:
        lines += ["", f"{heading}N+1 hints"]
        for hint in report.hints:
            lines.append(
                f"{bullet}{code}{_short(hint.statement.text)}{code}: "
                f"{hint.statement.calls:,} calls, "
                f"one row each, by {hint.table}.{hint.column} ({hint.model}): {hint.advice}"
            )
    lines += ["", f"{len(advice.skipped)} statements gave no proposal (see --format json)."]
    return lines


def report_text(report: Report, output_format: str) -> str:
    if output_format == "json":
        return report_json(report)
    return "\n".join(_lines(report, markdown=output_format == "markdown"))
