"""Lock file maintenance (Renovate's lockFileMaintenance): when a refresh is due, and what a
refreshed lock changed, package by package. Pure: the relocking is the lock tools' job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.config import LockFileMaintenance, Schedule
from app.lockfiles.pins import locked_versions

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def is_due(setting: LockFileMaintenance, schedule: Schedule, now: datetime) -> bool:
    """daily: every scan; weekly: scans on the schedule's day; monthly: those in the first
    seven days of the month. Repeated scans in the window refresh the same branch."""
    if setting.schedule == "daily":
        return True
    # A monthly scan runs once a month whatever its weekday: its day is always the day.
    on_day = schedule.interval == "monthly" or _DAYS[now.weekday()] == schedule.day
    if setting.schedule == "weekly":
        return on_day
    return on_day and now.day <= 7


@dataclass(frozen=True)
class LockChange:
    package: str
    before: str | None
    after: str | None

    def to_json(self) -> dict[str, Any]:
        return {"package": self.package, "from": self.before, "to": self.after}


def changes(before: str, after: str) -> tuple[LockChange, ...]:
    old, new = locked_versions(before), locked_versions(after)
    return tuple(
        LockChange(name, old.get(name), new.get(name))
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    )


@dataclass(frozen=True)
class LockRefresh:
    """The detail of a lock file maintenance finding: which locks, refreshed by what."""

    locks: tuple[tuple[str, str], ...]
    """(lock file, tool) pairs."""
    changes: tuple[tuple[str, LockChange], ...]
    """(lock file, change) pairs."""

    def to_json(self) -> dict[str, Any]:
        return {
            "lock_files": [{"file": lock, "tool": tool} for lock, tool in self.locks],
            "lock_changes": [{"file": lock, **c.to_json()} for lock, c in self.changes],
        }
