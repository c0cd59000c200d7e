"""Jobs through the real SQLite Huey and store: retries, failures, locks, recovery, consumers."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from huey.storage import SqliteStorage

from app.cli import cli
from app.github.errors import NotFound, RateLimited, ServerError
from app.queue import (
    TASK_COLUMNS,
    JobFailed,
    Queue,
    RetryPolicy,
    build_huey,
    owner_dead,
    process_owner,
    transient,
)
from app.settings import Settings
from app.store import JobKind, JobRecord, JobStatus, NewDelivery, NewJob, Store, open_store


def take_retries(queue: Queue) -> list[float]:
    """Seconds until each delayed message (Huey keeps them in the queue until a consumer
    moves them to its schedule); the queue is emptied."""
    now = datetime.now(UTC).replace(tzinfo=None)
    tasks = queue.huey.pending() + queue.huey.scheduled()
    queue.huey.storage.flush_queue()
    queue.huey.storage.flush_schedule()
    return [(task.eta - now).total_seconds() for task in tasks if task.eta is not None]


def test_a_job_runs_once_and_succeeds(queue: Queue, store: Store) -> None:
    seen: list[JobRecord] = []
    queue.handlers[JobKind.SCAN] = seen.append
    job_id = queue.enqueue(JobKind.SCAN, "octo/repo", {"reason": "push"})
    assert queue.pending() == 1
    queue.run_job(job_id)
    queue.run_job(job_id)  # a duplicate message: already done, not run again
    assert [job.args for job in seen] == [{"reason": "push"}]
    job = store.job(job_id)
    assert job is not None and job.status is JobStatus.SUCCEEDED and job.attempts == 1


def test_rate_limit_is_retried_no_sooner_than_retry_after(queue: Queue, store: Store) -> None:
    def limited(job: JobRecord) -> None:
        raise RateLimited("GET /repos/octo/repo: secondary rate limit", 403, retry_after=120)

    queue.handlers[JobKind.SCAN] = limited
    job_id = queue.enqueue(JobKind.SCAN, "octo/repo")
    queue.huey.dequeue()  # the consumer took the message
    queue.run_job(job_id)
    job = store.job(job_id)
    assert job is not None and job.status is JobStatus.QUEUED
    assert job.error is not None and "secondary rate limit" in job.error
    [delay] = take_retries(queue)
    assert 115 < delay <= 120


def test_server_errors_back_off_then_fail_with_the_reason(
    queue: Queue, store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(job: JobRecord) -> None:
        raise ServerError("POST /repos/octo/repo/pulls: HTTP 502", 502)

    queue.handlers[JobKind.SCAN] = broken
    job_id = queue.enqueue(JobKind.SCAN, "octo/repo")
    take_retries(queue)
    delays = []
    for _ in range(3):  # 1 attempt + 2 retries
        queue.run_job(job_id)
        delays.append(take_retries(queue))
    assert [len(d) for d in delays] == [1, 1, 0]
    assert 4 < delays[0][0] <= 5 and 9 < delays[1][0] <= 10  # exponential
    job = store.job(job_id)
    assert job is not None and job.status is JobStatus.FAILED and job.attempts == 3
    assert job.error == "ServerError: POST /repos/octo/repo/pulls: HTTP 502"

    monkeypatch.setenv("MAINTAINER_DATA_DIR", str(settings.data_dir))
    if settings.database_url is not None:
        monkeypatch.setenv("MAINTAINER_DATABASE_URL", settings.database_url.get_secret_value())
    result = CliRunner().invoke(cli, ["jobs", "--failed"])
    assert result.exit_code == 0, result.output
    assert job_id[:12] in result.output and "HTTP 502" in result.output
    assert "attempts=3" in result.output
    result = CliRunner().invoke(cli, ["jobs", "--failed", "--format", "json"])
    [line] = result.output.splitlines()
    assert json.loads(line)["error"] == job.error


def test_permanent_errors_fail_at_once(queue: Queue, store: Store) -> None:
    for error in (
        NotFound("GET /repos/octo/gone: Not Found", 404),
        JobFailed("bad"),
        KeyError("x"),
    ):

        def fail(job: JobRecord, error: Exception = error) -> None:
            raise error

        queue.handlers[JobKind.SCAN] = fail
        job_id = queue.enqueue(JobKind.SCAN, None)
        queue.run_job(job_id)
        job = store.job(job_id)
        assert job is not None and job.status is JobStatus.FAILED, error
    assert take_retries(queue) == []


def test_transient_classification() -> None:
    class Legacy(Exception):
        retry_after = 3.0

    class Status(Exception):
        status_code = 503

    assert transient(Legacy()) and transient(Status()) and transient(httpx.ConnectError("x"))
    assert transient(ServerError("x", 500)) and not transient(NotFound("x", 404))
    assert not transient(ValueError("x"))
    policy = RetryPolicy(retries=3, base_delay=10, max_delay=25)
    assert [policy.delay(ServerError("x", 500), n) for n in (1, 2, 3, 4)] == [10, 20, 25, None]
    assert policy.delay(RateLimited("x", 429, 60), 1) == 60


def test_one_job_per_repository_at_a_time(queue: Queue, store: Store) -> None:
    order: list[str] = []

    def first(job: JobRecord) -> None:
        order.append(f"start {job.args['n']}")
        if job.args["n"] == 1:
            queue.run_job(second_id)  # same repository while the first holds the lock
        order.append(f"end {job.args['n']}")

    queue.handlers[JobKind.SCAN] = first
    first_id = queue.enqueue(JobKind.SCAN, "octo/repo", {"n": 1})
    second_id = queue.enqueue(JobKind.SCAN, "octo/repo", {"n": 2})
    other_id = queue.enqueue(JobKind.SCAN, "octo/other", {"n": 3})
    queue.run_job(first_id)
    assert order == ["start 1", "end 1"]
    deferred = store.job(second_id)
    assert deferred is not None and deferred.status is JobStatus.QUEUED
    assert deferred.attempts == 0  # waiting for the lock is not an attempt
    assert len(take_retries(queue)) == 1
    queue.run_job(second_id)
    queue.run_job(other_id)
    assert order[2:] == ["start 2", "end 2", "start 3", "end 3"]


def test_jobs_orphaned_by_a_dead_worker_run_again(queue: Queue, store: Store) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = f"{socket.gethostname()}:{done.stdout.strip()}:0123456789ab"
    assert owner_dead(dead) and not owner_dead(process_owner())
    assert not owner_dead("elsewhere:1:x")
    ran: list[str] = []
    queue.handlers[JobKind.SCAN] = lambda job: ran.append(job.id)
    job_id = queue.enqueue(JobKind.SCAN, "octo/repo")
    queue.huey.dequeue()
    assert store.start_job(job_id, dead) is not None  # it was running when its process died
    assert queue.recover() == 1
    assert queue.pending() == 1
    queue.run_job(job_id)
    assert ran == [job_id]
    assert queue.recover() == 0


def test_silent_workers_on_other_hosts_are_recovered_too(queue: Queue, store: Store) -> None:
    job_id = queue.enqueue(JobKind.SCAN, None)
    store.start_job(job_id, "other-host:12:abc")
    assert queue.recover() == 0
    later = store.now() + timedelta(hours=1)
    assert [j.id for j in store.orphaned_jobs(owner_dead, later)] == [job_id]


def test_a_thread_consumer_drains_the_queue(queue: Queue, store: Store) -> None:
    ran: list[int] = []
    queue.handlers[JobKind.SCAN] = lambda job: ran.append(job.args["n"])
    ids = [queue.enqueue(JobKind.SCAN, f"octo/r{n}", {"n": n}) for n in range(5)]
    consumer = queue.consumer(workers=2, embedded=True)
    consumer.start()
    try:
        deadline = time.monotonic() + 20
        # Count the scans themselves: a periodic tick may finish in between.
        while len(ran) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
    assert sorted(ran) == list(range(5))
    assert all((job := store.job(i)) is not None and job.status is JobStatus.SUCCEEDED for i in ids)


def test_unknown_job_kinds_fail_with_a_reason(queue: Queue, store: Store) -> None:
    job_id = queue.enqueue(JobKind.REFRESH, None)
    queue.run_job(job_id)
    job = store.job(job_id)
    assert job is not None and job.status is JobStatus.FAILED and "no handler" in (job.error or "")


def test_a_failed_enqueue_forgets_the_delivery(queue: Queue, store: Store) -> None:
    class Boom(Exception):
        pass

    def broken(*args: object, **kwargs: object) -> None:
        raise Boom

    queue._enqueue_many = broken  # type: ignore[method-assign]
    with pytest.raises(Boom):
        queue.accept_delivery("d-1", "push", None, b"{}")
    assert store.delivery_count() == 0 and store.job_count() == 0


def test_settings_pick_the_queue_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, queue_path=tmp_path / "q" / "jobs.db")
    huey = build_huey(settings)
    assert Path(huey.storage.filename) == tmp_path / "q" / "jobs.db"


def test_a_job_whose_message_was_never_written_is_queued_at_consumer_start(
    queue: Queue, store: Store
) -> None:
    from app.store import NewJob

    kept = queue.enqueue(JobKind.SCAN, "octo/a")
    retry = queue.enqueue(JobKind.SCAN, "octo/b")
    queue.huey.dequeue()
    queue.huey.dequeue()
    queue._task.schedule((retry,), delay=600)  # a retry waiting in the schedule
    queue._task(kept)
    store.add_job(NewJob("lost", JobKind.SCAN, "octo/c"))  # died before its message
    assert queue.recover_messages() == 1
    ids = sorted(task.args[0] for task in queue.huey.pending())
    assert ids == sorted([kept, retry, "lost"])  # the delayed one waits in the queue too
    assert queue.recover_messages() == 0


def test_batched_messages_are_written_as_hueys_own_enqueue_writes_them(tmp_path: Path) -> None:
    """`accept_deliveries` writes huey's private `task` table in one transaction: this fails
    when a huey release changes that table (then the pin in pyproject must not move)."""
    settings = Settings(data_dir=tmp_path / "data")  # SQLite's own table: not on Redis
    queue = Queue(build_huey(settings), open_store(settings.database()))
    storage = queue.huey.storage
    assert isinstance(storage, SqliteStorage)
    table = storage.sql("pragma table_info(task)", results=True)
    columns = {name: (bool(notnull), default) for _cid, name, _type, notnull, default, _pk in table}
    assert set(columns) == {"id", *TASK_COLUMNS}  # huey writes nothing we do not
    required = {name for name, (notnull, default) in columns.items() if notnull and default is None}
    assert required - {"id"} <= set(TASK_COLUMNS)
    first = queue.enqueue(JobKind.SCAN, "octo/a")  # through huey's own `enqueue`
    batch = [
        NewDelivery(
            f"d-{n}", "push", None, b"{}", NewJob(f"j-{n}", JobKind.DELIVERY, None, f"d-{n}")
        )
        for n in (1, 2)
    ]
    assert queue.accept_deliveries(batch) == [True, True]
    rows = storage.sql("select queue, priority, typeof(data) from task order by id", results=True)
    assert len(rows) == 3 and len(set(rows)) == 1  # the same shape as huey's own row
    assert [task.args[0] for task in queue.huey.pending()] == [first, "j-1", "j-2"]
    assert queue.huey.dequeue().args == (first,)
    assert queue.huey.dequeue().args == ("j-1",)
    assert queue.pending() == 1
