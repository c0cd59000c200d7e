from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.config import ConfigError, HealthThresholds, parse_config
from app.health.document import forecast_inputs
from app.health.samples import StoredSample


def test_health_and_report_settings() -> None:
    config = parse_config(
        "health:\n  weights: {coverage: 0.5}\n  thresholds: {libyears: 4}\n"
        "  history_weeks: 8\nreport: false\n"
    )
    assert config.health.weights.coverage == 0.5
    assert config.health.weights.complexity == 0.30
    assert config.health.thresholds.libyears == 4
    assert config.health.history_weeks == 8
    assert config.report is False
    default = parse_config("")
    assert default.report is not False and default.report.day == "friday"


@pytest.mark.parametrize(
    "text",
    [
        "health:\n  weights: {speed: 1}\n",
        "health:\n  weights: {coverage: -1}\n",
        "report: {day: someday}\n",
        "report: {time: '25:00'}\n",
        "health:\n  thresholds: {coverage_percent: 140}\n",
    ],
)
def test_bad_health_settings_are_refused_with_their_key(text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(text)
    assert raised.value.problems[0].line is not None


def sample(day: date, libyears: float, coverage: float | None) -> StoredSample:
    metrics = {
        "complexity_mean": 3.0,
        "libyears": libyears,
        "coverage_percent": coverage,
        "lines": 100,
        "dead_code_candidates": None,
        "deprecated_uses": None,
        "architecture_violations": 0,
    }
    return StoredSample("c", day, 90, metrics, {}, (), {})


def test_forecast_inputs_give_each_thresholded_series_oldest_first() -> None:
    start = date(2024, 1, 1)
    history = [sample(start + timedelta(weeks=k), 1.0 + k, None) for k in range(8)]
    inputs = {i.metric: i for i in forecast_inputs(history, HealthThresholds(libyears=12))}
    assert set(inputs) == {"complexity_mean", "libyears", "architecture_violations"}
    libyears = inputs["libyears"]
    assert libyears.threshold == 12 and libyears.direction == "above"
    assert libyears.series[0] == (start, 1.0) and len(libyears.series) == 8
    assert "coverage_percent" not in inputs  # unknown values are not a series of zeros
