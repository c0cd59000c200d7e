"""What the health reports show, from the JSON document: phrases, caps and chart series.

Both renderers (Markdown for the weekly issue, HTML for ``--format html``) read the same view,
so they say the same things; each escapes the repository's strings for its own format.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TOP_ITEMS = 10
MAX_MODULES = 15
MAX_VIOLATIONS = 10
MAX_CHARTS = 5

_METRICS: dict[str, tuple[str, str]] = {
    # metric -> (label, verb for "crosses")
    "score": ("health score", "crosses"),
    "complexity_mean": ("mean complexity", "crosses"),
    "libyears": ("libyears", "cross"),
    "coverage_percent": ("coverage (%)", "crosses"),
    "lines": ("lines of code", "cross"),
    "dead_code_candidates": ("dead-code candidates", "cross"),
    "deprecated_uses": ("deprecated API uses", "cross"),
    "architecture_violations": ("architecture violations", "cross"),
    "flake_rate": ("flake rate", "crosses"),
}
_CHARTED = ("complexity_mean", "libyears", "coverage_percent", "architecture_violations")


@dataclass(frozen=True)
class Chart:
    metric: str
    title: str
    dates: tuple[str, ...]
    values: tuple[float | None, ...]
    """One per date; ``None`` where the value is unknown (a gap, never a zero)."""
    low: float
    high: float
    threshold: float | None

    def known(self) -> list[tuple[int, float]]:
        return [(i, v) for i, v in enumerate(self.values) if v is not None]


@dataclass(frozen=True)
class ForecastLine:
    metric: str
    subject: str
    phrase: str
    """"libyears cross 10 in 5 weeks (3–9)" (repository strings are in ``subject`` only)."""
    detail: str


@dataclass(frozen=True)
class WeekOutcome:
    """A bot pull request merged or rejected this week (the App's report only)."""

    number: int
    title: str
    kind: str
    outcome: str  # "merged" or "rejected"


@dataclass(frozen=True)
class ReportView:
    doc: Mapping[str, Any]
    delta: str
    charts: tuple[Chart, ...]
    forecasts: tuple[ForecastLine, ...]
    items: tuple[Mapping[str, Any], ...]
    items_total: int
    modules: tuple[Mapping[str, Any], ...]
    modules_hidden: int
    violations: tuple[Mapping[str, Any], ...]
    violations_hidden: int
    flake_rate: float | None = None
    """The latest sample's flake rate; ``None`` without JUnit results (unknown, not 0)."""
    flaky_known: bool = False
    flaky_tests: tuple[Mapping[str, Any], ...] = ()
    """The ``flaky-test`` items, most costly first (at most `TOP_ITEMS`)."""


def report_view(doc: Mapping[str, Any], *, max_modules: int = MAX_MODULES) -> ReportView:
    history: Sequence[Mapping[str, Any]] = doc.get("history") or []
    forecasts: Sequence[Mapping[str, Any]] = doc.get("forecasts") or []
    items: Sequence[Mapping[str, Any]] = doc.get("items") or []
    modules = sorted(doc.get("modules") or [], key=lambda m: -float(m.get("hotspot") or 0.0))
    violations = (doc.get("architecture") or {}).get("violations") or []
    violations = sorted(violations, key=lambda v: not v.get("new"))
    shown_modules = modules[: max(max_modules, 0)]
    return ReportView(
        doc=doc,
        delta=delta_phrase(doc["score"].get("delta")),
        charts=tuple(charts(history, forecasts)),
        forecasts=tuple(forecast_line(f) for f in forecasts),
        items=tuple(items[:TOP_ITEMS]),
        items_total=len(items),
        modules=tuple(shown_modules),
        modules_hidden=len(modules) - len(shown_modules),
        violations=tuple(violations[:MAX_VIOLATIONS]),
        violations_hidden=max(len(violations) - MAX_VIOLATIONS, 0),
        flake_rate=_finite((history[-1].get("metrics") or {}).get("flake_rate"))
        if history
        else None,
        flaky_known=any(c.get("name") == "flaky" for c in doc["score"].get("components") or []),
        flaky_tests=tuple(i for i in items if i.get("kind") == "flaky-test")[:TOP_ITEMS],
    )


def metric_label(metric: str) -> str:
    return _METRICS.get(metric, (metric.replace("_", " "), "crosses"))[0]


def delta_phrase(delta: int | None) -> str:
    if delta is None:
        return "first report"
    if delta == 0:
        return "unchanged since last week"
    return f"{'up' if delta > 0 else 'down'} {abs(delta)} since last week"


def forecast_line(forecast: Mapping[str, Any]) -> ForecastLine:
    metric = str(forecast["metric"])
    label, verb = _METRICS.get(metric, (metric.replace("_", " "), "crosses"))
    eta = forecast["eta_weeks"]
    low, mid, high = float(eta["low"]), float(eta["mid"]), float(eta["high"])
    when = "within a week" if mid < 1 else f"in {weeks(round(mid))}"
    phrase = (
        f"{label} {verb} {number(float(forecast['threshold']))} {when} "
        f"({math.floor(low)}–{math.ceil(high)})"
    )
    slope = float(forecast["slope_per_week"])
    sign = "+" if slope >= 0 else "−"
    detail = f"{sign}{number(abs(slope))} a week over {forecast['points']} weekly points"
    return ForecastLine(metric, str(forecast.get("subject") or ""), phrase, detail)


def charts(
    history: Sequence[Mapping[str, Any]], forecasts: Sequence[Mapping[str, Any]]
) -> list[Chart]:
    """The score, then the key metrics and those with a forecast; a series with fewer than two
    known points is left out."""
    if len(history) < 2:
        return []
    dates = tuple(str(sample["date"]) for sample in history)
    thresholds = {str(f["metric"]): float(f["threshold"]) for f in forecasts}
    wanted = list(_CHARTED) + [m for m in thresholds if m not in _CHARTED and m != "score"]
    found: list[Chart] = [
        _chart("score", dates, [sample.get("score") for sample in history], thresholds, (0, 100))
    ]
    for metric in wanted:
        values = [(sample.get("metrics") or {}).get(metric) for sample in history]
        span = (0.0, 100.0) if metric == "coverage_percent" else None
        found.append(_chart(metric, dates, values, thresholds, span))
    kept = [c for c in found if len(c.known()) >= 2]
    return kept[:MAX_CHARTS]


def _chart(
    metric: str,
    dates: tuple[str, ...],
    raw: Sequence[object],
    thresholds: Mapping[str, float],
    span: tuple[float, float] | None,
) -> Chart:
    values = tuple(_finite(v) for v in raw)
    known = [v for v in values if v is not None]
    threshold = thresholds.get(metric)
    if span is not None:
        low, high = span
    else:
        scale = [*known, *([threshold] if threshold is not None else [])] or [0.0]
        low, high = min(0.0, min(scale)), max(scale)
        high = high if high > low else low + 1.0
        high = _nice_ceiling(high)
    return Chart(metric, metric_label(metric).capitalize(), dates, values, low, high, threshold)


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _nice_ceiling(value: float) -> float:
    """The next of 1, 2, 2.5, 5 times a power of ten at or above ``value`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value:
            return step * power
    return 10.0 * power


def weeks(count: int) -> str:
    return f"{count} week{'s' if count != 1 else ''}"


def number(value: float) -> str:
    """Three significant digits below 1, two decimals above, no trailing zeros: 0.125, 2.5, 10."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}".rstrip("0").rstrip(".")


def percent(value: float | None) -> str:
    """Coverage: ``None`` is unknown, never 0 %."""
    return "unknown" if value is None else f"{number(round(float(value), 1))} %"


def fix_text(fix: Mapping[str, Any]) -> tuple[str, str]:
    """(how, what): ("branch", name) for a drafted fix, ("suggestion", text) otherwise."""
    if fix.get("branch"):
        return "branch", str(fix["branch"])
    return "suggestion", str(fix.get("suggestion") or fix.get("kind") or "")
