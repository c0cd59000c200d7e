"""Per-repository locks: one worker at a time, taken over from dead or silent owners."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.store.engine import StoreArea
from app.store.models import LockRow


class Locks(StoreArea):
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
