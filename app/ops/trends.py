"""Trends of production metrics: daily points, the forecast, the alert rule, capacity advice.

Pure values in, values out; Prometheus is reached only through the ``RangeReader`` handed to
``read_monitor``. A monitor's raw samples become one point per UTC day (its p95, max, … so a
daily cycle does not look like noise or a trend), the points go to the one forecast engine
(``app.forecast``: Theil–Sen with its band, level shifts, reasons not to forecast), and the
monitor *alerts* when the soonest end of the crossing interval falls within its lead time plus
margin, or when the metric is already past its threshold.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

import numpy as np

from app.config import Monitor
from app.incidents.triage import Change
from app.ops.prometheus import PrometheusError, PrometheusUnavailable, Series, range_step

CONFIDENCE = 0.80
"""The nominal coverage of the crossing interval (benchmarks/forecast_quality.py measures it)."""
HORIZON_WEEKS = 26.0
"""A crossing further away than this is not forecast from a few weeks of data."""
MIN_DAY_SHARE = 0.5
"""A day with fewer than this share of its expected samples (today, a scrape gap) is left out."""
OVERPROVISIONED_SHARE = 0.20
"""Usage under this share of the capacity over the whole window is over-provisioned."""
OVERPROVISIONED_DAYS = 28
PLAN_WEEKS = 13.0
"""A capacity recommendation covers the lead time, the margin, and this much more growth."""
SAME_TIME_DAYS = 1
"""Two level shifts this close (in days) are reported as moving at the same time."""
STEP_GAP_DAYS = 7
"""A level shift after a gap in the daily points is looked for at most this far back."""

Status = Literal["alert", "breached", "ok", "no-data", "error"]
_QUANTILES = {"p50": 50.0, "p90": 90.0, "p95": 95.0, "p99": 99.0}


class RangeReader(Protocol):
    def query_range(
        self, query: str, start: datetime.datetime, end: datetime.datetime, step: int
    ) -> list[Series]: ...


@dataclass(frozen=True)
class Crossing:
    """When the forecast line crosses the threshold: weeks after the last point and dates."""

    low_weeks: float
    mid_weeks: float
    high_weeks: float
    low: datetime.date
    mid: datetime.date
    high: datetime.date


@dataclass(frozen=True)
class Capacity:
    """A capacity recommendation ("raise the limit to X or add N replicas") or an
    over-provisioning note, with the numbers behind it."""

    kind: Literal["raise", "overprovisioned"]
    limit: float
    threshold_share: float
    usage: float
    """Projected usage at the end of the plan (raise) or the window's peak (overprovisioned)."""
    recommended_limit: float
    replicas: int | None
    add_replicas: int | None
    """Replicas to add (raise) or that could be removed (overprovisioned); None: not asked."""
    plan_weeks: float


@dataclass(frozen=True)
class MonitorTrend:
    monitor: Monitor
    status: Status
    reason: str
    points: tuple[tuple[datetime.date, float], ...]
    slope_per_week: float | None = None
    slope_low: float | None = None
    slope_high: float | None = None
    crossing: Crossing | None = None
    level_shift_at: datetime.date | None = None
    fitted_points: int = 0
    capacity: Capacity | None = None
    moved_with: tuple[str, ...] = ()
    """Other monitors with a level shift at about the same time (a suspected common cause)."""

    @property
    def last(self) -> float | None:
        return self.points[-1][1] if self.points else None

    @property
    def warn_days(self) -> int:
        return self.monitor.lead_time_days + self.monitor.margin_days


@dataclass(frozen=True)
class AlertContext:
    """What the service catalog and the service's code add to a trend alert in the App (the
    trends job finds them; ``maintainer trends`` has neither)."""

    cataloged: bool = False
    """The monitor's service is in a repository's `services:` catalog."""
    owners: tuple[str, ...] = ()
    window: tuple[datetime.datetime, datetime.datetime] | None = None
    """When the level shift happened (`step_window`); None without one."""
    changes: tuple[Change, ...] = ()
    """Changes to the service's paths in the window: the suspects, most likely first."""
    history_error: str | None = None
    """Why the service's history could not be read (then ``changes`` says nothing)."""


def step_window(trend: MonitorTrend) -> tuple[datetime.datetime, datetime.datetime] | None:
    """When the level shift happened, in UTC: from the start of the day of the last point
    before it (at most ``STEP_GAP_DAYS`` back) to the end of its first day at the new level.
    None without a level shift."""
    shift = trend.level_shift_at
    if shift is None:
        return None
    before = [day for day, _ in trend.points if day < shift]
    first = max(before[-1] if before else shift, shift - datetime.timedelta(days=STEP_GAP_DAYS))
    since = datetime.datetime.combine(first, datetime.time(), datetime.UTC)
    until = datetime.datetime.combine(shift, datetime.time(), datetime.UTC)
    return since, until + datetime.timedelta(days=1)


def daily_points(
    samples: Iterable[tuple[float, float]], aggregate: str, step: int
) -> list[tuple[datetime.date, float]]:
    """One point per UTC day: the ``aggregate`` (p50/p90/p95/p99, max, mean) of its samples.
    Days with fewer than ``MIN_DAY_SHARE`` of the samples a ``step`` gives are left out."""
    days: dict[datetime.date, list[float]] = defaultdict(list)
    for moment, value in samples:
        day = datetime.datetime.fromtimestamp(moment, datetime.UTC).date()
        days[day].append(value)
    needed = max(1, math.floor(MIN_DAY_SHARE * 86_400 / step))
    points = []
    for day in sorted(days):
        values = np.array(days[day], dtype=np.float64)
        if len(values) < needed:
            continue
        if aggregate == "max":
            point = float(values.max())
        elif aggregate == "mean":
            point = float(values.mean())
        elif aggregate in _QUANTILES:
            point = float(np.percentile(values, _QUANTILES[aggregate]))
        else:
            raise ValueError(f"unknown aggregate {aggregate!r}")
        points.append((day, point))
    return points


def read_monitor(
    reader: RangeReader, monitor: Monitor, now: datetime.datetime
) -> list[tuple[datetime.date, float]]:
    """The monitor's daily points over its window, read with a step sized to the window.
    ``PrometheusError`` when the query fails or does not come down to exactly one series."""
    window = datetime.timedelta(days=monitor.window_days)
    step = range_step(window)
    series = reader.query_range(monitor.query, now - window, now, step)
    if len(series) > 1:
        raise PrometheusError(
            f"the query returns {len(series)} series; aggregate it to one (e.g. max(...))"
        )
    if not series:
        return []
    return daily_points(series[0].samples, monitor.aggregate, step)


def evaluate(monitor: Monitor, points: Sequence[tuple[datetime.date, float]]) -> MonitorTrend:
    """Forecast one monitor's daily points and decide whether it alerts."""
    from app.forecast import Forecast, forecast  # scipy: loaded only when there are points

    ordered = tuple(sorted(points))
    if not ordered:
        return MonitorTrend(monitor, "no-data", "the query returned no samples", ordered)
    answer = forecast(
        ordered,
        monitor.threshold,
        direction=monitor.direction,
        horizon_weeks=HORIZON_WEEKS,
        confidence=CONFIDENCE,
    )
    last_day, last = ordered[-1]
    capacity = _overprovisioned(monitor, ordered)
    if not isinstance(answer, Forecast):
        past = (
            last >= monitor.threshold if monitor.direction == "above" else last <= monitor.threshold
        )
        if past:
            return MonitorTrend(
                monitor,
                "breached",
                answer.reason,
                ordered,
                capacity=_raise(monitor, last, 0.0, 0.0, plan_weeks=0.0),
            )
        return MonitorTrend(monitor, "ok", answer.reason, ordered, capacity=capacity)
    eta = answer.eta_weeks
    crossing = Crossing(
        eta.low,
        eta.mid,
        eta.high,
        last_day + datetime.timedelta(days=round(eta.low * 7)),
        last_day + datetime.timedelta(days=round(eta.mid * 7)),
        last_day + datetime.timedelta(days=round(eta.high * 7)),
    )
    warn_weeks = (monitor.lead_time_days + monitor.margin_days) / 7.0
    alerting = eta.low <= warn_weeks
    if alerting:
        days = monitor.lead_time_days + monitor.margin_days
        reason = f"crossing possible within the lead time plus margin ({days} days)"
        level = monitor.threshold - answer.slope_per_week * eta.mid
        fast = max(abs(answer.slope_low), abs(answer.slope_high))
        capacity = _raise(monitor, level, fast, warn_weeks)
    else:
        reason = "crossing later than the lead time plus margin"
    return MonitorTrend(
        monitor,
        "alert" if alerting else "ok",
        reason,
        ordered,
        slope_per_week=answer.slope_per_week,
        slope_low=answer.slope_low,
        slope_high=answer.slope_high,
        crossing=crossing,
        level_shift_at=answer.level_shift_at,
        fitted_points=answer.points,
        capacity=capacity,
    )


def with_common_moves(trends: Sequence[MonitorTrend]) -> list[MonitorTrend]:
    """Each trend with the other monitors whose level shifted within ``SAME_TIME_DAYS``."""
    result = []
    for trend in trends:
        if trend.level_shift_at is None:
            result.append(trend)
            continue
        shift = trend.level_shift_at
        others = tuple(
            other.monitor.name
            for other in trends
            if other is not trend
            and other.level_shift_at is not None
            and abs((other.level_shift_at - shift).days) <= SAME_TIME_DAYS
        )
        result.append(replace(trend, moved_with=others))
    return result


def _raise(
    monitor: Monitor, level: float, slope: float, warn_weeks: float, plan_weeks: float = PLAN_WEEKS
) -> Capacity | None:
    """How much capacity keeps the usage under the threshold's share of the limit through the
    lead time, the margin and ``plan_weeks`` more, growing at ``slope`` (the band's fast end);
    a breached monitor is planned for its current level only."""
    if monitor.capacity is None:
        return None
    limit = monitor.capacity.limit
    share = monitor.threshold / limit
    plan = warn_weeks + plan_weeks
    usage = max(level, 0.0) + max(slope, 0.0) * plan
    recommended = max(nice_ceil(usage / share), limit)
    replicas = monitor.capacity.replicas
    add = None
    if replicas is not None:
        add = max(1, math.ceil(replicas * usage / monitor.threshold - 1e-9) - replicas)
    return Capacity("raise", limit, share, usage, recommended, replicas, add, plan)


def _overprovisioned(
    monitor: Monitor, points: Sequence[tuple[datetime.date, float]]
) -> Capacity | None:
    """Usage under ``OVERPROVISIONED_SHARE`` of the capacity on every day of at least
    ``OVERPROVISIONED_DAYS`` days (with no more than a tenth of them missing)."""
    if monitor.capacity is None or not points:
        return None
    span = (points[-1][0] - points[0][0]).days + 1
    if span < OVERPROVISIONED_DAYS or len(points) < 0.9 * OVERPROVISIONED_DAYS:
        return None
    limit = monitor.capacity.limit
    peak = max(value for _, value in points)
    if peak >= OVERPROVISIONED_SHARE * limit:
        return None
    share = monitor.threshold / limit
    recommended = min(nice_ceil(peak / share), limit)
    replicas = monitor.capacity.replicas
    spare = None
    if replicas is not None:
        needed = max(1, math.ceil(replicas * peak / monitor.threshold - 1e-9))
        spare = max(0, replicas - needed)
    return Capacity("overprovisioned", limit, share, peak, recommended, replicas, spare, 0.0)


def nice_ceil(value: float) -> float:
    """``value`` rounded up to two significant digits (2.74 → 2.8, 1234 → 1300)."""
    if value <= 0:
        return 0.0
    scale = 10.0 ** (math.floor(math.log10(value)) - 1)
    return round(math.ceil(value / scale - 1e-9) * scale, 12)


def trend_json(trend: MonitorTrend) -> dict[str, Any]:
    """One monitor in ``maintainer trends --format json``."""
    monitor = trend.monitor
    document: dict[str, Any] = {
        "name": monitor.name,
        "service": monitor.service,
        "query": monitor.query,
        "unit": monitor.unit,
        "threshold": monitor.threshold,
        "direction": monitor.direction,
        "lead_time_days": monitor.lead_time_days,
        "margin_days": monitor.margin_days,
        "aggregate": monitor.aggregate,
        "status": trend.status,
        "reason": trend.reason,
        "last": trend.last,
        "points": [{"date": day.isoformat(), "value": value} for day, value in trend.points],
        "forecast": None,
        "capacity": None,
        "moved_with": list(trend.moved_with),
    }
    if trend.crossing is not None and trend.slope_per_week is not None:
        crossing = trend.crossing
        document["forecast"] = {
            "slope_per_week": trend.slope_per_week,
            "slope_band": [trend.slope_low, trend.slope_high],
            "confidence": CONFIDENCE,
            "points": trend.fitted_points,
            "level_shift_at": trend.level_shift_at.isoformat() if trend.level_shift_at else None,
            "eta_weeks": {
                "low": round(crossing.low_weeks, 2),
                "mid": round(crossing.mid_weeks, 2),
                "high": round(crossing.high_weeks, 2),
            },
            "crossing": {
                "low": crossing.low.isoformat(),
                "mid": crossing.mid.isoformat(),
                "high": crossing.high.isoformat(),
            },
        }
    if trend.capacity is not None:
        capacity = trend.capacity
        document["capacity"] = {
            "kind": capacity.kind,
            "limit": capacity.limit,
            "threshold_share": round(capacity.threshold_share, 4),
            "usage": round(capacity.usage, 6),
            "recommended_limit": capacity.recommended_limit,
            "replicas": capacity.replicas,
            "replicas_change": capacity.add_replicas,
            "plan_weeks": round(capacity.plan_weeks, 2),
        }
    return document


def summary(trends: Sequence[MonitorTrend]) -> Mapping[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for trend in trends:
        counts[trend.status] += 1
    return dict(counts)


def collect(
    reader: RangeReader, monitors: Sequence[Monitor], now: datetime.datetime
) -> list[MonitorTrend]:
    """Read and evaluate every monitor. A failed query is that monitor's ``error`` (the others
    still run); an unreachable Prometheus stops everything (``PrometheusUnavailable``)."""
    trends = []
    for monitor in monitors:
        try:
            points = read_monitor(reader, monitor, now)
        except PrometheusUnavailable:
            raise
        except PrometheusError as exc:
            trends.append(MonitorTrend(monitor, "error", str(exc), ()))
            continue
        trends.append(evaluate(monitor, points))
    return with_common_moves(trends)
