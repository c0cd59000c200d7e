"""`maintainer serve` as a real process with its in-process consumer: accept, route, stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from app.store import JobKind, JobStatus, open_store
from tests.server.support import ROOT, SECRET, deliver, load
from tests.support import free_port, wait_for


@pytest.mark.slow
def test_serve_routes_deliveries_in_process_and_stops_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")} | {
        "MAINTAINER_DATA_DIR": str(data),
        "MAINTAINER_WEBHOOK_SECRET": SECRET,
        "MAINTAINER_WORKERS": "1",
        "PYTHONPATH": str(ROOT),
    }
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return httpx.get(f"{url}/healthz").status_code == 200
            except httpx.TransportError:
                assert process.poll() is None, log.read_text()
                return False

        wait_for(up, 30, "maintainer serve")
        with httpx.Client(base_url=url) as client:
            created = load("installation", "created.payload.json")
            assert deliver(client, "installation", created).status_code == 202
        store = open_store(Settings(data_dir=data).database())

        def routed() -> bool:
            return [r.full_name for r in store.repositories()] == ["Codertocat/Hello-World"]

        wait_for(routed, 30, "the delivery to be routed")
        # the onboarding scan ran too, and failed at once for want of App credentials
        wait_for(lambda: store.job_count(JobStatus.FAILED) == 1, 30, "the scan job to end")
        [failed] = store.jobs(JobStatus.FAILED)
        assert failed.kind == JobKind.SCAN and "MAINTAINER_APP_ID" in (failed.error or "")
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(30)
    assert code == 0, log.read_text()
    assert SECRET not in log.read_text()
