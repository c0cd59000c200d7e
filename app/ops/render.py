"""Trends as text: the "Trend alert" issue body, and ``maintainer trends`` as a table or Markdown.

Repository strings (monitor names, services, queries, units) are escaped with the health
report's Markdown helpers, and the chart is the health report's Mermaid ``xychart-beta`` with
the threshold as a second line: one renderer for every chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from app.health.render_markdown import md_cell_code, md_code, md_text, mermaid_chart
from app.health.report_view import Chart, number, weeks
from app.incidents.triage import mention
from app.ops.trends import CONFIDENCE, HORIZON_WEEKS, AlertContext, MonitorTrend
from app.templates import GITHUB_BODY_LIMIT, render

MAX_CHANGES = 10
"""The suspected changes listed in a trend alert; the rest are counted."""


def trend_alert_title(trend: MonitorTrend) -> str:
    """The issue's title; one issue per monitor, found again by this title."""
    return f"Trend alert: {trend.monitor.name} ({trend.monitor.service})"


def trend_alert_markdown(trend: MonitorTrend, found: AlertContext | None = None) -> str:
    """The body of the "Trend alert" issue of an alerting (or breached) monitor: what, how
    fast, when it crosses, the chart with the threshold, the suspected cause, capacity advice.
    In the App, ``found`` adds the service's owners from the catalog and, at a level shift,
    the changes to the service's code when it stepped."""
    monitor = trend.monitor
    context: dict[str, Any] = {
        "trend": trend,
        "found": found,
        "mention": mention,
        "stamp": lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "max_changes": MAX_CHANGES,
        "text": md_text,
        "code": md_code,
        "cell": md_cell_code,
        "value": lambda v: md_text(_value(v, monitor.unit)),
        "confidence": round(CONFIDENCE * 100),
        "horizon": number(HORIZON_WEEKS),
        "rate": md_text(rate_phrase(trend)),
        "band": md_text(_band(trend)),
        "when": when_phrase(trend),
        "dates": _dates(trend),
        "chart": mermaid_chart(chart(trend)),
        "capacity": md_text(capacity_phrase(trend)) if trend.capacity else "",
    }
    body = render("ops/trend-alert.md.j2", **context)
    return body if len(body) <= GITHUB_BODY_LIMIT else body[:GITHUB_BODY_LIMIT]


def trends_markdown(trends: Sequence[MonitorTrend]) -> str:
    """A summary table of every monitor, then the alert body of each alerting one."""
    rows = [_row(trend) for trend in trends]
    alerts = [trend_alert_markdown(t) for t in trends if t.status in ("alert", "breached")]
    return render("ops/trends.md.j2", rows=rows, alerts=alerts, text=md_text)


def trends_table(trends: Sequence[MonitorTrend]) -> str:
    """Plain text for a terminal: one line per monitor, then its detail."""
    lines = []
    for trend in trends:
        row = _row(trend)
        lines.append(
            f"{row['status'].upper():9} {row['name']} ({row['service']}): last {row['last']}, "
            f"threshold {row['threshold']}"
        )
        lines.append(f"          trend {row['trend']}; crossing {row['crossing']}")
        if trend.status in ("ok", "no-data", "error", "breached") and not trend.crossing:
            lines.append(f"          {trend.reason}")
        if trend.capacity is not None:
            lines.append(f"          {capacity_phrase(trend)}")
        if trend.moved_with:
            lines.append(f"          moved at the same time: {', '.join(trend.moved_with)}")
    return "\n".join(lines) + "\n" if lines else "no monitors configured\n"


def chart(trend: MonitorTrend) -> Chart:
    values = [value for _, value in trend.points]
    low = min([*values, trend.monitor.threshold])
    high = max([*values, trend.monitor.threshold])
    pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
    unit = f" ({trend.monitor.unit})" if trend.monitor.unit else ""
    return Chart(
        metric=trend.monitor.name,
        title=f"{trend.monitor.name}{unit}",
        dates=tuple(day.isoformat() for day, _ in trend.points),
        values=tuple(values),
        low=_round_down(low - pad),
        high=_round_up(high + pad),
        threshold=trend.monitor.threshold,
    )


def rate_phrase(trend: MonitorTrend) -> str:
    """ "+40 ms/week"; "" without a forecast."""
    if trend.slope_per_week is None:
        return ""
    slope = trend.slope_per_week
    sign = "+" if slope >= 0 else "−"
    return f"{sign}{_value(abs(slope), trend.monitor.unit)}/week"


def when_phrase(trend: MonitorTrend) -> str:
    """ "in 4 weeks (3–6)"; "" without a forecast."""
    crossing = trend.crossing
    if crossing is None:
        return ""
    mid = crossing.mid_weeks
    when = "within a week" if mid < 1 else f"in {weeks(round(mid))}"
    return f"{when} ({math.floor(crossing.low_weeks)}–{math.ceil(crossing.high_weeks)})"


def capacity_phrase(trend: MonitorTrend) -> str:
    capacity = trend.capacity
    if capacity is None:
        return ""
    unit = trend.monitor.unit
    share = f"{number(round(capacity.threshold_share * 100, 1))} %"
    limit = _value(capacity.limit, unit)
    if capacity.kind == "overprovisioned":
        text = (
            f"over-provisioned: the peak of the last {len(trend.points)} days is "
            f"{_value(capacity.usage, unit)}, {_percent(capacity.usage, capacity.limit)} of the "
            f"{limit} limit; a limit of {_value(capacity.recommended_limit, unit)} keeps it "
            f"under {share}"
        )
        if capacity.add_replicas:
            text += f", or remove {_replicas(capacity.add_replicas)}"
        return text
    if trend.status == "breached":
        head = f"already past {share} of the {limit} limit"
    else:
        head = (
            f"at {_growth(trend)} {trend.monitor.name} reaches {share} of the {limit} limit "
            f"{when_phrase(trend)}"
        )
    text = f"{head}: raise the limit to {_value(capacity.recommended_limit, unit)}"
    if capacity.add_replicas is not None:
        text += f" or add {_replicas(capacity.add_replicas)}"
    if trend.status != "breached":
        text += f" (covers the next {number(round(capacity.plan_weeks, 1))} weeks"
        text += " at the fast end of the trend)"
    return text


def _growth(trend: MonitorTrend) -> str:
    slope, last = trend.slope_per_week or 0.0, trend.last
    if last:
        return f"+{number(round(slope / last * 100, 1))} %/week"
    return rate_phrase(trend)


def _replicas(count: int) -> str:
    return f"{count} replica{'s' if count != 1 else ''}"


def _percent(part: float, whole: float) -> str:
    return f"{number(round(part / whole * 100, 1))} %"


def _row(trend: MonitorTrend) -> dict[str, str]:
    crossing, monitor = trend.crossing, trend.monitor
    return {
        "name": trend.monitor.name,
        "service": trend.monitor.service,
        "status": trend.status,
        "last": "—" if trend.last is None else _value(trend.last, trend.monitor.unit),
        "threshold": f"{monitor.direction} {_value(monitor.threshold, monitor.unit)}",
        "trend": rate_phrase(trend) or "—",
        "crossing": f"{when_phrase(trend)}, {crossing.mid.isoformat()}" if crossing else "—",
    }


def _band(trend: MonitorTrend) -> str:
    if trend.slope_low is None or trend.slope_high is None:
        return ""
    unit = trend.monitor.unit
    return f"{_value(trend.slope_low, unit)} to {_value(trend.slope_high, unit)}"


def _dates(trend: MonitorTrend) -> str:
    crossing = trend.crossing
    if crossing is None:
        return ""
    low, high = crossing.low.isoformat(), crossing.high.isoformat()
    return f"{crossing.mid.isoformat()}, between {low} and {high}"


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    shown = number(round(value, 3)) if abs(value) >= 1 else number(value)
    return f"{shown} {unit}".strip()


def _round_down(value: float) -> float:
    return math.floor(value * 100) / 100


def _round_up(value: float) -> float:
    return math.ceil(value * 100) / 100
