"""A real Prometheus for tests and benchmarks: series backfilled with
``promtool tsdb create-blocks-from openmetrics`` into a temporary storage directory, then the
server started on a free loopback port (never the system service) and stopped afterwards."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

Samples = Sequence[tuple[float, float]]
"""(unix seconds, value)"""


def available() -> bool:
    return shutil.which("prometheus") is not None and shutil.which("promtool") is not None


def openmetrics(series: Mapping[str, Samples], metric_type: str = "gauge") -> str:
    """OpenMetrics text of gauges; a key is ``name`` or ``name{label="value",...}``."""
    lines: list[str] = []
    by_name: dict[str, list[str]] = {}
    for key in series:
        by_name.setdefault(key.partition("{")[0], []).append(key)
    for name, keys in by_name.items():
        lines.append(f"# TYPE {name} {metric_type}")
        for key in keys:
            for moment, value in series[key]:
                lines.append(f"{key} {value!r} {moment:.3f}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def backfill(text: str, storage: Path) -> None:
    storage.mkdir(parents=True, exist_ok=True)
    source = storage.parent / f"{storage.name}-input.om"
    source.write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(storage)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    source.unlink()
    if done.returncode != 0:
        raise RuntimeError(f"promtool failed: {done.stderr[-2000:]}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def prometheus(workdir: Path, series: Mapping[str, Samples]) -> Iterator[str]:
    """A running Prometheus holding ``series``; yields its base URL."""
    storage = workdir / "tsdb"
    backfill(openmetrics(series), storage)
    config = workdir / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\nscrape_configs: []\n", encoding="utf-8")
    port = free_port()
    log = (workdir / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={storage}",
            "--storage.tsdb.retention.time=3650d",
            f"--web.listen-address=127.0.0.1:{port}",
            "--query.lookback-delta=15m",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, workdir / "prometheus.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"prometheus not ready in 60 s: {log.read_text()[-2000:]}")
