"""The store: every read and write of service state goes through `Store`'s methods.

Methods take and return frozen records (`app.store.records`); sessions never leave this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.config import RepoConfig
from app.store.models import (
    DeliveryRow,
    IgnoreRow,
    InstallationRow,
    JobRow,
    LockRow,
    ProposalRow,
    RepositoryRow,
)
from app.store.records import (
    DeliveryRecord,
    IgnoreRecord,
    InstallationRecord,
    JobRecord,
    JobStatus,
    NewDelivery,
    NewJob,
    ProposalRecord,
    ProposalStatus,
    RepoRef,
    RepositoryRecord,
)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, a busy timeout and write-intent (IMMEDIATE) transactions."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, so it can be IMMEDIATE: two processes
        # upgrading read locks to write locks would otherwise fail with "database is locked".
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # an accepted delivery survives power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Store:
    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self.engine = engine
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    # -- installations -------------------------------------------------------------------

    def upsert_installation(
        self, installation_id: int, account_login: str, account_type: str
    ) -> None:
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.get(InstallationRow, installation_id)
            if row is None:
                row = InstallationRow(
                    id=installation_id,
                    account_login=account_login,
                    account_type=account_type,
                    suspended=False,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
            else:
                row.account_login, row.account_type, row.updated_at = (
                    account_login,
                    account_type,
                    now,
                )

    def set_installation_suspended(self, installation_id: int, suspended: bool) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(InstallationRow)
                .where(InstallationRow.id == installation_id)
                .values(suspended=suspended, updated_at=self._clock())
            )
            return bool(result.rowcount)

    def delete_installation(self, installation_id: int) -> None:
        """Forget the installation; its repositories stay (with their history) but go inactive."""
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow)
                .where(RepositoryRow.installation_id == installation_id)
                .values(active=False, installation_id=None, updated_at=self._clock())
            )
            conn.execute(delete(InstallationRow).where(InstallationRow.id == installation_id))

    def installation(self, installation_id: int) -> InstallationRecord | None:
        with Session(self.engine) as session:
            row = session.get(InstallationRow, installation_id)
            return None if row is None else _installation(row)

    def installations(self) -> list[InstallationRecord]:
        with Session(self.engine) as session:
            rows = session.scalars(select(InstallationRow).order_by(InstallationRow.id))
            return [_installation(row) for row in rows]

    # -- repositories --------------------------------------------------------------------

    def add_repositories(self, installation_id: int, repos: Iterable[RepoRef]) -> None:
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            for ref in repos:
                row = session.get(RepositoryRow, ref.id)
                if row is None:
                    _release_name(session, ref.full_name, ref.id)
                    row = RepositoryRow(id=ref.id, created_at=now, archived=False)
                    session.add(row)
                elif row.full_name != ref.full_name:
                    _release_name(session, ref.full_name, ref.id)
                row.installation_id = installation_id
                row.full_name = ref.full_name
                row.private = ref.private
                row.default_branch = ref.default_branch or row.default_branch or "main"
                row.active = True
                row.updated_at = now

    def remove_repositories(self, installation_id: int, repo_ids: Iterable[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow)
                .where(
                    RepositoryRow.installation_id == installation_id,
                    RepositoryRow.id.in_(list(repo_ids)),
                )
                .values(active=False, updated_at=self._clock())
            )

    def repository(self, full_name: str) -> RepositoryRecord | None:
        with Session(self.engine) as session:
            row = session.scalar(select(RepositoryRow).where(RepositoryRow.full_name == full_name))
            return None if row is None else _repository(row)

    def repository_by_id(self, repo_id: int) -> RepositoryRecord | None:
        with Session(self.engine) as session:
            row = session.get(RepositoryRow, repo_id)
            return None if row is None else _repository(row)

    def repositories(self, *, active_only: bool = True) -> list[RepositoryRecord]:
        """Repositories to work on: active, not archived, installation not suspended."""
        with Session(self.engine) as session:
            query = select(RepositoryRow).order_by(RepositoryRow.full_name)
            if active_only:
                query = (
                    query.join(InstallationRow)
                    .where(RepositoryRow.active.is_(True), RepositoryRow.archived.is_(False))
                    .where(InstallationRow.suspended.is_(False))
                )
            return [_repository(row) for row in session.scalars(query)]

    def update_repository(
        self,
        repo_id: int,
        *,
        full_name: str | None = None,
        default_branch: str | None = None,
        archived: bool | None = None,
        active: bool | None = None,
    ) -> bool:
        if full_name is not None:
            with Session(self.engine) as session, session.begin():
                _release_name(session, full_name, repo_id)
        values: dict[str, Any] = {"updated_at": self._clock()}
        for key, value in (
            ("full_name", full_name),
            ("default_branch", default_branch),
            ("archived", archived),
            ("active", active),
        ):
            if value is not None:
                values[key] = value
        with self.engine.begin() as conn:
            result = conn.execute(
                update(RepositoryRow).where(RepositoryRow.id == repo_id).values(**values)
            )
            return bool(result.rowcount)

    def mark_scanned(
        self, repo_id: int, at: datetime | None = None, *, security_only: bool = False
    ) -> None:
        """Remember a scan; a full scan also counts as the security scan."""
        moment = at or self._clock()
        values = {"last_security_scan_at": moment}
        if not security_only:
            values["last_scan_at"] = moment
        with self.engine.begin() as conn:
            conn.execute(update(RepositoryRow).where(RepositoryRow.id == repo_id).values(**values))

    def save_valid_config(self, repo_id: int, config: RepoConfig, sha: str | None) -> None:
        """Keep `config` as the last valid configuration and clear any recorded error."""
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow)
                .where(RepositoryRow.id == repo_id)
                .values(
                    config_json=config.model_dump_json(),
                    config_sha=sha,
                    config_error=None,
                    config_error_sha=None,
                )
            )

    def record_config_error(self, repo_id: int, message: str, sha: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow)
                .where(RepositoryRow.id == repo_id)
                .values(config_error=message, config_error_sha=sha)
            )

    def last_valid_config(self, repo_id: int) -> RepoConfig | None:
        with Session(self.engine) as session:
            text = session.scalar(
                select(RepositoryRow.config_json).where(RepositoryRow.id == repo_id)
            )
            return None if text is None else RepoConfig.model_validate_json(text)

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

    def forget_delivery(self, delivery_id: str) -> None:
        """Undo `record_delivery` when the enqueue failed, so a redelivery is accepted."""
        with self.engine.begin() as conn:
            conn.execute(delete(JobRow).where(JobRow.delivery_id == delivery_id))
            conn.execute(delete(DeliveryRow).where(DeliveryRow.id == delivery_id))

    def delivery(self, delivery_id: str) -> DeliveryRecord | None:
        with Session(self.engine) as session:
            row = session.get(DeliveryRow, delivery_id)
            if row is None:
                return None
            return DeliveryRecord(row.id, row.event, row.action, row.received_at, row.body)

    def delivery_body(self, delivery_id: str) -> bytes | None:
        with self.engine.connect() as conn:
            return conn.scalar(select(DeliveryRow.body).where(DeliveryRow.id == delivery_id))

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

    def requeue_job(self, job_id: str) -> None:
        """Put a job that had been marked done back in the queued state (operator retry)."""
        self._set_job(job_id, status=JobStatus.QUEUED, owner=None)

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

    def _set_job(self, job_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(JobRow).where(JobRow.id == job_id).values(updated_at=self._clock(), **values)
            )

    # -- per-repository locks ------------------------------------------------------------

    def try_lock(
        self, key: str, owner: str, stale_before: datetime, owner_dead: Callable[[str], bool]
    ) -> bool:
        """Take `key` for `owner`; steal it from a dead owner or one silent since `stale_before`."""
        now = self._clock()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(LockRow).values(key=key, owner=owner, heartbeat_at=now))
            return True
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            row = conn.execute(
                select(LockRow.owner, LockRow.heartbeat_at).where(LockRow.key == key)
            ).one_or_none()
            if row is None:
                conn.execute(insert(LockRow).values(key=key, owner=owner, heartbeat_at=now))
                return True
            holder, heartbeat = row
            if holder != owner and heartbeat >= stale_before and not owner_dead(holder):
                return False
            result = conn.execute(
                update(LockRow)
                .where(LockRow.key == key, LockRow.owner == holder)
                .values(owner=owner, heartbeat_at=now)
            )
            return bool(result.rowcount)

    def heartbeat(self, key: str, owner: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(LockRow)
                .where(LockRow.key == key, LockRow.owner == owner)
                .values(heartbeat_at=self._clock())
            )
            return bool(result.rowcount)

    def unlock(self, key: str, owner: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(LockRow).where(LockRow.key == key, LockRow.owner == owner))

    # -- proposals and their pull requests -----------------------------------------------

    def save_proposal(
        self, repository_id: int, kind: str, branch: str, title: str, subject: str = ""
    ) -> ProposalRecord:
        """Create the proposal for `branch`, or update its title; returns the stored record."""
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.scalar(_by_branch(repository_id, branch))
            if row is None:
                row = ProposalRow(
                    repository_id=repository_id,
                    kind=kind,
                    branch=branch,
                    title=title,
                    subject=subject,
                    status=ProposalStatus.DRAFT,
                    stopped=False,
                    stop_notice_posted=False,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
            else:
                row.kind, row.title, row.subject, row.updated_at = kind, title, subject, now
            session.flush()
            return _proposal(row)

    def set_pull_request(self, proposal_id: int, number: int, head_sha: str) -> None:
        """The proposal's PR was opened (or updated) at `head_sha`."""
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.get_one(ProposalRow, proposal_id)
            if row.pr_number != number:
                row.opened_at = now
            row.pr_number, row.head_sha, row.updated_at = number, head_sha, now
            row.status = ProposalStatus.OPEN

    def mark_stopped(self, proposal_id: int, *, notice_posted: bool) -> None:
        """A human committed on the bot branch: no more updates; remember whether we said so."""
        self._set_proposal(proposal_id, stopped=True, stop_notice_posted=notice_posted)

    def close_proposal(self, proposal_id: int, status: ProposalStatus, outcome: str) -> None:
        self._set_proposal(proposal_id, status=status, outcome=outcome, closed_at=self._clock())

    def record_pr_outcome(
        self, repository_id: int, number: int, merged: bool
    ) -> ProposalRecord | None:
        """A bot PR was closed or merged on GitHub; None if it is not one of ours."""
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.scalar(
                select(ProposalRow).where(
                    ProposalRow.repository_id == repository_id, ProposalRow.pr_number == number
                )
            )
            if row is None:
                return None
            row.status = ProposalStatus.MERGED if merged else ProposalStatus.CLOSED
            row.outcome = "merged" if merged else (row.outcome or "closed")
            row.closed_at, row.updated_at = now, now
            session.flush()
            return _proposal(row)

    def record_ci_result(
        self, repository_id: int, head_sha: str, result: str
    ) -> list[ProposalRecord]:
        """Record CI's conclusion on every open proposal whose head is `head_sha`."""
        with Session(self.engine) as session, session.begin():
            rows = list(
                session.scalars(
                    select(ProposalRow).where(
                        ProposalRow.repository_id == repository_id,
                        ProposalRow.head_sha == head_sha,
                    )
                )
            )
            for row in rows:
                row.ci_result, row.ci_sha, row.updated_at = result, head_sha, self._clock()
            session.flush()
            return [_proposal(row) for row in rows]

    def proposal(self, proposal_id: int) -> ProposalRecord | None:
        with Session(self.engine) as session:
            row = session.get(ProposalRow, proposal_id)
            return None if row is None else _proposal(row)

    def proposal_by_branch(self, repository_id: int, branch: str) -> ProposalRecord | None:
        with Session(self.engine) as session:
            row = session.scalar(_by_branch(repository_id, branch))
            return None if row is None else _proposal(row)

    def proposals(
        self, repository_id: int, statuses: Sequence[ProposalStatus] | None = None
    ) -> list[ProposalRecord]:
        with Session(self.engine) as session:
            query = select(ProposalRow).where(ProposalRow.repository_id == repository_id)
            if statuses is not None:
                query = query.where(ProposalRow.status.in_(list(statuses)))
            return [_proposal(row) for row in session.scalars(query.order_by(ProposalRow.id))]

    def opened_since(self, repository_id: int, since: datetime) -> int:
        """How many PRs the bot opened in this repository since `since` (the hourly limit)."""
        with self.engine.connect() as conn:
            query = (
                select(func.count())
                .select_from(ProposalRow)
                .where(ProposalRow.repository_id == repository_id, ProposalRow.opened_at >= since)
            )
            return int(conn.scalar(query) or 0)

    def _set_proposal(self, proposal_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(ProposalRow)
                .where(ProposalRow.id == proposal_id)
                .values(updated_at=self._clock(), **values)
            )

    # -- ignore rules --------------------------------------------------------------------

    def add_ignore(
        self,
        repository_id: int,
        dependency: str,
        *,
        versions: Sequence[str] = (),
        update_types: Sequence[str] = (),
        reason: str | None = None,
        created_by: str | None = None,
        pr_number: int | None = None,
    ) -> IgnoreRecord:
        with Session(self.engine) as session, session.begin():
            row = IgnoreRow(
                repository_id=repository_id,
                dependency=dependency.lower(),
                versions=json.dumps(list(versions)),
                update_types=json.dumps(list(update_types)),
                reason=reason,
                created_by=created_by,
                created_at=self._clock(),
                pr_number=pr_number,
            )
            session.add(row)
            session.flush()
            return _ignore(row)

    def ignore_rules(self, repository_id: int) -> list[IgnoreRecord]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(IgnoreRow)
                .where(IgnoreRow.repository_id == repository_id)
                .order_by(IgnoreRow.id)
            )
            return [_ignore(row) for row in rows]

    def remove_ignore(self, repository_id: int, dependency: str) -> int:
        """Forget the stored ignores of `dependency` (`*`: all of them); how many went."""
        query = delete(IgnoreRow).where(IgnoreRow.repository_id == repository_id)
        if dependency != "*":
            query = query.where(IgnoreRow.dependency == dependency.lower())
        with self.engine.begin() as conn:
            return int(conn.execute(query).rowcount)


def _release_name(session: Session, full_name: str, new_id: int) -> None:
    """Another repository id now has this name (deleted and recreated, or renamed over):
    the old row keeps its history under a suffixed name and goes inactive."""
    row = session.scalar(select(RepositoryRow).where(RepositoryRow.full_name == full_name))
    if row is not None and row.id != new_id:
        row.full_name = f"{full_name}#{row.id}"
        row.active = False
        session.flush()


def _by_branch(repository_id: int, branch: str) -> Any:
    return select(ProposalRow).where(
        ProposalRow.repository_id == repository_id, ProposalRow.branch == branch
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


def _installation(row: InstallationRow) -> InstallationRecord:
    return InstallationRecord(row.id, row.account_login, row.account_type, row.suspended)


def _repository(row: RepositoryRow) -> RepositoryRecord:
    return RepositoryRecord(
        id=row.id,
        installation_id=row.installation_id,
        full_name=row.full_name,
        default_branch=row.default_branch,
        private=row.private,
        archived=row.archived,
        active=row.active,
        last_scan_at=row.last_scan_at,
        config_error=row.config_error,
        last_security_scan_at=row.last_security_scan_at,
    )


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


def _proposal(row: ProposalRow) -> ProposalRecord:
    return ProposalRecord(
        id=row.id,
        repository_id=row.repository_id,
        kind=row.kind,
        branch=row.branch,
        title=row.title,
        subject=row.subject,
        pr_number=row.pr_number,
        head_sha=row.head_sha,
        status=ProposalStatus(row.status),
        outcome=row.outcome,
        ci_result=row.ci_result,
        ci_sha=row.ci_sha,
        stopped=row.stopped,
        stop_notice_posted=row.stop_notice_posted,
        created_at=row.created_at,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
    )


def _ignore(row: IgnoreRow) -> IgnoreRecord:
    return IgnoreRecord(
        id=row.id,
        repository_id=row.repository_id,
        dependency=row.dependency,
        versions=tuple(json.loads(row.versions)),
        update_types=tuple(json.loads(row.update_types)),
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
        pr_number=row.pr_number,
    )
