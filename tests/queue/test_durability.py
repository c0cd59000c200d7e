"""A worker killed with SIGKILL after the server answered 202: after a restart the job runs.

Real processes: `maintainer serve` (no in-process consumer) and a consumer process; SQLite queue.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from app.store import JobKind, JobStatus, open_store
from tests.server.support import ROOT, SECRET, deliver, load
from tests.support import free_port, wait_for


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")}
    return clean | {
        "MAINTAINER_DATA_DIR": str(tmp_path / "data"),
        "MAINTAINER_WEBHOOK_SECRET": SECRET,
        "MAINTAINER_WORKERS": "0",
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{url}/healthz").status_code == 200
        except httpx.TransportError:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            return False

    try:
        wait_for(up, 30, "maintainer serve")
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def start_worker(env: dict[str, str], markers: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.queue.slow_worker", str(markers)],
        env=env,
        cwd=ROOT,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
def test_a_job_killed_mid_run_runs_again_after_restart(
    server: str, env: dict[str, str], tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    with httpx.Client(base_url=server) as client:
        response = deliver(client, "installation", load("installation", "created.payload.json"))
    assert response.status_code == 202

    log = tmp_path / "worker.log"
    worker = start_worker(env, markers, log)
    try:
        wait_for(lambda: any(markers.glob("started-*")), 60, "the scan to start")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert not (markers / "done.txt").exists()

    (markers / "release").touch()
    worker = start_worker(env, markers, log)
    try:
        wait_for(lambda: (markers / "done.txt").exists(), 60, "the scan to run again")
        time.sleep(1.5)  # no second run sneaks in
    finally:
        worker.terminate()
        worker.wait(10)

    lines = (markers / "done.txt").read_text().splitlines()
    [(job_id, repository)] = [tuple(line.split()) for line in lines]
    assert repository == "Codertocat/Hello-World"
    assert len(list(markers.glob("started-*"))) == 2  # killed once, run once more
    store = open_store(Settings(data_dir=Path(env["MAINTAINER_DATA_DIR"])).database())
    job = store.job(job_id)
    assert job is not None and job.kind == JobKind.SCAN
    assert job.status is JobStatus.SUCCEEDED and job.attempts == 2
    # The delivery, then the scan; a periodic tick (every quarter hour) may also have run.
    finished = [j.kind for j in store.jobs(JobStatus.SUCCEEDED) if j.kind != JobKind.TICK]
    assert sorted(finished) == sorted([JobKind.DELIVERY, JobKind.SCAN])
    for name in ("serve.log", "worker.log"):
        assert SECRET not in (tmp_path / name).read_text()
