"""Issues the bot keeps in place (key → issue number), and the App's health samples."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.health.samples import StoredSample
from app.store.engine import StoreArea
from app.store.models import BotIssueRow, HealthSampleRow, RepositoryRow


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
