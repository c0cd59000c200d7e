"""A real Prometheus (Debian's `prometheus`) scrapes a running `maintainer serve` whose jobs run
in a separate `maintainer worker` process: the worker's counters reach the scrape through
MAINTAINER_METRICS_DIR, and the example alert rules load (and pass `promtool check rules`)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.support import ROOT, SECRET, deliver, load
from tests.support import free_port, wait_for

ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
TOKEN = "scrape-token-8c2b"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (apt-get install prometheus)")
    return found


def test_the_example_alert_rules_pass_promtool() -> None:
    checked = subprocess.run(
        [_tool("promtool"), "check", "rules", str(ALERTS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout + checked.stderr


@contextmanager
def started(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def _query(prometheus: str, expr: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10)
    answer.raise_for_status()
    result: list[dict[str, Any]] = answer.json()["data"]["result"]
    return result


@pytest.mark.slow
def test_prometheus_scrapes_serve_and_sees_the_workers_counters(tmp_path: Path) -> None:
    prometheus_bin = _tool("prometheus")
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")} | {
        "MAINTAINER_DATA_DIR": str(data),
        "MAINTAINER_WEBHOOK_SECRET": SECRET,
        "MAINTAINER_WORKERS": "0",  # jobs run in the worker process only
        "MAINTAINER_METRICS_TOKEN": TOKEN,
        "MAINTAINER_METRICS_DIR": str(tmp_path / "metrics"),
        "PYTHONPATH": str(ROOT),
    }
    port, prometheus_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    prometheus = f"http://127.0.0.1:{prometheus_port}"
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"rule_files:\n  - {ALERTS}\n"
        "scrape_configs:\n"
        "  - job_name: maintainer-bot\n"
        "    scrape_interval: 1s\n"
        "    authorization:\n"
        f"      credentials: {TOKEN}\n"
        "    static_configs:\n"
        f"      - targets: ['127.0.0.1:{port}']\n"
    )
    serve = [sys.executable, "-m", "app", "serve", "--port", str(port)]
    worker = [sys.executable, "-m", "app", "worker", "--workers", "1"]
    prometheus_command = [
        prometheus_bin,
        f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{prometheus_port}",
    ]
    with (
        started(serve, env, tmp_path / "serve.log") as server,
        started(worker, env, tmp_path / "worker.log") as consumer,
        started(prometheus_command, env, tmp_path / "prometheus.log") as scraper,
    ):

        def up(base: str, path: str, process: subprocess.Popen[bytes], log: str) -> bool:
            try:
                return httpx.get(f"{base}{path}").status_code == 200
            except httpx.TransportError:
                assert process.poll() is None, (tmp_path / log).read_text()
                return False

        wait_for(lambda: up(url, "/healthz", server, "serve.log"), 60, "maintainer serve")
        wait_for(lambda: up(prometheus, "/-/ready", scraper, "prometheus.log"), 60, "prometheus")
        with httpx.Client(base_url=url) as client:
            created = load("installation", "created.payload.json")
            assert deliver(client, "installation", created).status_code == 202
            assert deliver(client, "installation", created, secret="wrong").status_code == 401

        def seen(expr: str) -> bool:
            assert consumer.poll() is None, (tmp_path / "worker.log").read_text()
            return bool(_query(prometheus, expr))

        # the target is up, scraped with the bearer token
        wait_for(lambda: seen('up{job="maintainer-bot"} == 1'), 60, "a successful scrape")
        # recorded by serve itself
        accepted = 'maintainer_webhook_deliveries_total{event="installation",code="202"} == 1'
        wait_for(lambda: seen(accepted), 60, "the delivery counter")
        wait_for(lambda: seen('maintainer_webhook_deliveries_total{code="401"}'), 30, "401s")
        # recorded by the worker process, read through the metrics directory
        routed = 'maintainer_job_duration_seconds_count{kind="delivery",outcome="succeeded"} == 1'
        wait_for(lambda: seen(routed), 60, "the worker's job counter")
        # the onboarding scan fails for want of App credentials: counted as failed
        failed = 'maintainer_job_duration_seconds_count{kind="scan",outcome="failed"} == 1'
        wait_for(lambda: seen(failed), 60, "the failed scan")
        # read from the store at scrape time
        wait_for(lambda: seen('maintainer_queue_jobs{status="failed"} == 1'), 30, "queue gauge")
        assert seen("maintainer_queue_oldest_job_age_seconds == 0")
        rules = httpx.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
        assert [group["name"] for group in rules] == ["maintainer-bot"]
        assert len(rules[0]["rules"]) == 7
    assert consumer.returncode == 0, (tmp_path / "worker.log").read_text()
    assert server.returncode == 0, (tmp_path / "serve.log").read_text()
    assert TOKEN not in (tmp_path / "serve.log").read_text()
