"""The job queue: Huey carries job ids, the store keeps each job's state.

Huey deletes a message when a consumer takes it, so a consumer killed mid-job would lose it.
The store therefore records every job (queued → running → succeeded | failed) with the process
that runs it; `recover()` (at consumer start and on every tick) puts jobs whose process died back
in the queue. Jobs about one repository take a lock in the store, so at most one runs at a time.
Transient failures (GitHub 5xx, 429, secondary rate limits, network errors) are retried with
exponential backoff, never sooner than the `Retry-After` GitHub gave; after the last retry the
job stays `failed` with its reason (`maintainer jobs --failed`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from huey.storage import SqliteStorage

from app.logs import redact
from app.metrics import Metrics, metrics
from app.settings import Settings
from app.store import JobKind, JobRecord, NewDelivery, NewJob, Store

log = logging.getLogger(__name__)

JobHandler = Callable[[JobRecord], None]

LOCK_STALE_AFTER = timedelta(minutes=5)
HEARTBEAT_SECONDS = 30.0
LOCK_WAIT_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 3600.0
ORPHAN_AFTER = timedelta(minutes=15)
# The columns of huey's SQLite `task` table that `SqliteStorage.enqueue` fills (huey 3.5).
TASK_COLUMNS = ("queue", "data", "priority")
_INSERT_TASK = f"insert into task ({', '.join(TASK_COLUMNS)}) values (?, ?, ?)"

_HOST = socket.gethostname()
_INCARNATION = uuid.uuid4().hex[:12]


def process_owner() -> str:
    """Who runs a job: host, pid, and a per-process token (pids are reused after restarts)."""
    return f"{_HOST}:{os.getpid()}:{_INCARNATION}"


def owner_dead(owner: str) -> bool:
    """True when `owner` is a process of this host that no longer runs (unknown hosts: False)."""
    host, _, rest = owner.partition(":")
    pid_text, _, incarnation = rest.partition(":")
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return incarnation.split(":", 1)[0] != _INCARNATION
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class JobFailed(Exception):
    """A job that must not be retried (bad arguments, missing repository...)."""


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 4
    base_delay: float = 10.0
    max_delay: float = MAX_BACKOFF_SECONDS

    def delay(self, exc: BaseException, attempt: int) -> float | None:
        """Seconds before attempt `attempt + 1`, or None when `exc` is not worth retrying."""
        if attempt > self.retries or not transient(exc):
            return None
        backoff = float(min(self.base_delay * 2 ** (attempt - 1), self.max_delay))
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, int | float) and retry_after > 0:
            return max(float(retry_after), backoff)
        return backoff


def transient(exc: BaseException) -> bool:
    """GitHub 5xx / 429 / secondary rate limit (by `status_code` or `retry_after`), network."""
    if isinstance(exc, JobFailed):
        return False
    retryable = getattr(exc, "retryable", None)  # app.github.errors.GitHubError
    if isinstance(retryable, bool):
        return retryable
    if getattr(exc, "retry_after", None) is not None or getattr(exc, "transient", False):
        return True
    status = getattr(exc, "status_code", getattr(exc, "status", None))
    if isinstance(status, int) and (status >= 500 or status == 429):
        return True
    return isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError)


def describe(exc: BaseException) -> str:
    """The failure reason kept with the job: tokens and keys are cut out (see app.logs)."""
    return redact(f"{type(exc).__name__}: {exc}")[:2000]


def build_huey(settings: Settings) -> Huey:
    """RedisHuey when MAINTAINER_REDIS_URL is set, else SqliteHuey in the data dir."""
    if settings.redis_url is not None:
        return RedisHuey(
            settings.queue_name, url=settings.redis_url.get_secret_value(), results=False
        )
    path = settings.queue_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(settings.queue_name, filename=str(path), results=False, timeout=30)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer for a thread of another program: it leaves signal handling to its host."""

    def _set_signal_handlers(self) -> None:
        return None


class Queue:
    def __init__(
        self,
        huey: Huey,
        store: Store,
        policy: RetryPolicy | None = None,
        tick_minutes: int = 15,
        telemetry: Metrics | None = None,
    ) -> None:
        self.huey = huey
        self.telemetry = telemetry or metrics()
        self.store = store
        self.policy = policy or RetryPolicy()
        self.handlers: dict[str, JobHandler] = {}
        self._task = huey.task(name="maintainer.run_job")(self._run)
        self._tick = huey.periodic_task(
            crontab(minute=f"*/{tick_minutes}"), name="maintainer.tick"
        )(self._periodic_tick)

    # -- producing ------------------------------------------------------------------------

    def accept_delivery(
        self, delivery_id: str, event: str, action: str | None, body: bytes
    ) -> bool:
        """Record the delivery and its job, then enqueue it; False for a repeated delivery."""
        job = NewJob(uuid.uuid4().hex, JobKind.DELIVERY, None, delivery_id)
        return self.accept_deliveries([NewDelivery(delivery_id, event, action, body, job)])[0]

    def accept_deliveries(self, batch: list[NewDelivery]) -> list[bool]:
        """`accept_delivery` for many: one store transaction and one queue write (one fsync
        each, however many deliveries), committed before this returns; True where new."""
        fresh = self.store.record_deliveries(batch)
        new = [item for item, is_new in zip(batch, fresh, strict=True) if is_new]
        try:
            self._enqueue_many([item.job.id for item in new])
        except Exception:
            self.store.forget_deliveries([item.delivery_id for item in new])
            raise
        return fresh

    def _enqueue_many(self, job_ids: list[str]) -> None:
        """One message per job; on SQLite in one transaction (one fsync for the lot).

        Huey has no batch enqueue (`huey.enqueue(group)` commits each task on its own), so on
        SQLite this writes `task` rows as `SqliteStorage.enqueue` does, in one transaction. That
        relies on the schema of the huey range pinned in pyproject; `TASK_COLUMNS` is checked
        against huey's own table by tests/queue/test_queue.py."""
        tasks = [self._task.s(job_id) for job_id in job_ids]
        storage = self.huey.storage
        if not isinstance(storage, SqliteStorage):
            for task in tasks:
                self.huey.enqueue(task)
            return
        rows = [(storage.name, storage.to_blob(self.huey.serialize_task(t)), 0) for t in tasks]
        with storage.db(commit=True) as cursor:
            cursor.executemany(_INSERT_TASK, rows)

    def enqueue(
        self, kind: JobKind, repository: str | None, args: Mapping[str, Any] | None = None
    ) -> str:
        job = NewJob(uuid.uuid4().hex, kind, repository, None, dict(args or {}))
        self.store.add_job(job)
        try:
            self._task(job.id)
        except Exception as exc:
            self.store.fail_job(job.id, f"could not enqueue: {describe(exc)}")
            raise
        return job.id

    def pending(self) -> int:
        """Messages waiting in Huey (not counting scheduled retries)."""
        return int(self.huey.pending_count())

    # -- consuming ------------------------------------------------------------------------

    def consumer(self, workers: int, embedded: bool = False) -> Consumer:
        """Recover orphaned jobs and lost messages, then build a thread consumer (not started)."""
        self.recover()
        self.recover_messages()
        kind = EmbeddedConsumer if embedded else Consumer
        return kind(self.huey, workers=workers, worker_type="thread", periodic=True, max_delay=1.0)

    def recover(self) -> int:
        """Re-enqueue jobs marked running whose process died (or went silent)."""
        silent_since = self.store.now() - ORPHAN_AFTER
        orphans = self.store.orphaned_jobs(owner_dead, silent_since)
        for job in orphans:
            log.warning("job %s (%s) lost its worker; running it again", job.id, job.kind)
            self.store.retry_job(job.id, "the worker running it stopped")
            self._task(job.id)
        return len(orphans)

    def recover_messages(self) -> int:
        """Re-enqueue queued jobs that have no message: a process that died between committing
        a job and its message (the client saw no 202, and a redelivery would be a duplicate)."""
        waiting = self.huey.pending() + self.huey.scheduled()
        present = {task.args[0] for task in waiting if task.args}
        lost = [job_id for job_id in self.store.queued_job_ids() if job_id not in present]
        for job_id in lost:
            log.warning("job %s had no queue message; queueing it again", job_id)
        self._enqueue_many(lost)
        return len(lost)

    def run_job(self, job_id: str) -> None:
        """Run one job now, in this thread (what the Huey task does)."""
        self._run(job_id)

    def _run(self, job_id: str) -> None:
        owner = process_owner()
        job = self.store.start_job(job_id, owner)
        if job is None:
            return  # already done, or a duplicate message
        handler = self.handlers.get(job.kind)
        if handler is None:
            self.store.fail_job(job.id, f"no handler for job kind {job.kind!r}")
            return
        with self._locked(job, owner) as locked:
            if not locked:
                self.store.defer_job(job.id)
                self._task.schedule((job.id,), delay=LOCK_WAIT_SECONDS)
                return
            started = time.perf_counter()
            try:
                handler(job)
            except Exception as exc:
                outcome = self._failed(job, exc)
            else:
                self.store.finish_job(job.id)
                outcome = "succeeded"
            self.telemetry.job(job.kind, outcome, time.perf_counter() - started)

    def _failed(self, job: JobRecord, exc: Exception) -> str:
        """Retry or fail the job; the outcome (`retried`, `failed`)."""
        delay = self.policy.delay(exc, job.attempts)
        reason = describe(exc)
        if delay is None:
            log.error("job %s (%s) failed: %s", job.id, job.kind, reason)
            self.store.fail_job(job.id, reason)
            return "failed"
        log.warning(
            "job %s (%s) attempt %d: %s; retry in %.0fs",
            job.id,
            job.kind,
            job.attempts,
            reason,
            delay,
        )
        self.store.retry_job(job.id, reason)
        self._task.schedule((job.id,), delay=delay)
        return "retried"

    @contextmanager
    def _locked(self, job: JobRecord, owner: str) -> Iterator[bool]:
        if job.repository is None:
            yield True
            return
        key, holder = f"repo:{job.repository}", f"{owner}:{job.id}"
        stale = self.store.now() - LOCK_STALE_AFTER
        if not self.store.try_lock(key, holder, stale, owner_dead):
            yield False
            return
        stop = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat, args=(key, holder, job.id, stop), daemon=True
        )
        beat.start()
        try:
            yield True
        finally:
            stop.set()
            beat.join()
            self.store.unlock(key, holder)

    def _heartbeat(self, key: str, holder: str, job_id: str, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            self.store.heartbeat(key, holder)
            self.store.touch_job(job_id)

    def _periodic_tick(self) -> None:
        self.recover()
        self.enqueue(JobKind.TICK, None, {"reason": "periodic"})
