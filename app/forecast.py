"""When will a metric cross its threshold? A robust trend with an interval, or a reason not to say.

The trend is the Theil–Sen line (the median of the pairwise slopes) with its confidence band on
the slope (scipy's ``theilslopes``), fitted on weeks since the first sample. A sudden step (a
level shift: a vendored dependency, a big merge) is found first and only the points after it are
used, since a line drawn across a step predicts a trend that is not there. No forecast is made
from fewer than ``MIN_POINTS`` points, when the band includes a flat trend or one moving away
from the threshold (over all the points since the last level shift, or, from ``2 * MIN_POINTS``
points on, over their recent half: a series that turned back is not extrapolated), when the
metric is already past the threshold, or when the crossing is beyond the horizon.

The time to the crossing is an interval, in weeks after the last sample: ``mid`` from the
Theil–Sen line, ``low`` and ``high`` from the lines through the median point with the band's
steepest and shallowest slopes, widened by the uncertainty of that point's level.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
from numpy.typing import NDArray

MIN_POINTS = 6
MAX_POINTS = 156
"""Only the most recent three years of weekly samples are used (the step search is cubic)."""
MIN_SEGMENT = 4
"""A level shift needs at least this many points on each side of it."""
STEP_TO_NOISE = 4.0
"""A step counts as a level shift when it is this many times the noise (a robust sigma)."""
FIT_GAIN = 1.5
"""…and when one line fits the series at least this many times worse than two lines do."""
_MAD_TO_SIGMA = 1.4826
_MEDIAN_SE = math.sqrt(math.pi / 2.0)
"""The standard error of a median of n normal values is this times sigma over sqrt(n)."""

Direction = Literal["above", "below"]
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Eta:
    """Weeks from the last point to the crossing: soonest, most likely, latest."""

    low: float
    mid: float
    high: float


@dataclass(frozen=True)
class Forecast:
    slope_per_week: float
    slope_low: float
    slope_high: float
    eta_weeks: Eta
    points: int
    """How many samples the trend was fitted on (those after the last level shift)."""
    level_shift_at: datetime.date | None
    """The date of the first sample after a level shift, when one was found."""


@dataclass(frozen=True)
class NoForecast:
    reason: str


def forecast(
    series: Sequence[tuple[datetime.date, float]],
    threshold: float,
    *,
    direction: Direction,
    horizon_weeks: float = 52.0,
    confidence: float = 0.90,
) -> Forecast | NoForecast:
    """Forecast when ``series`` rises ``above`` (or falls ``below``) ``threshold``.

    Raises ``ValueError`` for a series with a repeated date or a non-finite value, and for
    parameters out of range; the series need not be sorted. Only its last ``MAX_POINTS``
    samples are used.
    """
    _check_arguments(threshold, direction, horizon_weeks, confidence)
    ordered = sorted(series, key=lambda point: point[0])
    _check_series(ordered)
    ordered = ordered[-MAX_POINTS:]
    if ordered and _beyond(ordered[-1][1], threshold, direction):
        word = "above" if direction == "above" else "below"
        return NoForecast(
            f"already {word} the threshold ({_number(ordered[-1][1])} vs {_number(threshold)})"
        )
    if len(ordered) < MIN_POINTS:
        return NoForecast(f"fewer than {MIN_POINTS} points")

    first = ordered[0][0]
    weeks = np.array([(day - first).days / 7.0 for day, _ in ordered])
    values = np.array([value for _, value in ordered], dtype=np.float64)
    start = last_level_shift(weeks, values)
    shift_at = ordered[start][0] if start else None
    if len(ordered) - start < MIN_POINTS:
        return NoForecast(f"level shift on {shift_at}: fewer than {MIN_POINTS} points since")
    x, y = weeks[start:], values[start:]

    from scipy.stats import theilslopes  # ~0.5 s to import: only a series worth a fit pays it

    fit = theilslopes(y, x, alpha=confidence, method="joint")
    slope, intercept = float(fit.slope), float(fit.intercept)
    slope_low, slope_high = float(fit.low_slope), float(fit.high_slope)
    sign = 1.0 if direction == "above" else -1.0
    if sign * slope_low <= 0.0 and sign * slope_high <= 0.0:
        return NoForecast("trend moves away from the threshold")
    if sign * slope_low <= 0.0 or sign * slope_high <= 0.0:
        return NoForecast("no clear trend")

    if len(y) >= 2 * MIN_POINTS:
        recent = theilslopes(y[len(y) // 2 :], x[len(y) // 2 :], alpha=confidence, method="joint")
        if sign * float(recent.low_slope) <= 0.0 or sign * float(recent.high_slope) <= 0.0:
            return NoForecast(
                f"the trend turned: the last {len(y) - len(y) // 2} points do not move "
                "clearly toward the threshold"
            )

    mid = (threshold - intercept) / slope - float(x[-1])
    if mid <= 0.0:
        return NoForecast("the trend line is already past the threshold")
    if mid > horizon_weeks:
        return NoForecast(f"not within the horizon ({_number(horizon_weeks)} weeks)")
    eta = _eta(x, y, threshold, slope, (slope_low, slope_high), mid, confidence)
    return Forecast(
        slope_per_week=slope,
        slope_low=slope_low,
        slope_high=slope_high,
        eta_weeks=eta,
        points=len(y),
        level_shift_at=shift_at,
    )


def _eta(
    x: Floats,
    y: Floats,
    threshold: float,
    slope: float,
    band: tuple[float, float],
    mid: float,
    confidence: float,
) -> Eta:
    """The crossing interval around ``mid``: the band's slopes through the median point give
    how much sooner or later the steepest and shallowest lines cross; the uncertainty of the
    median point's own level (a median of ``n`` noisy values) is added in quadrature, so the
    interval covers the crossing about as often as ``confidence`` says."""
    last = float(x[-1])
    x_median = float(np.median(x))
    y_median = float(np.median(y - slope * (x - x_median)))
    soonest, latest = sorted(x_median + (threshold - y_median) / s - last for s in band)
    residuals = y - (y_median + slope * (x - x_median))
    sigma = _MAD_TO_SIGMA * float(np.median(np.abs(residuals - np.median(residuals))))
    level = NormalDist().inv_cdf((1.0 + confidence) / 2.0) * _MEDIAN_SE * sigma / math.sqrt(len(y))
    shift = level / abs(slope)
    low = mid - math.hypot(max(mid - soonest, 0.0), shift)
    high = mid + math.hypot(max(latest - mid, 0.0), shift)
    return Eta(low=max(low, 0.0), mid=mid, high=high)


def last_level_shift(x: Floats, y: Floats) -> int:
    """The index of the first point after the last level shift in ``y`` over ``x`` (0: none).

    Steps are searched for one at a time: the split of the series into two segments of at least
    ``MIN_SEGMENT`` points, each with its own Theil–Sen line, that leaves the least absolute
    residual is a level shift when the jump between the two lines at the split is at least
    ``STEP_TO_NOISE`` times the noise and one line fits clearly worse than the two. The search
    goes on in the part after the step, so the last of several steps is found.
    """
    start = 0
    while len(x) - start >= 2 * MIN_SEGMENT:
        split = _level_shift(x[start:], y[start:])
        if split is None:
            return start
        start += split
    return start


def _level_shift(x: Floats, y: Floats) -> int | None:
    best: tuple[float, int, float, Floats] | None = None
    for split in range(MIN_SEGMENT, len(x) - MIN_SEGMENT + 1):
        before, after = _line(x[:split], y[:split]), _line(x[split:], y[split:])
        residuals = np.concatenate(
            (_residuals(x[:split], y[:split], before), _residuals(x[split:], y[split:], after))
        )
        cost = float(np.sum(np.abs(residuals)))
        at = (x[split - 1] + x[split]) / 2.0
        jump = abs(_at(after, at) - _at(before, at))
        if best is None or cost < best[0]:
            best = (cost, split, jump, residuals)
    assert best is not None
    cost, split, jump, residuals = best
    noise = max(
        _noise(x, y),
        _MAD_TO_SIGMA * float(np.median(np.abs(residuals))),
        1e-9 * max(1.0, float(np.max(np.abs(y)))),
    )
    one_line = float(np.sum(np.abs(_residuals(x, y, _line(x, y)))))
    if jump >= STEP_TO_NOISE * noise and one_line >= FIT_GAIN * max(cost, 1e-12):
        return split
    return None


def _noise(x: Floats, y: Floats) -> float:
    """A robust sigma of the noise around a local trend: the MAD of the successive differences
    (after removing the typical slope), which a single step does not inflate."""
    steps = np.diff(y) - _median_slope(x, y) * np.diff(x)
    spread = float(np.median(np.abs(steps - np.median(steps))))
    return _MAD_TO_SIGMA * spread / math.sqrt(2.0)


def _median_slope(x: Floats, y: Floats) -> float:
    dx, dy = np.diff(x), np.diff(y)
    return float(np.median(dy / dx))


def _line(x: Floats, y: Floats) -> tuple[float, float]:
    """The Theil–Sen line (slope, intercept) without its band: what ``theilslopes`` computes
    first, here without the band's cost, since the step search fits every split."""
    first, second = np.triu_indices(len(x), k=1)
    dx = x[second] - x[first]
    keep = dx > 0
    slope = float(np.median((y[second] - y[first])[keep] / dx[keep]))
    return slope, float(np.median(y - slope * x))


def _at(line: tuple[float, float], x: float) -> float:
    slope, intercept = line
    return intercept + slope * x


def _residuals(x: Floats, y: Floats, line: tuple[float, float]) -> Floats:
    slope, intercept = line
    return y - (intercept + slope * x)


def _beyond(value: float, threshold: float, direction: Direction) -> bool:
    return value >= threshold if direction == "above" else value <= threshold


def _check_arguments(
    threshold: float, direction: str, horizon_weeks: float, confidence: float
) -> None:
    if direction not in ("above", "below"):
        raise ValueError(f"direction must be 'above' or 'below', not {direction!r}")
    if not math.isfinite(threshold):
        raise ValueError(f"the threshold must be a finite number, not {threshold!r}")
    if not (horizon_weeks > 0 and math.isfinite(horizon_weeks)):
        raise ValueError(f"horizon_weeks must be a positive number, not {horizon_weeks!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")


def _check_series(series: Sequence[tuple[datetime.date, float]]) -> None:
    for (day, _), (previous, _) in zip(series[1:], series, strict=False):
        if day == previous:
            raise ValueError(f"two samples on {day.isoformat()}")
    for day, value in series:
        if not math.isfinite(value):
            raise ValueError(f"the sample of {day.isoformat()} is not a finite number: {value!r}")


def _number(value: float) -> str:
    return f"{value:g}"
