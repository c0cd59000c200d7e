"""Ignore rules made by comment, with who made them, when and from which PR."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.store.engine import StoreArea
from app.store.models import IgnoreRow
from app.store.records import IgnoreRecord


class Ignores(StoreArea):
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
