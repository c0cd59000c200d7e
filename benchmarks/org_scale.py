"""How far one worker goes: an organisation's repositories scanned by 1, 2, ... worker processes.

The GitHub emulator (`python -m app.emulator`, also serving the recorded package index) holds
`--repos` small git repositories (a pyproject with pinned dependencies, a few modules), all in
one installation. For each worker count, in alternating order, every round starts from nothing:
a new PostgreSQL database (on the machine's server), a new Redis queue, an empty clone cache.
The benchmark records the installation and its repositories in the store, enqueues one scan per
repository (as the tick does), starts the `maintainer worker` processes and waits until every job
has ended. Then it enqueues a second scan of every (unchanged) repository: the rescan.

Reported per worker count (medians over rounds): seconds until every repository was scanned
once (worker start-up included), scans per minute, GitHub REST calls per repository on the first
scan and on the rescan (git transfers and index pages are not REST calls), both all of them and
those GitHub counts against the rate limit (all but `304 Not Modified` answers to conditional
requests), with each round's requests by route and status on stderr, the longest any
repository waited for its scan to start against the mean wait (fairness), peak resident memory
per worker, and the scaling efficiency (speed-up over one worker divided by the worker count).

    python -m benchmarks.org_scale [--repos 120] [--workers 1 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from app.emulator.keys import generate
from app.queue import Queue, build_huey
from app.settings import Settings
from app.store import JobKind, JobStatus, RepoRef, open_store
from benchmarks.processes import GIT_ENV, maintainer

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get(
    "MAINTAINER_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
REDIS = os.environ.get("MAINTAINER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
ORG = "scale-org"
INSTALLATION = 1
PYPROJECT = """[project]
name = "{name}"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = ["attrs==26.1.0", "idna>=3.4"]
"""
MODULE = '''"""Module {n} of a small service."""


def handler_{n}(value: int) -> int:
    return value * {n}


def unused_helper_{n}() -> str:
    return "kept"
'''


@dataclass(frozen=True)
class Pass:
    seconds: float
    jobs_failed: int
    rest_calls: int  # every REST request
    counted_calls: int  # those GitHub counts against the rate limit: all but 304 Not Modified
    calls: dict[str, int]  # by method, route and status
    max_wait: float
    mean_wait: float


@dataclass(frozen=True)
class Round:
    workers: int
    first: Pass
    rescan: Pass
    peak_mib: list[float]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


@contextmanager
def emulator(work: Path) -> Iterator[tuple[str, Path]]:
    """The emulator as its own process; (its URL, the App's private key file)."""
    key = generate().write_private(work / "app-key.pem")
    port = free_port()
    command = [
        sys.executable, "-m", "app.emulator", "--port", str(port), "--data", str(work / "github"),
        "--key", str(key), "--index", str(ROOT / "fixtures" / "index"),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return httpx.get(f"{url}/_emulator/requests").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(up, 60, "the emulator")
        yield url, key
    finally:
        process.terminate()
        process.wait(30)


def seed(url: str, work: Path, count: int) -> dict[str, int]:
    """`count` repositories from one small tree, installed together; full name → id."""
    tree = work / "tree"
    (tree / "src" / "service").mkdir(parents=True)
    (tree / "pyproject.toml").write_text(PYPROJECT.format(name="service"))
    for n in range(1, 6):
        (tree / "src" / "service" / f"mod{n}.py").write_text(MODULE.format(n=n))
    (tree / "src" / "service" / "__init__.py").write_text("")
    ids = {}
    with httpx.Client(base_url=f"{url}/_emulator", timeout=60) as admin:
        for index in range(count):
            body = {"owner": ORG, "name": f"repo-{index:04d}", "tree": str(tree)}
            answer = admin.post("/repos", json=body)
            answer.raise_for_status()
            ids[f"{ORG}/repo-{index:04d}"] = int(answer.json()["id"])
        installed = {"id": INSTALLATION, "account": ORG, "repositories": sorted(ids)}
        admin.post("/installations", json=installed).raise_for_status()
    return ids


def rest_log(url: str) -> list[dict[str, Any]]:
    """The emulator's REST requests so far (git transfers and index pages left out)."""
    log = httpx.get(f"{url}/_emulator/requests", timeout=60).json()
    return [
        r
        for r in log
        if ".git/" not in r["path"] and not r["path"].startswith(("/simple", "/files"))
    ]


def kinds(log: list[dict[str, Any]]) -> dict[str, int]:
    """Requests by method, route (repository names and numbers folded) and status."""
    shapes = Counter(
        f"{r['method']} {re.sub(r'/repos/[^/]+/[^/]+', '/repos/{repo}', r['path'])} {r['status']}"
        for r in log
    )
    return dict(sorted(shapes.items()))


@contextmanager
def scratch_database() -> Iterator[str]:
    name = f"metrics_orgscale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{POSTGRES}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def scan_all(queue: Queue, url: str, names: list[str], settings: Settings) -> Pass:
    store = queue.store
    calls_before = len(rest_log(url))
    done_before = store.job_count(JobStatus.SUCCEEDED) + store.job_count(JobStatus.FAILED)
    failed_before = store.job_count(JobStatus.FAILED)
    enqueued = store.now()
    started = time.perf_counter()
    for name in names:
        queue.enqueue(JobKind.SCAN, name, {"reason": "schedule"})

    def finished() -> bool:
        ended = store.job_count(JobStatus.SUCCEEDED) + store.job_count(JobStatus.FAILED)
        return ended - done_before >= len(names)

    wait_until(finished, 3600, "every scan to end")
    seconds = time.perf_counter() - started
    waits = [
        (r.last_scan_at - enqueued).total_seconds()
        for r in store.repositories()
        if r.last_scan_at is not None and r.last_scan_at >= enqueued
    ]
    calls = rest_log(url)[calls_before:]
    return Pass(
        seconds=seconds,
        jobs_failed=store.job_count(JobStatus.FAILED) - failed_before,
        rest_calls=len(calls),
        counted_calls=sum(1 for r in calls if r["status"] != 304),
        calls=kinds(calls),
        max_wait=max(waits, default=0.0),
        mean_wait=statistics.fmean(waits) if waits else 0.0,
    )


def one_round(url: str, key: Path, ids: dict[str, int], workers: int, work: Path) -> Round:
    work.mkdir(parents=True, exist_ok=True)
    with scratch_database() as database:
        data = work / f"data-{uuid.uuid4().hex[:8]}"
        queue_name = f"metrics-orgscale-{uuid.uuid4().hex[:8]}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")} | {
            **GIT_ENV,
            "MAINTAINER_APP_ID": "1",
            "MAINTAINER_PRIVATE_KEY_PATH": str(key),
            "MAINTAINER_GITHUB_URL": url,
            "MAINTAINER_DATA_DIR": str(data),
            "MAINTAINER_DATABASE_URL": database,
            "MAINTAINER_REDIS_URL": REDIS,
            "MAINTAINER_QUEUE_NAME": queue_name,
            "MAINTAINER_ADVISORY_DB": str(ROOT / "fixtures" / "advisory-database"),
            "MAINTAINER_LOG_LEVEL": "WARNING",
            "PIP_INDEX_URL": f"{url}/simple/",
            "PYTHONPATH": str(ROOT),
        }
        settings = Settings(
            data_dir=data,
            database_url=SecretStr(database),
            redis_url=SecretStr(REDIS),
            queue_name=queue_name,
        )
        store = open_store(settings.database())
        store.upsert_installation(INSTALLATION, ORG, "Organization")
        store.add_repositories(INSTALLATION, [RepoRef(i, n, False, "main") for n, i in ids.items()])
        huey = build_huey(settings)
        queue = Queue(huey, store)
        processes = [
            subprocess.Popen(
                [*maintainer(), "worker", "--workers", "1"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=(work / f"worker-{queue_name}-{n}.log").open("w"),
            )
            for n in range(workers)
        ]
        peaks: list[float] = []
        try:
            names = sorted(ids)
            first = scan_all(queue, url, names, settings)
            rescan = scan_all(queue, url, names, settings)
            for job in store.jobs(JobStatus.FAILED, limit=3):
                print(f"failed: {job.repository}: {job.error}", file=sys.stderr)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                _, _, usage = os.wait4(process.pid, 0)
                peaks.append(usage.ru_maxrss / 1024)
            huey.flush()
            store.engine.dispose()
        return Round(workers, first, rescan, peaks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=120)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    results: dict[int, list[Round]] = {w: [] for w in args.workers}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="org-scale-") as temp:
        work = Path(temp)
        with emulator(work) as (url, key):
            ids = seed(url, work, args.repos)
            for number in range(args.rounds):
                order = args.workers[number % len(args.workers) :]
                order += args.workers[: number % len(args.workers)]
                for workers in order:
                    done = one_round(url, key, ids, workers, work / f"r{number}-w{workers}")
                    results[workers].append(done)
                    loads.append(os.getloadavg()[0])
                    print(json.dumps(asdict(done)), file=sys.stderr)
    report: dict[str, Any] = {"repos": args.repos, "cpus": os.cpu_count(), "load_average": loads}
    base = statistics.median(r.first.seconds for r in results[args.workers[0]])
    for workers, rounds in results.items():
        seconds = statistics.median(r.first.seconds for r in rounds)
        report[f"{workers}_workers"] = {
            "first_scan_seconds": round(seconds, 1),
            "all_first_scan_seconds": [round(r.first.seconds, 1) for r in rounds],
            "scans_per_minute": round(args.repos / seconds * 60, 1),
            "rescan_seconds": round(statistics.median(r.rescan.seconds for r in rounds), 1),
            "rest_calls_per_repo_first": round(
                statistics.median(r.first.rest_calls for r in rounds) / args.repos, 2
            ),
            "rest_calls_per_repo_rescan": round(
                statistics.median(r.rescan.rest_calls for r in rounds) / args.repos, 2
            ),
            "counted_calls_per_repo_first": round(
                statistics.median(r.first.counted_calls for r in rounds) / args.repos, 2
            ),
            "counted_calls_per_repo_rescan": round(
                statistics.median(r.rescan.counted_calls for r in rounds) / args.repos, 2
            ),
            "jobs_failed": [r.first.jobs_failed + r.rescan.jobs_failed for r in rounds],
            "max_wait_over_mean": [
                round(r.first.max_wait / r.first.mean_wait, 2) if r.first.mean_wait else None
                for r in rounds
            ],
            "peak_mib_per_worker": round(max(max(r.peak_mib) for r in rounds), 1),
            "scaling_efficiency": round(base / seconds / (workers / args.workers[0]), 2),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
