"""The same queue code on RedisHuey (127.0.0.1:6379), when Redis runs here."""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.queue import Queue, build_huey
from app.settings import Settings
from app.store import JobKind, JobRecord, JobStatus, open_store

REDIS_URL = "redis://127.0.0.1:6379/0"


def _unavailable() -> str | None:
    try:
        import redis  # noqa: F401
    except ImportError:
        return "the redis client is not installed (pip install -e '.[dev]')"
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError as exc:
        return f"Redis is not reachable on 127.0.0.1:6379 ({exc})"
    return None


def test_jobs_flow_through_redis_huey(tmp_path: Path) -> None:
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    settings = Settings(
        data_dir=tmp_path,
        redis_url=SecretStr(REDIS_URL),
        queue_name=f"maintainer-test-{uuid.uuid4().hex[:8]}",
    )
    huey = build_huey(settings)
    assert type(huey).__name__ == "RedisHuey"
    store = open_store(settings.database())
    queue = Queue(huey, store)
    ran: list[str] = []

    def scan(job: JobRecord) -> None:
        ran.append(job.repository or "")

    queue.handlers[JobKind.SCAN] = scan
    try:
        job_id = queue.enqueue(JobKind.SCAN, "octo/repo")
        assert queue.pending() == 1
        consumer = queue.consumer(workers=1, embedded=True)
        consumer.start()
        try:
            deadline = time.monotonic() + 20
            while not ran and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            consumer.stop(graceful=True)
        assert ran == ["octo/repo"]
        job = store.job(job_id)
        assert job is not None and job.status is JobStatus.SUCCEEDED
    finally:
        huey.flush()
