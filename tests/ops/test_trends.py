"""The pure core of trends: daily points, the alert rule, capacity math, the alert body."""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import replace

import numpy as np
import pytest

from app.config import Capacity as CapacitySetting
from app.config import Monitor
from app.ops.render import capacity_phrase, trend_alert_markdown, trend_alert_title, trends_table
from app.ops.trends import daily_points, evaluate, nice_ceil, step_window, with_common_moves

END = datetime.date(2026, 11, 29)
DAY = datetime.timedelta(days=1)


def monitor(**changes: object) -> Monitor:
    fields: dict[str, object] = {
        "name": "dashboard-p95",
        "query": "dashboard_p95_ms",
        "threshold": 500.0,
        "unit": "ms",
        "service": "dashboard",
    }
    fields.update(changes)
    return Monitor.model_validate(fields)


def days(values: list[float] | np.ndarray) -> list[tuple[datetime.date, float]]:
    first = END - datetime.timedelta(days=len(values) - 1)
    return [(first + datetime.timedelta(days=i), float(v)) for i, v in enumerate(values)]


def rising(
    start: float, per_week: float, n: int = 28, sd: float = 2.0, seed: int = 1
) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, sd, n)
    return start + per_week / 7.0 * np.arange(n) + noise


def test_daily_points_take_the_aggregate_of_each_utc_day() -> None:
    midnight = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC).timestamp()
    samples = [(midnight + 3600 * h, float(h)) for h in range(48)]  # two days, hourly
    assert daily_points(samples, "max", 3600) == [
        (datetime.date(2026, 11, 1), 23.0),
        (datetime.date(2026, 11, 2), 47.0),
    ]
    p95 = daily_points(samples, "p95", 3600)[0][1]
    assert p95 == pytest.approx(float(np.percentile(np.arange(24.0), 95)))
    assert daily_points(samples, "mean", 3600)[0][1] == pytest.approx(11.5)


def test_a_day_with_under_half_its_samples_is_left_out() -> None:
    midnight = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC).timestamp()
    samples = [(midnight + 3600 * h, 1.0) for h in range(24 + 11)]  # the 2nd day: 11 of 24
    assert [day for day, _ in daily_points(samples, "max", 3600)] == [datetime.date(2026, 11, 1)]


def test_p95_is_robust_to_a_daily_cycle() -> None:
    """A strong daily cycle on a flat level: the daily p95 stays flat (no fake trend)."""
    midnight = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC).timestamp()
    samples = [
        (midnight + 600 * i, 300 + 100 * math.sin(2 * math.pi * i / 144)) for i in range(144 * 28)
    ]
    points = daily_points(samples, "p95", 600)
    assert len(points) == 28
    assert max(v for _, v in points) - min(v for _, v in points) < 1.0
    trend = evaluate(monitor(), points)
    assert trend.status == "ok" and trend.crossing is None


def test_a_crossing_within_lead_time_plus_margin_alerts() -> None:
    # 400 ms now, +40 ms/week: crosses 500 ms in about 2.5 weeks; lead 14 + margin 7 = 3 weeks
    trend = evaluate(monitor(), days(rising(400 - 40 * 27 / 7, 40)))
    assert trend.status == "alert"
    assert trend.crossing is not None
    crossing = trend.crossing
    assert crossing.low_weeks <= crossing.mid_weeks <= crossing.high_weeks
    assert crossing.mid_weeks == pytest.approx(2.5, abs=0.2)
    assert crossing.low_weeks <= 3.0  # the soonest end is within the 21 days: the alert
    assert trend.slope_per_week == pytest.approx(40, rel=0.1)
    assert trend.crossing.mid == END + datetime.timedelta(days=round(trend.crossing.mid_weeks * 7))


def test_the_same_crossing_with_a_short_lead_time_does_not_alert() -> None:
    trend = evaluate(monitor(lead_time_days=3, margin_days=0), days(rising(400 - 40 * 27 / 7, 40)))
    assert trend.status == "ok"
    assert trend.crossing is not None
    assert trend.reason == "crossing later than the lead time plus margin"


def test_flat_and_already_past_series() -> None:
    flat = evaluate(monitor(), days(rising(300, 0.0)))
    assert flat.status == "ok" and flat.crossing is None
    past = evaluate(monitor(), days(rising(510, 1.0)))
    assert past.status == "breached" and past.reason.startswith("already above")
    assert evaluate(monitor(), []).status == "no-data"


def test_falling_below_a_floor() -> None:
    trend = evaluate(monitor(threshold=50.0, direction="below"), days(rising(200, -30)))
    assert trend.status == "alert"
    assert trend.slope_per_week is not None and trend.slope_per_week < 0


def test_nice_ceil_rounds_up_to_two_significant_digits() -> None:
    assert nice_ceil(2.74) == 2.8
    assert nice_ceil(1234) == 1300
    assert nice_ceil(3.0) == 3.0
    assert nice_ceil(0.0412) == pytest.approx(0.042)


def test_capacity_advice_raises_the_limit_and_adds_replicas() -> None:
    """Memory per replica at 1.5 GiB, +0.15 GiB/week, 2 GiB limit, alert at 90 % (1.8 GiB)."""
    capacity = CapacitySetting(limit=2.0, replicas=3)
    watched = monitor(name="api-memory", unit="GiB", threshold=1.8, capacity=capacity)
    trend = evaluate(watched, days(rising(1.5 - 0.15 * 27 / 7, 0.15, sd=0.005)))
    assert trend.status == "alert" and trend.capacity is not None
    advice = trend.capacity
    assert advice.kind == "raise" and advice.threshold_share == pytest.approx(0.9)
    # the plan: lead 14 + margin 7 days (3 weeks) + 13 weeks = 16 weeks at the band's fast end
    assert advice.plan_weeks == pytest.approx(16.0)
    assert trend.slope_high is not None
    expected_usage = 1.5 + max(abs(trend.slope_low or 0), abs(trend.slope_high)) * 16
    assert advice.usage == pytest.approx(expected_usage, rel=0.02)
    assert advice.recommended_limit == nice_ceil(advice.usage / 0.9)
    assert advice.recommended_limit * 0.9 >= advice.usage
    # per-replica usage after adding N: usage * 3 / (3 + N) must fit under 1.8 GiB
    add = advice.add_replicas
    assert add is not None and advice.usage * 3 / (3 + add) <= 1.8 < advice.usage * 3 / (2 + add)
    phrase = capacity_phrase(trend)
    assert "of the 2 GiB limit" in phrase and "raise the limit to" in phrase
    assert f"add {add} replica" in phrase


def test_a_breached_capacity_asks_for_room_for_the_current_peak() -> None:
    watched = monitor(unit="GiB", threshold=1.8, capacity=CapacitySetting(limit=2.0, replicas=2))
    trend = evaluate(watched, days(rising(1.9, 0.0, sd=0.001)))
    assert trend.status == "breached" and trend.capacity is not None
    assert trend.capacity.recommended_limit == nice_ceil(trend.capacity.usage / 0.9)
    assert trend.capacity.add_replicas == 1  # 1.9 * 2 / 3 = 1.27 <= 1.8
    assert trend.capacity.plan_weeks == 0.0
    phrase = capacity_phrase(trend)
    assert phrase.startswith("already past 90 % of the 2 GiB limit: raise the limit to")
    assert "covers" not in phrase


def test_usage_under_a_fifth_of_capacity_for_four_weeks_is_over_provisioned() -> None:
    watched = monitor(unit="GiB", threshold=7.2, capacity=CapacitySetting(limit=8.0, replicas=4))
    trend = evaluate(watched, days(rising(1.0, 0.0, sd=0.05)))
    assert trend.status == "ok" and trend.capacity is not None
    advice = trend.capacity
    assert advice.kind == "overprovisioned"
    peak = max(v for _, v in trend.points)
    assert advice.usage == peak
    assert advice.recommended_limit == nice_ceil(peak / 0.9)
    assert advice.add_replicas == 4 - math.ceil(4 * peak / 7.2)
    assert "over-provisioned" in capacity_phrase(trend)


def test_over_provisioning_needs_four_weeks_under_a_fifth() -> None:
    watched = monitor(unit="GiB", threshold=7.2, capacity=CapacitySetting(limit=8.0))
    assert evaluate(watched, days(rising(1.0, 0.0, n=20))).capacity is None  # too short
    busy = rising(1.0, 0.0)
    busy[10] = 1.7  # one day above 20 % of 8 GiB
    assert evaluate(watched, days(busy)).capacity is None


def test_monitors_stepping_on_the_same_day_name_each_other() -> None:
    values = np.concatenate([rising(200, 10, n=12), rising(300 + 10 * 12 / 7, 40, n=16, seed=2)])
    latency = evaluate(monitor(), days(values))
    errors = evaluate(monitor(name="errors", threshold=1000.0), days(values * 2))
    calm = evaluate(monitor(name="calm"), days(rising(100, 0.0)))
    assert latency.level_shift_at is not None
    marked = with_common_moves([latency, errors, calm])
    assert marked[0].moved_with == ("errors",)
    assert marked[1].moved_with == ("dashboard-p95",)
    assert marked[2].moved_with == ()


def test_the_alert_body_says_what_how_fast_and_when_with_a_chart() -> None:
    trend = evaluate(monitor(), days(rising(400 - 40 * 27 / 7, 40)))
    body = trend_alert_markdown(trend)
    assert trend_alert_title(trend) == "Trend alert: dashboard-p95 (dashboard)"
    assert "## Trend alert: dashboard\\-p95 (dashboard)" in body
    assert re.search(r"rises \\\+(39|40|41)(\\\.\d+)? ms/week", body), body[:300]
    assert "in 3 weeks" in body or "in 2 weeks" in body
    assert "```mermaid\nxychart-beta" in body
    # the threshold is the chart's second, flat line
    assert "    line [" + ", ".join(["500"] * 28) + "]" in body
    assert trend.crossing is not None and trend.crossing.mid.isoformat() in body
    assert "`dashboard_p95_ms`" in body


def test_repository_strings_cannot_ping_or_inject() -> None:
    trend = evaluate(
        monitor(name="x", query="up{job='@team <img src=x>'} | 1", unit="ms"),
        days(rising(400 - 40 * 27 / 7, 40)),
    )
    body = trend_alert_markdown(trend)
    # the query is shown only as a code span (no mention, no HTML there), its pipe escaped so
    # it cannot end the table cell
    assert body.count("@team") == body.count("<img") == 1
    assert "| `up{job='@team <img src=x>'} \\| 1` |" in body
    assert "ALERT" in trends_table([trend])


def test_the_step_happened_between_the_last_point_before_it_and_the_end_of_its_first_day() -> None:
    values = np.concatenate([rising(200, 10, n=12), rising(300 + 10 * 12 / 7, 40, n=16, seed=2)])
    trend = evaluate(monitor(), days(values))
    shift = trend.level_shift_at
    assert shift is not None
    midnight = datetime.datetime.combine(shift, datetime.time(), datetime.UTC)
    assert step_window(trend) == (midnight - datetime.timedelta(days=1), midnight + DAY)
    # a gap in the daily points before the step widens the window back to the last point
    gapped = [(day, v) for day, v in trend.points if not shift - 4 * DAY < day < shift]
    wide = replace(trend, points=tuple(gapped))
    assert step_window(wide) == (midnight - 4 * DAY, midnight + DAY)
    # ... but never further back than a week
    far = [(day, v) for day, v in trend.points if not shift - 11 * DAY < day < shift]
    assert step_window(replace(trend, points=tuple(far))) == (midnight - 7 * DAY, midnight + DAY)
    assert step_window(evaluate(monitor(), days(rising(100, 40)))) is None
