"""How well do the forecasts keep their promises? Synthetic series with a known answer.

`.venv/bin/python scripts/forecast_calibration.py [--seeds 300]` prints, for straight lines with
normal noise, how often a forecast is made and how often its 90 % interval holds the true
crossing; how many level shifts are found in noisy lines (none should be) and forecasts made
from flat noise; and how often a step of k times the noise is found. The README quotes a run.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.forecast import Forecast, forecast, last_level_shift

START = datetime.date(2026, 1, 5)


def weekly(values: np.ndarray) -> list[tuple[datetime.date, float]]:
    return [(START + datetime.timedelta(weeks=i), float(v)) for i, v in enumerate(values)]


def noise(seed: int, n: int, sd: float) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, sd, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=300)
    seeds = range(parser.parse_args().seeds)
    count = len(seeds)
    for n, slope, sd, eta in [
        (26, 0.2, 0.5, 10),
        (26, 0.2, 1.0, 10),
        (12, 0.3, 0.5, 6),
        (18, 0.3, 0.3, 13),
    ]:
        made = covered = 0
        for seed in seeds:
            values = 1.0 + slope * np.arange(n) + noise(seed, n, sd)
            result = forecast(weekly(values), 1.0 + slope * (n - 1 + eta), direction="above")
            if isinstance(result, Forecast):
                made += 1
                covered += result.eta_weeks.low <= eta <= result.eta_weeks.high
        print(
            f"line n={n} slope={slope}/week noise sd={sd}, crossing in {eta} weeks: "
            f"forecast {made}/{count}, the 90 % interval holds it in {covered / max(made, 1):.3f}"
        )
    x = np.arange(26.0)
    false_steps = sum(last_level_shift(x, 0.3 * x + noise(seed, 26, 1.0)) > 0 for seed in seeds)
    print(f"level shifts found in {count} noisy lines (26 points): {false_steps}")
    flat = sum(
        isinstance(forecast(weekly(5.0 + noise(seed, 26, 1.0)), 10.0, direction="above"), Forecast)
        for seed in seeds
    )
    print(f"forecasts from {count} flat noisy series (26 points): {flat}")
    for size in (4, 5, 6, 8, 10):
        found = sum(
            abs(last_level_shift(x, np.where(x >= 14, size, 0.0) + noise(seed, 26, 1.0)) - 14) <= 1
            for seed in seeds
        )
        print(f"a step of {size}x the noise at week 14 of 26 found (±1 week): {found / count:.2f}")


if __name__ == "__main__":
    main()
