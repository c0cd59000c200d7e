"""Forecast quality: our crossing dates against Prometheus' ``predict_linear`` on the same data.

Synthetic series with known crossing times (linear + noise, weekly seasonality, a step change,
a flat series, a series that turns back) are backfilled into a real Prometheus (``promtool``),
then read two ways:

- ours: the whole ``maintainer trends --format json`` process (``query_range``, daily points,
  the forecast engine, the alert rule), one monitor per series;
- the rival: ``predict_linear(series[28d], 0)`` and ``predict_linear(series[28d], 1w)``
  evaluated by the same Prometheus at the end of the data; the crossing is where that
  least-squares line meets the threshold.

Reported: the median absolute error of the crossing date (days) over the series that do cross,
the share of true crossings inside our nominal 80 % interval, and how many series alert
(crossing within lead time + margin) among those that never cross (flat, turning back).
Targets (issue #16): lower median error than predict_linear, coverage ≥ 75 %, no alert on the
flat and turning series.

    python -m benchmarks.forecast_quality [--seeds 12]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from app.ops.prometheus import PrometheusClient
from benchmarks.processes import checked, maintainer, timed
from tests.support.prometheus import available, prometheus

DAYS = 28
STEP = 600
"""Seconds between raw samples."""
LEAD_DAYS = 14
MARGIN_DAYS = 7
WEEK = 7 * 86_400
KINDS = ("linear", "weekly", "step", "flat", "turning")
CROSSING_KINDS = ("linear", "weekly", "step")


@dataclass(frozen=True)
class Synthetic:
    name: str
    kind: str
    samples: list[tuple[float, float]]
    threshold: float
    crossing: float | None
    """Unix seconds when the underlying trend crosses the threshold; None: never."""


def synthesize(kind: str, seed: int, end: float) -> Synthetic:
    rng = np.random.default_rng(seed * 101 + KINDS.index(kind))
    start = end - DAYS * 86_400
    times = start + STEP * np.arange(DAYS * 86_400 // STEP)
    weeks = (times - start) / WEEK
    noise = rng.normal(0.0, float(rng.uniform(8, 20)), len(times))
    base = float(rng.uniform(200, 260))
    slope = float(rng.uniform(20, 60))
    ahead = float(rng.uniform(1.0, 8.0))
    """Weeks from the end of the data to the true crossing."""
    span = DAYS / 7.0
    crossing: float | None = end + ahead * WEEK
    if kind == "linear":
        trend = base + slope * weeks
        threshold = base + slope * (span + ahead)
    elif kind == "weekly":
        trend = base + slope * weeks
        seasonal = float(rng.uniform(0.5, 1.0)) * slope * np.sin(2 * math.pi * weeks)
        trend = trend + seasonal
        threshold = base + slope * (span + ahead)
    elif kind == "step":
        at = float(rng.uniform(1.2, 2.0))
        jump = float(rng.uniform(80, 140))
        after = weeks >= at
        trend = base + np.where(after, jump + slope * (weeks - at), 0.0)
        threshold = base + jump + slope * (span - at + ahead)
    elif kind == "flat":
        trend = np.full(len(times), base)
        threshold = base + 200.0
        crossing = None
    else:  # turning: rises, then falls back
        turn = float(rng.uniform(2.4, 2.8))
        trend = base + np.where(weeks < turn, slope * weeks, slope * turn - slope * (weeks - turn))
        threshold = base + slope * (turn + 1.5)
        crossing = None
    values = trend + noise
    samples = [(float(t), round(float(v), 3)) for t, v in zip(times, values, strict=True)]
    return Synthetic(f"bench_{kind}_{seed}", kind, samples, round(threshold, 3), crossing)


def predict_linear(url: str, series: Synthetic, at: datetime.datetime) -> float | None:
    """The crossing (unix seconds) of Prometheus' least-squares line, or None (no crossing
    ahead within a year)."""
    with PrometheusClient(url) as client:
        now = client.query(f"predict_linear({series.name}[{DAYS}d], 0)", at)
        later = client.query(f"predict_linear({series.name}[{DAYS}d], {WEEK})", at)
    if not now or not later:
        return None
    level, ahead = now[0].samples[0][1], later[0].samples[0][1]
    slope = ahead - level
    if slope <= 0:
        return None
    weeks = (series.threshold - level) / slope
    if weeks <= 0 or weeks > 52:
        return None
    return at.timestamp() + weeks * WEEK


def ours(
    url: str, series: list[Synthetic], at: datetime.datetime, workdir: Path
) -> dict[str, dict[str, object]]:
    config = {
        "monitors": [
            {
                "name": s.name,
                "query": s.name,
                "threshold": s.threshold,
                "service": "bench",
                "unit": "ms",
                "aggregate": "mean",
                "lead_time_days": LEAD_DAYS,
                "margin_days": MARGIN_DAYS,
                "window_days": DAYS,
            }
            for s in series
        ]
    }
    path = workdir / "maintainer.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    command = [
        *maintainer(),
        "trends",
        "--prometheus",
        url,
        "--config",
        str(path),
        "--format",
        "json",
        "--now",
        at.strftime("%Y-%m-%dT%H:%M:%S"),
    ]
    run = checked(timed(command), "maintainer trends", allowed=(0,))
    print(f"maintainer trends over {len(series)} monitors: {run.seconds:.2f} s", file=sys.stderr)
    return {m["name"]: m for m in json.loads(run.stdout)["monitors"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=12, help="Series per kind.")
    args = parser.parse_args()
    if not available():
        raise SystemExit("prometheus and promtool are needed (apt-get install prometheus)")
    today = datetime.datetime.now(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    at = today - datetime.timedelta(days=1)
    end = at.timestamp()
    series = [synthesize(kind, seed, end) for kind in KINDS for seed in range(args.seeds)]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="forecast-quality-") as scratch:
        workdir = Path(scratch)
        with prometheus(workdir, {s.name: s.samples for s in series}) as url:
            print(f"prometheus ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            answers: dict[str, dict[str, object]] = {}
            for kind in KINDS:  # one process per kind (a config holds at most 50 monitors)
                answers.update(ours(url, [s for s in series if s.kind == kind], at, workdir))
            rival = {s.name: predict_linear(url, s, at) for s in series}
    report(series, answers, rival, end)


def report(
    series: list[Synthetic],
    answers: dict[str, dict[str, object]],
    rival: dict[str, float | None],
    end: float,
) -> None:
    warn = (LEAD_DAYS + MARGIN_DAYS) * 86_400
    ours_errors: list[float] = []
    rival_errors: list[float] = []
    covered = crossing_total = 0
    ours_missed = rival_missed = 0
    lines = []
    for kind in KINDS:
        subset = [s for s in series if s.kind == kind]
        kind_ours: list[float] = []
        kind_rival: list[float] = []
        ours_alerts = rival_alerts = kind_covered = 0
        for s in subset:
            answer = answers[s.name]
            forecast = answer["forecast"]
            assert isinstance(forecast, dict) or forecast is None
            if answer["status"] in ("alert", "breached"):
                ours_alerts += 1
            theirs = rival[s.name]
            if theirs is not None and theirs - end <= warn:
                rival_alerts += 1
            if s.crossing is None:
                continue
            crossing_total += 1
            if forecast is None:
                ours_missed += 1
            else:
                last = datetime.date.fromisoformat(str(answer["points"][-1]["date"]))  # type: ignore[index]
                origin = datetime.datetime.combine(
                    last, datetime.time(12), datetime.UTC
                ).timestamp()
                eta = forecast["eta_weeks"]
                mid = origin + float(eta["mid"]) * WEEK
                low = origin + float(eta["low"]) * WEEK
                high = origin + float(eta["high"]) * WEEK
                error = abs(mid - s.crossing) / 86_400
                kind_ours.append(error)
                if low <= s.crossing <= high:
                    covered += 1
                    kind_covered += 1
            if theirs is None:
                rival_missed += 1
            else:
                kind_rival.append(abs(theirs - s.crossing) / 86_400)
        ours_errors += kind_ours
        rival_errors += kind_rival
        lines.append(
            f"{kind:8} n={len(subset):2}  ours: median error {_median(kind_ours)} d"
            f" (forecast {len(kind_ours)}), covered {kind_covered}, alerts {ours_alerts}"
            f"  | predict_linear: median error {_median(kind_rival)} d"
            f" (forecast {len(kind_rival)}), alerts {rival_alerts}"
        )
    print("\n".join(lines))
    coverage = covered / crossing_total if crossing_total else float("nan")
    false_ours = sum(
        1
        for s in series
        if s.crossing is None and answers[s.name]["status"] in ("alert", "breached")
    )
    false_rival = sum(
        1
        for s in series
        if s.crossing is None and (t := rival[s.name]) is not None and t - end <= warn
    )
    print(
        f"ALL crossing series: ours median |error| {_median(ours_errors)} days "
        f"(no forecast for {ours_missed}/{crossing_total}), predict_linear {_median(rival_errors)} "
        f"days (no crossing for {rival_missed}/{crossing_total}); "
        f"ratio {statistics.median(ours_errors) / statistics.median(rival_errors):.2f}"
    )
    print(f"coverage of our nominal 80 % interval: {coverage:.0%} ({covered}/{crossing_total})")
    print(f"alerts on flat + turning series: ours {false_ours}, predict_linear {false_rival}")
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "—"


if __name__ == "__main__":
    main()
