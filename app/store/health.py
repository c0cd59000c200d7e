"""Issues the bot keeps in place (key → issue number), the lives of trend alerts, and the App's
health samples."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.health.samples import StoredSample
from app.store.engine import StoreArea
from app.store.models import BotIssueRow, HealthSampleRow, RepositoryRow, TrendAlertRow
from app.store.records import TrendAlertRecord


class BotIssues(StoreArea):
    # -- issues kept in place ------------------------------------------------------------

    def bot_issue(self, repository_id: int, key: str) -> int | None:
        """The number of the issue kept under `key`, if one is remembered."""
        with Session(self.engine) as session:
            return session.scalar(
                select(BotIssueRow.number).where(
                    BotIssueRow.repository_id == repository_id, BotIssueRow.key == key
                )
            )

    def remember_bot_issue(self, repository_id: int, key: str, number: int) -> None:
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.scalar(
                select(BotIssueRow).where(
                    BotIssueRow.repository_id == repository_id, BotIssueRow.key == key
                )
            )
            if row is None:
                session.add(
                    BotIssueRow(
                        repository_id=repository_id,
                        key=key,
                        number=number,
                        created_at=now,
                        updated_at=now,
                    )
                )
            elif row.number != number:
                row.number, row.updated_at = number, now

    def bot_issue_keys(self, repository_id: int, prefix: str) -> list[str]:
        """The keys remembered for the repository that start with `prefix`, sorted."""
        with Session(self.engine) as session:
            keys = session.scalars(
                select(BotIssueRow.key).where(
                    BotIssueRow.repository_id == repository_id,
                    BotIssueRow.key.startswith(prefix, autoescape=True),
                )
            )
            return sorted(keys)

    def forget_bot_issue(self, repository_id: int, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(BotIssueRow).where(
                    BotIssueRow.repository_id == repository_id, BotIssueRow.key == key
                )
            )


class TrendAlerts(StoreArea):
    # -- trend alerts, from opening to closing -------------------------------------------

    def record_trend_alert(
        self,
        repository_id: int,
        key: str,
        *,
        monitor: str,
        service: str | None,
        issue_number: int,
        breached: bool,
    ) -> TrendAlertRecord:
        """The monitor's alert issue `issue_number` is open: a new alert when none is open for
        `key`, else the open one (marked breached the first time `breached` is true)."""
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.scalar(
                select(TrendAlertRow)
                .where(
                    TrendAlertRow.repository_id == repository_id,
                    TrendAlertRow.key == key,
                    TrendAlertRow.closed_at.is_(None),
                )
                .order_by(TrendAlertRow.id.desc())
                .limit(1)
            )
            if row is None:
                row = TrendAlertRow(
                    repository_id=repository_id,
                    key=key,
                    monitor=monitor[:255],
                    service=service[:255] if service else None,
                    issue_number=issue_number,
                    opened_at=now,
                )
                session.add(row)
            row.issue_number = issue_number
            if breached and row.breached_at is None:
                row.breached_at = now
            session.flush()
            return _trend_alert(row)

    def close_trend_alert(self, repository_id: int, key: str) -> None:
        """The bot closed the monitor's alert issue (the forecast no longer crosses)."""
        now = self._clock()
        with self.engine.begin() as conn:
            conn.execute(
                update(TrendAlertRow)
                .where(
                    TrendAlertRow.repository_id == repository_id,
                    TrendAlertRow.key == key,
                    TrendAlertRow.closed_at.is_(None),
                )
                .values(closed_at=now)
            )

    def trend_alerts(self, repository_id: int | None = None) -> list[TrendAlertRecord]:
        """Oldest first; every repository's without `repository_id`."""
        query = select(TrendAlertRow).order_by(TrendAlertRow.opened_at, TrendAlertRow.id)
        if repository_id is not None:
            query = query.where(TrendAlertRow.repository_id == repository_id)
        with Session(self.engine) as session:
            return [_trend_alert(row) for row in session.scalars(query)]


class HealthSamples(StoreArea):
    # -- health samples ------------------------------------------------------------------

    def put_health_sample(self, repository_id: int, sample: StoredSample) -> None:
        """Store the sample of its day (a second one that day replaces the first)."""
        values: dict[str, Any] = {
            "commit_sha": sample.commit,
            "score": sample.score,
            "metrics": json.dumps(dict(sample.metrics), sort_keys=True),
            "components": json.dumps(dict(sample.components), sort_keys=True),
            "violations": json.dumps([list(v) for v in sample.violations]),
            "items": json.dumps(dict(sample.items), sort_keys=True),
            "recorded_at": self._clock(),
        }
        with Session(self.engine) as session, session.begin():
            row = session.get(HealthSampleRow, (repository_id, sample.day))
            if row is None:
                session.add(HealthSampleRow(repository_id=repository_id, day=sample.day, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)

    def mark_reported(self, repository_id: int, at: datetime) -> None:
        """The weekly report issue of the repository was refreshed at `at`."""
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow)
                .where(RepositoryRow.id == repository_id)
                .values(last_report_at=at)
            )

    def last_report_at(self, repository_id: int) -> datetime | None:
        with Session(self.engine) as session:
            return session.scalar(
                select(RepositoryRow.last_report_at).where(RepositoryRow.id == repository_id)
            )

    def health_samples(self, repository_id: int, since: date | None = None) -> list[StoredSample]:
        """Oldest first."""
        query = select(HealthSampleRow).where(HealthSampleRow.repository_id == repository_id)
        if since is not None:
            query = query.where(HealthSampleRow.day >= since)
        with Session(self.engine) as session:
            return [_sample(row) for row in session.scalars(query.order_by(HealthSampleRow.day))]


def _sample(row: HealthSampleRow) -> StoredSample:
    violations: Sequence[Sequence[Any]] = json.loads(row.violations)
    return StoredSample(
        commit=row.commit_sha,
        day=row.day,
        score=int(row.score),
        metrics=json.loads(row.metrics),
        components=json.loads(row.components),
        violations=tuple((str(a), str(b)) for a, b in violations),
        items=json.loads(row.items),
    )


def _trend_alert(row: TrendAlertRow) -> TrendAlertRecord:
    return TrendAlertRecord(
        id=row.id,
        repository_id=row.repository_id,
        key=row.key,
        monitor=row.monitor,
        service=row.service,
        issue_number=row.issue_number,
        opened_at=row.opened_at,
        breached_at=row.breached_at,
        closed_at=row.closed_at,
    )
