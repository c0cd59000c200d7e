"""The document's forecasts: the health history's thresholded metrics, asked of the forecast
engine; only a real trend toward a threshold becomes an entry."""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.config import HealthThresholds
from app.health.document import forecast_inputs, forecasts_json
from app.health.samples import StoredSample

START = date(2026, 1, 2)


def history(libyears: list[float], coverage: list[float | None]) -> list[StoredSample]:
    return [
        StoredSample(
            commit=f"{week:040x}",
            day=START + timedelta(weeks=week),
            score=80,
            metrics={
                "complexity_mean": 4.0,
                "libyears": value,
                "coverage_percent": covered,
                "architecture_violations": 0,
            },
            components={},
            violations=(),
            items={},
        )
        for week, (value, covered) in enumerate(zip(libyears, coverage, strict=True))
    ]


def test_a_rising_metric_gets_a_forecast_with_an_interval_and_flat_ones_none() -> None:
    noise = random.Random(7)
    libyears = [2.0 + 0.25 * week + noise.uniform(-0.05, 0.05) for week in range(20)]
    samples = history(libyears, [None] * 20)  # coverage unknown: not forecast, not 0 %
    inputs = forecast_inputs(samples, HealthThresholds(libyears=10.0))
    assert {i.metric for i in inputs} == {"complexity_mean", "libyears", "architecture_violations"}
    [entry] = forecasts_json(inputs)
    assert entry["metric"] == "libyears" and entry["threshold"] == 10.0
    assert entry["points"] == 20 and 0.2 < entry["slope_per_week"] < 0.3
    eta = entry["eta_weeks"]
    # 6.75 at the last point, +0.25 a week: the line crosses 10 about 13 weeks later.
    assert eta["low"] <= 13 <= eta["high"] and eta["low"] < eta["mid"] < eta["high"]


def test_falling_coverage_is_forecast_against_its_lower_line() -> None:
    coverage: list[float | None] = [90.0 - 1.5 * week for week in range(12)]
    samples = history([1.0] * 12, coverage)
    [entry] = forecasts_json(forecast_inputs(samples, HealthThresholds(coverage_percent=60.0)))
    assert entry["metric"] == "coverage_percent" and entry["slope_per_week"] < 0
    assert entry["eta_weeks"]["mid"] > 0


def test_too_short_a_history_gives_no_forecast() -> None:
    samples = history([1.0, 2.0, 3.0, 4.0, 5.0], [None] * 5)
    assert forecasts_json(forecast_inputs(samples, HealthThresholds(libyears=10.0))) == []
