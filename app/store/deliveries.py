"""Webhook deliveries (recorded once, for dedupe) and the jobs that handle them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.store.engine import StoreArea
from app.store.models import DeliveryRow, JobRow
from app.store.records import DeliveryRecord, JobRecord, JobStatus, NewDelivery, NewJob, QueueState


class Deliveries(StoreArea):
    # -- deliveries and jobs -------------------------------------------------------------

    def record_delivery(
        self, delivery_id: str, event_name: str, action: str | None, body: bytes, job: NewJob
    ) -> bool:
        """Record a delivery and its job in one transaction; False if it was seen before."""
        now = self._clock()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(DeliveryRow).values(
                        id=delivery_id, event=event_name, action=action, received_at=now, body=body
                    )
                )
                conn.execute(insert(JobRow).values(**_job_values(job, now)))
        except IntegrityError:
            return False
        return True

    def record_deliveries(self, batch: Sequence[NewDelivery]) -> list[bool]:
        """`record_delivery` for many in one transaction (one fsync); True where new.

        Ids seen before, or twice in the batch, are False. If a concurrent writer inserts one of
        the ids meanwhile (possible on PostgreSQL), the batch falls back to one by one."""
        now = self._clock()
        ids = [item.delivery_id for item in batch]
        try:
            with self.engine.begin() as conn:
                seen = set(conn.scalars(select(DeliveryRow.id).where(DeliveryRow.id.in_(ids))))
                fresh: list[bool] = []
                deliveries, jobs = [], []
                for item in batch:
                    is_new = item.delivery_id not in seen
                    seen.add(item.delivery_id)
                    fresh.append(is_new)
                    if is_new:
                        deliveries.append(_delivery_values(item, now))
                        jobs.append(_job_values(item.job, now))
                if deliveries:
                    conn.execute(insert(DeliveryRow), deliveries)
                    conn.execute(insert(JobRow), jobs)
                return fresh
        except IntegrityError:
            return [
                self.record_delivery(i.delivery_id, i.event, i.action, i.body, i.job) for i in batch
            ]

    def forget_deliveries(self, delivery_ids: Sequence[str]) -> None:
        """Undo `record_deliveries` when the enqueue failed, so redeliveries are accepted."""
        with self.engine.begin() as conn:
            conn.execute(delete(JobRow).where(JobRow.delivery_id.in_(list(delivery_ids))))
            conn.execute(delete(DeliveryRow).where(DeliveryRow.id.in_(list(delivery_ids))))

    def delivery(self, delivery_id: str) -> DeliveryRecord | None:
        with Session(self.engine) as session:
            row = session.get(DeliveryRow, delivery_id)
            if row is None:
                return None
            return DeliveryRecord(row.id, row.event, row.action, row.received_at, row.body)

    def delivery_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(DeliveryRow)) or 0)

    def prune_deliveries(self, before: datetime) -> int:
        """Drop bodies of old deliveries whose jobs are finished (ids stay for dedupe)."""
        with self.engine.begin() as conn:
            pending = select(JobRow.delivery_id).where(
                JobRow.delivery_id.is_not(None),
                JobRow.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
            )
            result = conn.execute(
                update(DeliveryRow)
                .where(DeliveryRow.received_at < before, DeliveryRow.body.is_not(None))
                .where(DeliveryRow.id.not_in(pending))
                .values(body=None)
            )
            return int(result.rowcount)

    def prune_jobs(self, before: datetime) -> int:
        """Forget succeeded jobs last touched before `before` (failed ones stay listed)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(JobRow).where(
                    JobRow.status == JobStatus.SUCCEEDED, JobRow.updated_at < before
                )
            )
            return int(result.rowcount)

    def add_job(self, job: NewJob) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(JobRow).values(**_job_values(job, self._clock())))

    def job(self, job_id: str) -> JobRecord | None:
        with Session(self.engine) as session:
            row = session.get(JobRow, job_id)
            return None if row is None else _job(row)

    def start_job(self, job_id: str, owner: str) -> JobRecord | None:
        """Claim a queued job; None if it is running elsewhere, done, or unknown."""
        with Session(self.engine) as session, session.begin():
            row = session.get(JobRow, job_id)
            if row is None or row.status != JobStatus.QUEUED:
                return None
            row.status = JobStatus.RUNNING
            row.owner = owner
            row.attempts += 1
            row.updated_at = self._clock()
            session.flush()
            return _job(row)

    def finish_job(self, job_id: str) -> None:
        self._set_job(job_id, status=JobStatus.SUCCEEDED, owner=None)

    def defer_job(self, job_id: str) -> None:
        """Give a claimed job back unrun (its repository is busy): the attempt does not count."""
        with self.engine.begin() as conn:
            conn.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(
                    status=JobStatus.QUEUED,
                    owner=None,
                    attempts=JobRow.attempts - 1,
                    updated_at=self._clock(),
                )
            )

    def touch_job(self, job_id: str) -> None:
        """A running job is alive (see `orphaned_jobs`)."""
        self._set_job(job_id)

    def retry_job(self, job_id: str, error: str) -> None:
        self._set_job(job_id, status=JobStatus.QUEUED, owner=None, error=error)

    def fail_job(self, job_id: str, error: str) -> None:
        self._set_job(job_id, status=JobStatus.FAILED, owner=None, error=error)

    def jobs(self, status: JobStatus | None = None, limit: int = 100) -> list[JobRecord]:
        with Session(self.engine) as session:
            query = select(JobRow).order_by(JobRow.created_at.desc()).limit(limit)
            if status is not None:
                query = query.where(JobRow.status == status)
            return [_job(row) for row in session.scalars(query)]

    def queued_job_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            query = select(JobRow.id).where(JobRow.status == JobStatus.QUEUED)
            return list(conn.scalars(query.order_by(JobRow.created_at)))

    def job_count(self, status: JobStatus | None = None) -> int:
        with self.engine.connect() as conn:
            query = select(func.count()).select_from(JobRow)
            if status is not None:
                query = query.where(JobRow.status == status)
            return int(conn.scalar(query) or 0)

    def queue_state(self) -> QueueState:
        """Jobs by status, and the age of the oldest queued job (two indexed queries)."""
        with self.engine.connect() as conn:
            counts = conn.execute(select(JobRow.status, func.count()).group_by(JobRow.status))
            jobs = {str(status): int(count) for status, count in counts}
            oldest = conn.scalar(
                select(func.min(JobRow.created_at)).where(JobRow.status == JobStatus.QUEUED)
            )
        waited = 0.0
        if oldest is not None:
            waited = max((self._clock() - oldest).total_seconds(), 0.0)
        return QueueState(jobs, waited)

    def orphaned_jobs(
        self, owner_dead: Callable[[str], bool], silent_since: datetime | None = None
    ) -> list[JobRecord]:
        """Jobs marked running whose process is gone (killed mid-job) or silent since
        `silent_since`: they must run again."""
        with Session(self.engine) as session:
            rows = session.scalars(select(JobRow).where(JobRow.status == JobStatus.RUNNING))
            return [
                _job(row)
                for row in rows
                if row.owner is None
                or owner_dead(row.owner)
                or (silent_since is not None and row.updated_at < silent_since)
            ]

    def has_pending(self, kind: str, repository: str) -> bool:
        """Whether a job of `kind` for `repository` is queued or running."""
        with self.engine.connect() as conn:
            query = (
                select(func.count())
                .select_from(JobRow)
                .where(JobRow.kind == kind, JobRow.repository == repository)
                .where(JobRow.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
            )
            return bool(conn.scalar(query))

    def last_job_at(self, kind: str, repository: str) -> datetime | None:
        """When the newest job of `kind` for `repository` was queued, whatever became of it
        (a failed one counts: a daily job that fails waits for the next day, no loop)."""
        with self.engine.connect() as conn:
            query = (
                select(JobRow.created_at)
                .where(JobRow.kind == kind, JobRow.repository == repository)
                .order_by(JobRow.created_at.desc())
                .limit(1)
            )
            return conn.scalar(query)

    def _set_job(self, job_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(JobRow).where(JobRow.id == job_id).values(updated_at=self._clock(), **values)
            )


def _delivery_values(item: NewDelivery, now: datetime) -> dict[str, Any]:
    return {
        "id": item.delivery_id,
        "event": item.event,
        "action": item.action,
        "received_at": now,
        "body": item.body,
    }


def _job_values(job: NewJob, now: datetime) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "repository": job.repository,
        "delivery_id": job.delivery_id,
        "args": json.dumps(job.args, sort_keys=True),
        "status": JobStatus.QUEUED,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


def _job(row: JobRow) -> JobRecord:
    return JobRecord(
        id=row.id,
        kind=row.kind,
        repository=row.repository,
        delivery_id=row.delivery_id,
        args=json.loads(row.args),
        status=JobStatus(row.status),
        attempts=row.attempts,
        error=row.error,
        owner=row.owner,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
