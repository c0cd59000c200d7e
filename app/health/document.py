"""The health JSON document (the contract shared with the renderers and the forecasts), and the
stored sample of a measurement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from app.config import HealthThresholds
from app.health.complexity import rank
from app.health.measure import Measurement
from app.health.samples import StoredSample
from app.health.score import item_impact

Direction = Literal["above", "below"]

THRESHOLD_DIRECTIONS: dict[str, Direction] = {
    "complexity_mean": "above",
    "libyears": "above",
    "coverage_percent": "below",
    "architecture_violations": "above",
    "flake_rate": "above",
}
"""Each watched metric and the side of its threshold that is bad."""


def metrics_of(measurement: Measurement) -> dict[str, Any]:
    stale = measurement.staleness
    return {
        "complexity_mean": measurement.complexity_mean,
        "libyears": stale.libyears if stale else 0.0,
        "coverage_percent": measurement.coverage.percent if measurement.coverage else None,
        "lines": measurement.lines,
        "dead_code_candidates": measurement.dead_code_candidates,
        "deprecated_uses": measurement.deprecated_uses,
        "architecture_violations": len(measurement.violations),
        "flake_rate": measurement.flake_rate,
    }


def stored_sample(measurement: Measurement, day: date) -> StoredSample:
    return StoredSample(
        commit=measurement.commit.sha,
        day=day,
        score=measurement.score.value,
        metrics=metrics_of(measurement),
        components={c.name: c.value for c in measurement.score.components},
        violations=tuple((v.contract, v.detail) for v in measurement.violations),
        items={
            item.id: round(item_impact(item, measurement.score), 3) for item in measurement.items
        },
    )


def modules_json(measurement: Measurement) -> list[dict[str, Any]]:
    modules: list[dict[str, Any]] = []
    for path, measured in measurement.complexity.items():
        churn = measurement.churn.of(path)
        worst = measured.worst
        total = sum(f.complexity for f in measured.functions)
        covered = measurement.coverage.of(path) if measurement.coverage else None
        modules.append(
            {
                "path": path,
                "lines": measured.lines,
                "complexity": {
                    "mean": round(measured.mean, 2),
                    "worst": {
                        "function": worst.name if worst else "",
                        "value": worst.complexity if worst else 0,
                    },
                    "rank": rank(max(round(measured.mean), 1)),
                },
                "churn": {"commits": churn.commits, "lines": churn.lines},
                "hotspot": float(churn.commits * total),
                "coverage": covered.percent if covered else None,
            }
        )
    modules.sort(key=lambda m: (-m["hotspot"], -m["complexity"]["mean"], m["path"]))
    return modules


def document(
    repository: str,
    measurement: Measurement,
    history: Sequence[StoredSample],
    previous: StoredSample | None,
    thresholds: HealthThresholds | None = None,
) -> dict[str, Any]:
    """The contract's document; ``history`` oldest first (the current sample included).

    ``thresholds`` (``.maintainer.yml`` ``health.thresholds``) turn the history into forecasts;
    without them the document has none."""
    stale = measurement.staleness
    earlier = set(previous.violations) if previous else set()
    ranked = sorted(
        measurement.items,
        key=lambda i: (-item_impact(i, measurement.score), -i.minutes, i.id),
    )
    return {
        "repository": repository,
        "at": {"commit": measurement.commit.sha, "date": measurement.at.date().isoformat()},
        "score": {
            "value": measurement.score.value,
            "grade": measurement.score.grade,
            "delta": measurement.score.value - previous.score if previous else None,
            "components": [
                {"name": c.name, "value": c.value, "weight": c.weight}
                for c in measurement.score.components
            ],
        },
        "modules": modules_json(measurement),
        "dependencies": {
            "libyears": stale.libyears if stale else 0.0,
            "mean_days_behind": stale.mean_days_behind if stale else None,
            "outdated": stale.outdated if stale else 0,
            "vulnerable": len(measurement.vulnerable or ()),
        },
        "architecture": {
            "violations": [
                {
                    "contract": v.contract,
                    "detail": v.detail,
                    "new": previous is not None and (v.contract, v.detail) not in earlier,
                }
                for v in measurement.violations
            ]
        },
        "items": [item.as_json() for item in ranked],
        "history": [sample.history_json() for sample in history],
        "forecasts": forecasts_json(forecast_inputs(history, thresholds)) if thresholds else [],
    }


@dataclass(frozen=True)
class ForecastInput:
    """One series the forecast engine (`app.forecast.forecast`) is asked about."""

    metric: str
    subject: str
    threshold: float
    direction: Direction
    series: tuple[tuple[date, float], ...]


def forecast_inputs(
    history: Sequence[StoredSample], thresholds: HealthThresholds
) -> list[ForecastInput]:
    """Every thresholded metric with its weekly series (unknown values left out), oldest first.

    `forecasts_json` asks the forecast engine about each.
    """
    limits = thresholds.model_dump()
    inputs = []
    for metric, direction in THRESHOLD_DIRECTIONS.items():
        series = tuple(
            (sample.day, float(value))
            for sample in history
            if isinstance(value := sample.metrics.get(metric), (int, float))
        )
        if series:
            inputs.append(
                ForecastInput(metric, "repository", float(limits[metric]), direction, series)
            )
    return inputs


def forecasts_json(inputs: Sequence[ForecastInput]) -> list[dict[str, Any]]:
    """The document's ``forecasts``: one entry per series whose trend crosses its threshold
    within the engine's horizon (a series without a clear trend, with too few points since a
    level shift, or already past its threshold gets none)."""
    from app.forecast import Forecast, forecast  # scipy: loaded only when there is a history

    entries: list[dict[str, Any]] = []
    for asked in inputs:
        answer = forecast(asked.series, asked.threshold, direction=asked.direction)
        if not isinstance(answer, Forecast):
            continue
        eta = answer.eta_weeks
        entries.append(
            {
                "metric": asked.metric,
                "subject": asked.subject,
                "threshold": asked.threshold,
                "slope_per_week": round(answer.slope_per_week, 4),
                "eta_weeks": {
                    "low": round(eta.low, 1),
                    "mid": round(eta.mid, 1),
                    "high": round(eta.high, 1),
                },
                "points": answer.points,
            }
        )
    return entries
