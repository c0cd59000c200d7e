"""When a repository is due for a scheduled scan, from `.maintainer.yml`'s `schedule`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.config import Schedule

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def last_slot(schedule: Schedule, now: datetime) -> datetime:
    """The latest scheduled moment at or before `now` (aware, in the schedule's zone)."""
    local = now.astimezone(_zone(schedule.timezone))
    hour, minute = (int(part) for part in schedule.time.split(":"))
    at = time(hour, minute)
    if schedule.interval == "hourly":
        slot = local.replace(minute=minute, second=0, microsecond=0)
        return slot if slot <= local else slot - timedelta(hours=1)
    slot = datetime.combine(local.date(), at, tzinfo=local.tzinfo)
    if schedule.interval == "daily":
        return slot if slot <= local else slot - timedelta(days=1)
    if schedule.interval == "weekly":
        slot -= timedelta(days=(local.weekday() - DAYS.index(schedule.day)) % 7)
        return slot if slot <= local else slot - timedelta(days=7)
    first = slot.replace(day=1)  # monthly: the first of the month
    if first <= local:
        return first
    previous = (first - timedelta(days=1)).replace(day=1)
    return previous


def security_due(schedule: Schedule, last_security_scan_at: datetime | None, now: datetime) -> bool:
    """Security checks run daily at the schedule's time, whatever the schedule's interval."""
    daily = Schedule(interval="daily", time=schedule.time, timezone=schedule.timezone)
    return last_security_scan_at is None or last_security_scan_at < last_slot(daily, now)


def is_due(schedule: Schedule, last_scan_at: datetime | None, now: datetime) -> bool:
    """Never scanned, or not scanned since the last scheduled moment."""
    return last_scan_at is None or last_scan_at < last_slot(schedule, now)
