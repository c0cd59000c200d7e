"""The forecast engine on synthetic series whose true crossing is known."""

from __future__ import annotations

import datetime
import math
import time
from collections.abc import Iterable

import numpy as np
import pytest

from app.forecast import MAX_POINTS, Forecast, NoForecast, forecast

START = datetime.date(2026, 1, 5)


def weekly(values: Iterable[float]) -> list[tuple[datetime.date, float]]:
    return [(START + datetime.timedelta(weeks=i), float(v)) for i, v in enumerate(values)]


def noise(seed: int, n: int, sd: float) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, sd, n)


def predict_linear_eta(series: list[tuple[datetime.date, float]], threshold: float) -> float:
    """Prometheus' ``predict_linear``: the least-squares line over the whole range, no interval,
    no step handling; solved for the weeks from the last sample until it reaches ``threshold``."""
    x = np.array([(day - series[0][0]).days / 7.0 for day, _ in series])
    y = np.array([value for _, value in series])
    slope, intercept = np.polyfit(x, y, 1)
    return float((threshold - intercept) / slope - x[-1])


def test_linear_with_noise_the_true_crossing_is_inside_the_interval() -> None:
    n, slope, sd, threshold = 26, 0.2, 0.5, 8.0
    true_eta = (threshold - 1.0) / slope - (n - 1)  # 10 weeks after the last sample
    made = covered = 0
    for seed in range(200):
        series = weekly(1.0 + slope * np.arange(n) + noise(seed, n, sd))
        result = forecast(series, threshold, direction="above", confidence=0.90)
        if isinstance(result, Forecast):
            made += 1
            eta = result.eta_weeks
            assert eta.low <= eta.mid <= eta.high
            assert result.slope_low <= result.slope_per_week <= result.slope_high
            assert result.points == n and result.level_shift_at is None
            covered += eta.low <= true_eta <= eta.high
    assert made >= 190
    assert covered / made >= 0.85


def test_a_wider_confidence_gives_a_wider_interval() -> None:
    series = weekly(1.0 + 0.2 * np.arange(26) + noise(3, 26, 0.5))
    narrow = forecast(series, 8.0, direction="above", confidence=0.5)
    wide = forecast(series, 8.0, direction="above", confidence=0.95)
    assert isinstance(narrow, Forecast) and isinstance(wide, Forecast)
    assert wide.eta_weeks.low < narrow.eta_weeks.low
    assert wide.eta_weeks.high > narrow.eta_weeks.high
    assert wide.eta_weeks.mid == pytest.approx(narrow.eta_weeks.mid)


def test_flat_noise_gives_no_forecast() -> None:
    results = [
        forecast(weekly(5.0 + noise(seed, 26, 1.0)), 10.0, direction="above") for seed in range(100)
    ]
    assert sum(isinstance(r, Forecast) for r in results) <= 3
    assert any(r == NoForecast("no clear trend") for r in results)


def test_a_step_then_flat_gives_no_forecast_where_predict_linear_gives_one() -> None:
    reasons = set()
    for seed in range(30):
        values = np.where(np.arange(26) < 12, 2.0, 5.0) + noise(seed, 26, 0.2)
        series = weekly(values)
        result = forecast(series, 8.0, direction="above")
        assert isinstance(result, NoForecast), (seed, result)
        # The rival draws one line across the step and sees a steady climb toward 8.
        assert 0 < predict_linear_eta(series, 8.0) < 52
        reasons.add(result.reason)
    assert "no clear trend" in reasons


def test_a_step_then_a_trend_uses_only_the_points_after_the_step() -> None:
    x = np.arange(26)
    truth = np.where(x < 8, 1.0, 6.0 + 0.3 * (x - 8))  # crosses 15 at week 38: 13 after the last
    true_eta = 38.0 - 25.0
    made = covered = 0
    for seed in range(100):
        series = weekly(truth + noise(seed, 26, 0.3))
        result = forecast(series, 15.0, direction="above")
        if not isinstance(result, Forecast) or result.points != 18:
            # A second, spurious step in the noise: fewer points or none; never across the step.
            if isinstance(result, Forecast):
                assert result.level_shift_at is not None
                assert result.level_shift_at > series[8][0]
            else:
                assert result.reason.startswith("level shift on"), (seed, result)
            continue
        made += 1
        assert result.level_shift_at == series[8][0]
        covered += result.eta_weeks.low <= true_eta <= result.eta_weeks.high
        # The rival's line across the step is steeper, so it predicts the crossing too soon,
        # outside our interval.
        assert predict_linear_eta(series, 15.0) < result.eta_weeks.low
    assert made >= 90
    # About 89 % over 300 seeds; 100 draws of that spread by about 3 %.
    assert covered >= 0.80 * made


def test_too_few_points() -> None:
    assert forecast(weekly([1, 2, 3, 4, 5]), 10, direction="above") == NoForecast(
        "fewer than 6 points"
    )
    assert forecast([], 10, direction="above") == NoForecast("fewer than 6 points")


def test_too_few_points_after_a_level_shift() -> None:
    values = [1.0 + 0.01 * (i % 3) for i in range(20)] + [9.0, 9.01, 9.02, 9.0]
    series = weekly(values)
    assert forecast(series, 20, direction="above") == NoForecast(
        f"level shift on {series[20][0]}: fewer than 6 points since"
    )


def test_decreasing_toward_a_below_threshold() -> None:
    n, slope, threshold = 20, -0.5, 70.0  # coverage 90 % falling half a point a week
    true_eta = (90.0 - threshold) / 0.5 - (n - 1)  # 21 weeks
    covered = 0
    for seed in range(100):
        series = weekly(90.0 + slope * np.arange(n) + noise(seed, n, 0.8))
        result = forecast(series, threshold, direction="below")
        assert isinstance(result, Forecast), result
        assert result.slope_high < 0
        covered += result.eta_weeks.low <= true_eta <= result.eta_weeks.high
    assert covered >= 85


def test_already_beyond_the_threshold_says_so() -> None:
    rising = weekly(np.arange(10.0))
    assert forecast(rising, 9.0, direction="above") == NoForecast(
        "already above the threshold (9 vs 9)"
    )
    falling = weekly(50.0 - np.arange(10.0))
    assert forecast(falling, 45.0, direction="below") == NoForecast(
        "already below the threshold (41 vs 45)"
    )
    assert forecast(weekly([12.0]), 10.0, direction="above").reason.startswith("already above")  # type: ignore[union-attr]


def test_a_trend_away_from_the_threshold() -> None:
    series = weekly(10.0 - 0.5 * np.arange(12) + noise(1, 12, 0.1))
    assert forecast(series, 20.0, direction="above") == NoForecast(
        "trend moves away from the threshold"
    )


def test_a_crossing_beyond_the_horizon() -> None:
    series = weekly(1.0 + 0.01 * np.arange(26) + noise(2, 26, 0.001))
    assert forecast(series, 10.0, direction="above") == NoForecast(
        "not within the horizon (52 weeks)"
    )
    result = forecast(series, 10.0, direction="above", horizon_weeks=2000)
    assert isinstance(result, Forecast)
    assert result.eta_weeks.mid == pytest.approx(9.0 / 0.01 - 25, rel=0.01)


def test_dates_not_weeks_apart_are_measured_in_weeks() -> None:
    days = [START + datetime.timedelta(days=d) for d in (0, 7, 21, 28, 49, 56, 70, 91)]
    series = [(day, 2.0 + 0.5 * (day - START).days / 7.0) for day in days]
    result = forecast(list(reversed(series)), 20.0, direction="above")
    assert isinstance(result, Forecast)
    assert result.slope_per_week == pytest.approx(0.5)
    assert result.eta_weeks.mid == pytest.approx((20.0 - 2.0) / 0.5 - 13)


def test_bad_input_is_a_clear_error() -> None:
    series = weekly(range(8))
    with pytest.raises(ValueError, match="two samples on 2026-01-05"):
        forecast([*series, series[0]], 10, direction="above")
    with pytest.raises(ValueError, match="not a finite number"):
        forecast([*series, (START - datetime.timedelta(weeks=1), math.nan)], 10, direction="above")
    with pytest.raises(ValueError, match="confidence"):
        forecast(series, 10, direction="above", confidence=1.0)
    with pytest.raises(ValueError, match="direction"):
        forecast(series, 10, direction="up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="horizon"):
        forecast(series, 10, direction="above", horizon_weeks=0)


def test_a_long_history_is_bounded_to_its_recent_part() -> None:
    days = [START + datetime.timedelta(days=i) for i in range(5000)]  # daily samples, 14 years
    series = [(day, 0.01 * i + 0.001 * (i % 7)) for i, day in enumerate(days)]
    started = time.perf_counter()
    result = forecast(series, 52.0, direction="above")
    assert time.perf_counter() - started < 5.0
    assert isinstance(result, Forecast) and result.points == MAX_POINTS
    assert result.slope_per_week == pytest.approx(0.07, rel=0.05)


def test_a_series_that_turned_back_gives_no_forecast() -> None:
    """Rising for 18 points then falling for 10: the slope over all of them is still upward
    (predict_linear would extrapolate it), but the recent half moves away: no forecast."""
    values = [10.0 + 2.0 * i for i in range(18)] + [44.0 - 2.0 * i for i in range(1, 11)]
    series = weekly(np.array(values) + noise(3, len(values), 0.3))
    assert predict_linear_eta(series, 60.0) > 0
    result = forecast(series, 60.0, direction="above")
    assert isinstance(result, NoForecast)
    assert result.reason.startswith("the trend turned")


def test_a_steady_trend_is_not_mistaken_for_a_turn() -> None:
    series = weekly(5.0 + 0.5 * np.arange(20) + noise(4, 20, 0.2))
    assert isinstance(forecast(series, 30.0, direction="above"), Forecast)
