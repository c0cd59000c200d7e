"""A real Prometheus fires a rule, a real Alertmanager delivers it to our server: one incident,
and its resolution closes it. Both are Debian's packages (`.ci/run` installs them)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.server import create_app
from app.service.wiring import Services, build_services
from app.store.records import IncidentRecord
from tests.server.support import SECRET, RecordingReplies, live_server, make_settings
from tests.support.prometheus import free_port

TOKEN = "alertmanager-to-maintainer"
PROMETHEUS = shutil.which("prometheus")
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")

pytestmark = pytest.mark.slow

FIRING_RULE = """groups:
  - name: latency
    interval: 1s
    rules:
      - alert: HighLatency
        expr: vector(620) > 500
        labels: {service: dashboard, severity: page}
        annotations: {summary: "p95 of /dashboard above 500 ms"}
"""
QUIET_RULE = FIRING_RULE.replace("vector(620) > 500", "vector(240) > 500")


@contextmanager
def running(command: list[str], ready: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=output)
    try:
        wait_for(lambda: httpx.get(ready, timeout=1).status_code == 200, 30, command[0])
        yield process
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{log.name}:\n{log.read_text()[-3000:]}") from None
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"gave up waiting for {what} after {seconds} s")


@pytest.fixture
def services(tmp_path: Path) -> Services:
    return build_services(make_settings(tmp_path / "data"), replies=RecordingReplies())


@pytest.mark.skipif(
    PROMETHEUS is None or ALERTMANAGER is None,
    reason="Debian's prometheus and prometheus-alertmanager are not installed (.ci/run does)",
)
def test_alertmanager_delivers_a_firing_then_resolved_alert(
    tmp_path: Path, services: Services
) -> None:
    assert PROMETHEUS is not None and ALERTMANAGER is not None
    app = create_app(
        SecretStr(SECRET), services.queue, alerts=services.store, alerts_token=SecretStr(TOKEN)
    )
    with live_server(app) as ours:
        am_port, prom_port = free_port(), free_port()
        (tmp_path / "alertmanager.yml").write_text(
            "route: {receiver: maintainer, group_by: [alertname], group_wait: 1s,"
            " group_interval: 1s, repeat_interval: 1h}\n"
            "receivers:\n"
            "  - name: maintainer\n"
            "    webhook_configs:\n"
            f"      - url: {ours}/alerts/alertmanager\n"
            "        send_resolved: true\n"
            f"        http_config: {{authorization: {{credentials: {TOKEN}}}}}\n"
        )
        rules = tmp_path / "rules.yml"
        rules.write_text(FIRING_RULE)
        (tmp_path / "prometheus.yml").write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            f"rule_files: [{rules}]\n"
            "alerting:\n"
            f"  alertmanagers: [{{static_configs: [{{targets: ['127.0.0.1:{am_port}']}}]}}]\n"
        )
        alertmanager = [
            ALERTMANAGER,
            f"--config.file={tmp_path / 'alertmanager.yml'}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ]
        prometheus = [
            PROMETHEUS,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            "--web.enable-lifecycle",
            "--rules.alert.resend-delay=1s",  # the first send may precede discovery
        ]
        am_ready = f"http://127.0.0.1:{am_port}/-/ready"
        prom_ready = f"http://127.0.0.1:{prom_port}/-/ready"
        with (
            running(alertmanager, am_ready, tmp_path / "alertmanager.log"),
            running(prometheus, prom_ready, tmp_path / "prometheus.log"),
        ):

            def incidents() -> list[IncidentRecord]:
                return services.store.incidents()

            wait_for(lambda: len(incidents()) == 1, 60, "the firing notification")
            (incident,) = incidents()
            assert incident.alertname == "HighLatency" and incident.status == "firing"
            assert incident.labels["service"] == "dashboard"

            rules.write_text(QUIET_RULE)  # the latency falls back under the threshold
            httpx.post(f"http://127.0.0.1:{prom_port}/-/reload", timeout=10).raise_for_status()
            wait_for(lambda: incidents()[0].status == "resolved", 90, "the resolved notification")
    (closed,) = services.store.incidents()
    assert closed.id == incident.id and closed.resolved_at is not None
    kinds = [event.kind for event in services.store.incident_timeline(closed.id)]
    assert kinds[0] == "firing" and kinds[-1] == "resolved"
