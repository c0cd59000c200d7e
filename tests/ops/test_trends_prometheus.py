"""`maintainer trends` against a real Prometheus (Debian's `prometheus` and `promtool`), its
storage backfilled with 4 weeks of series, started on a free loopback port."""

from __future__ import annotations

import datetime
import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from app.cli import cli
from app.ops.trends import nice_ceil
from tests.support.prometheus import available, free_port, prometheus

pytestmark = pytest.mark.slow

DAY = 86_400
STEP = 300
NOW = datetime.datetime.now(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
END = NOW.timestamp()
START = END - 28 * DAY
AT = NOW.strftime("%Y-%m-%dT%H:%M:%S")
"""The runs pretend it is midnight after the last sample, so 28 whole days are read."""
SLOPE = 40.0  # ms a week
CYCLE = 30.0  # ms: the daily cycle's amplitude
NOISE = 8.0


def latency_trend(t: float) -> float:
    """240 → 320 ms over the last two weeks, +40 ms a week all along."""
    return 320.0 + SLOPE * (t - END) / (7 * DAY)


def latency_samples() -> list[tuple[float, float]]:
    rng = np.random.default_rng(16)
    times = START + STEP * np.arange(28 * DAY // STEP)
    cycle = CYCLE * np.sin(2 * math.pi * (times % DAY) / DAY)
    values = [latency_trend(t) for t in times] + cycle + rng.normal(0.0, NOISE, len(times))
    return [(float(t), round(float(v), 3)) for t, v in zip(times, values, strict=True)]


def flat_samples(level: float) -> list[tuple[float, float]]:
    rng = np.random.default_rng(7)
    times = START + STEP * np.arange(28 * DAY // STEP)
    return [(float(t), round(level + float(rng.normal(0, 0.01)), 4)) for t in times]


@pytest.fixture(scope="module")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not available():
        pytest.fail(
            "Debian's prometheus is needed: apt-get install -y prometheus (.ci/run installs it)"
        )
    series = {
        'dashboard_latency_ms{route="/dashboard"}': latency_samples(),
        'dashboard_latency_ms{route="/login"}': flat_samples(120.0),
        "worker_memory_gib": flat_samples(0.9),
    }
    with prometheus(tmp_path_factory.mktemp("prometheus"), series) as url:
        yield url


CONFIG = """
monitors:
  - name: dashboard-p95
    query: 'max(dashboard_latency_ms{route="/dashboard"})'
    threshold: 500
    unit: ms
    service: dashboard
    lead_time_days: 28
  - name: worker-memory
    query: worker_memory_gib
    threshold: 7.2
    unit: GiB
    service: worker
    aggregate: max
    capacity: {limit: 8, replicas: 4}
  - name: broken
    query: 'rate(dashboard_latency_ms['
    threshold: 1
    service: dashboard
  - name: ambiguous
    query: dashboard_latency_ms
    threshold: 1000
    service: dashboard
"""


def run(tmp_path: Path, url: str, *args: str, config: str = CONFIG) -> tuple[int, str, str]:
    path = tmp_path / "maintainer.yml"
    path.write_text(config, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["trends", "--prometheus", url, "--config", str(path), "--now", AT, *args],
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


def expected_crossing_weeks() -> float:
    """When the true daily p95 (trend at mid-day + the p95 of the cycle and noise) reaches 500
    ms, in weeks after the last daily point (whose date is its x)."""
    rng = np.random.default_rng(0)
    phase = rng.uniform(0, 2 * math.pi, 200_000)
    offset = float(np.percentile(CYCLE * np.sin(phase) + rng.normal(0, NOISE, 200_000), 95))
    last_day = END - DAY
    at_last_noon = latency_trend(last_day + DAY / 2) + offset
    return (500.0 - at_last_noon) / SLOPE


def test_a_rising_latency_is_forecast_with_the_right_interval(
    prometheus_url: str, tmp_path: Path
) -> None:
    code, out, err = run(tmp_path, prometheus_url, "--format", "json", "--monitor", "dashboard-p95")
    assert code == 0, err
    document = json.loads(out)
    (latency,) = document["monitors"]
    assert latency["status"] == "alert"
    assert len(latency["points"]) == 28  # 4 weeks of UTC days, today (no samples) left out
    forecast = latency["forecast"]
    assert forecast["slope_per_week"] == pytest.approx(SLOPE, rel=0.1)
    eta = forecast["eta_weeks"]
    truth = expected_crossing_weeks()
    assert 3.5 < truth < 5.5
    assert eta["low"] <= truth <= eta["high"]
    assert eta["mid"] == pytest.approx(truth, abs=0.5)
    last = datetime.date.fromisoformat(latency["points"][-1]["date"])
    assert (
        forecast["crossing"]["mid"]
        == (last + datetime.timedelta(days=round(eta["mid"] * 7))).isoformat()
    )
    assert document["summary"]["alert"] == 1


def test_capacity_errors_and_exit_status(prometheus_url: str, tmp_path: Path) -> None:
    code, out, err = run(tmp_path, prometheus_url, "--format", "json")
    assert code == 1  # two monitors' queries failed: not a success
    by_name = {m["name"]: m for m in json.loads(out)["monitors"]}
    assert by_name["broken"]["status"] == "error"
    assert by_name["broken"]["reason"].startswith("Prometheus rejected the query: ")
    assert "parse error" in by_name["broken"]["reason"]
    assert by_name["ambiguous"]["status"] == "error"
    assert "returns 2 series" in by_name["ambiguous"]["reason"]
    assert "error: monitor broken: Prometheus rejected the query" in err
    memory = by_name["worker-memory"]
    assert memory["status"] == "ok"
    assert memory["capacity"]["kind"] == "overprovisioned"
    peak = max(point["value"] for point in memory["points"])
    assert 0.9 < peak < 0.95 and memory["capacity"]["usage"] == pytest.approx(peak)
    assert memory["capacity"]["recommended_limit"] == nice_ceil(peak / 0.9) == 1.1
    assert memory["capacity"]["replicas_change"] == 3  # one replica keeps 0.9 * 4 = 3.6 < 7.2


def test_markdown_and_table(prometheus_url: str, tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path, prometheus_url, "--format", "markdown", "--monitor", "dashboard-p95"
    )
    assert code == 0
    assert "## Production trends" in out
    assert "## Trend alert: dashboard\\-p95 (dashboard)" in out
    assert "```mermaid\nxychart-beta" in out
    assert "    line [" + ", ".join(["500"] * 28) + "]" in out
    code, out, _ = run(
        tmp_path, prometheus_url, "--monitor", "dashboard-p95", "--monitor", "worker-memory"
    )
    assert code == 0
    assert out.startswith("ALERT     dashboard-p95 (dashboard)")
    assert "over-provisioned" in out


def test_unreachable_and_missing_prometheus_are_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAINTAINER_PROMETHEUS_URL", raising=False)
    code, _, err = run(tmp_path, f"http://127.0.0.1:{free_port()}")
    assert code == 2
    assert "cannot reach Prometheus at http://127.0.0.1" in err
    path = tmp_path / "maintainer.yml"
    result = CliRunner().invoke(cli, ["trends", "--config", str(path)])
    assert result.exit_code == 2
    assert "pass --prometheus URL or set MAINTAINER_PROMETHEUS_URL" in result.stderr
    code, _, err = run(tmp_path, "ftp://x", config=CONFIG)
    assert code == 2 and "not a usable Prometheus URL" in err


def test_config_problems_are_fatal(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "http://127.0.0.1:1", config="monitors:\n  - {name: m}\n")
    assert code == 2 and "monitors.0.query" in err
    code, _, err = run(tmp_path, "http://127.0.0.1:1", config="monitors: []\n")
    assert code == 2 and "names no monitors" in err
    code, _, err = run(tmp_path, "http://127.0.0.1:1", "--monitor", "nope")
    assert code == 2 and "no monitor named nope" in err


def test_the_settings_url_and_token_are_used(prometheus_url: str, tmp_path: Path) -> None:
    """Prometheus ignores a bearer token it does not ask for; the URL comes from the setting."""
    path = tmp_path / "maintainer.yml"
    path.write_text(CONFIG, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "trends",
            "--config",
            str(path),
            "--monitor",
            "dashboard-p95",
            "--format",
            "json",
            "--now",
            AT,
        ],
        env={
            "MAINTAINER_PROMETHEUS_URL": prometheus_url,
            "MAINTAINER_PROMETHEUS_TOKEN": "t0k3n",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["prometheus"] == prometheus_url
    assert "t0k3n" not in done.stdout + done.stderr
