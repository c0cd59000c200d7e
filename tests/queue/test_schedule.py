"""Due dates from `.maintainer.yml` schedules, and the tick job that enqueues due scans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import RepoConfig, Schedule
from app.schedule import is_due, last_slot, security_due
from app.service.wiring import Services, build_services
from app.settings import Settings
from app.store import JobKind, JobRecord, JobStatus, RepoRef

NOW = datetime(2026, 3, 4, 12, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (Schedule(interval="hourly", time="00:15"), datetime(2026, 3, 4, 12, 15, tzinfo=UTC)),
        (Schedule(interval="hourly", time="00:45"), datetime(2026, 3, 4, 11, 45, tzinfo=UTC)),
        (Schedule(interval="daily", time="05:00"), datetime(2026, 3, 4, 5, 0, tzinfo=UTC)),
        (Schedule(interval="daily", time="13:00"), datetime(2026, 3, 3, 13, 0, tzinfo=UTC)),
        (Schedule(interval="weekly", day="monday"), datetime(2026, 3, 2, 5, 0, tzinfo=UTC)),
        (
            Schedule(interval="weekly", day="wednesday", time="13:00"),
            datetime(2026, 2, 25, 13, 0, tzinfo=UTC),
        ),
        (Schedule(interval="monthly", time="05:00"), datetime(2026, 3, 1, 5, 0, tzinfo=UTC)),
        (
            Schedule(interval="daily", time="05:00", timezone="America/New_York"),
            datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
        ),
        (
            Schedule(interval="daily", time="05:00", timezone="Not/AZone"),
            datetime(2026, 3, 4, 5, 0, tzinfo=UTC),
        ),
    ],
)
def test_last_slot(schedule: Schedule, expected: datetime) -> None:
    assert last_slot(schedule, NOW) == expected


def test_monthly_before_the_first_slot_of_the_month() -> None:
    early = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert last_slot(Schedule(interval="monthly"), early) == datetime(2026, 2, 1, 5, tzinfo=UTC)


def test_is_due() -> None:
    weekly = Schedule()
    assert is_due(weekly, None, NOW)
    assert is_due(weekly, datetime(2026, 3, 2, 4, 59, tzinfo=UTC), NOW)
    assert not is_due(weekly, datetime(2026, 3, 2, 5, 1, tzinfo=UTC), NOW)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def ran() -> list[str]:
    return []


@pytest.fixture
def services(tmp_path: Path, ran: list[str]) -> Services:
    def scan(job: JobRecord) -> None:
        ran.append(job.repository or "")

    return build_services(Settings(data_dir=tmp_path, workers=0), handlers={JobKind.SCAN: scan})


def test_the_tick_enqueues_each_due_repository_once(services: Services, ran: list[str]) -> None:
    store, queue = services.store, services.queue
    store.upsert_installation(1, "octo", "Organization")
    store.add_repositories(
        1, [RepoRef(1, "octo/new"), RepoRef(2, "octo/fresh"), RepoRef(3, "octo/hourly")]
    )
    store.mark_scanned(2, datetime.now(UTC))
    store.mark_scanned(3, datetime.now(UTC) - timedelta(hours=2))
    store.save_valid_config(3, RepoConfig(schedule=Schedule(interval="hourly")), None)
    store.add_repositories(1, [RepoRef(4, "octo/archived")])
    store.update_repository(4, archived=True)

    tick = queue.enqueue(JobKind.TICK, None)
    queue.run_job(tick)
    queue.run_job(queue.enqueue(JobKind.TICK, None))  # still queued: not enqueued twice
    scans = [j for j in store.jobs(JobStatus.QUEUED) if j.kind == JobKind.SCAN]
    assert sorted(j.repository or "" for j in scans) == ["octo/hourly", "octo/new"]
    for job in scans:
        queue.run_job(job.id)
    assert sorted(ran) == ["octo/hourly", "octo/new"]
    queue.run_job(queue.enqueue(JobKind.TICK, None))  # scanned now: nothing due
    assert [j for j in store.jobs(JobStatus.QUEUED) if j.kind == JobKind.SCAN] == []


def test_scans_of_inactive_repositories_end_without_running(
    services: Services, ran: list[str]
) -> None:
    store, queue = services.store, services.queue
    store.upsert_installation(1, "octo", "Organization")
    store.add_repositories(1, [RepoRef(1, "octo/gone")])
    store.update_repository(1, active=False)
    job_id = queue.enqueue(JobKind.SCAN, "octo/gone")
    queue.run_job(job_id)
    job = store.job(job_id)
    assert ran == [] and job is not None and job.status is JobStatus.SUCCEEDED


def test_security_checks_are_daily_whatever_the_schedule() -> None:
    weekly = Schedule(interval="weekly", day="monday", time="05:00")
    assert security_due(weekly, None, NOW)
    assert security_due(weekly, datetime(2026, 3, 4, 4, 59, tzinfo=UTC), NOW)
    assert not security_due(weekly, datetime(2026, 3, 4, 5, 1, tzinfo=UTC), NOW)


def test_the_tick_runs_security_only_scans_between_scheduled_ones(
    services: Services, ran: list[str]
) -> None:
    store, queue = services.store, services.queue
    store.upsert_installation(1, "octo", "Organization")
    store.add_repositories(1, [RepoRef(1, "octo/weekly"), RepoRef(2, "octo/opted-out")])
    recently = datetime.now(UTC) - timedelta(minutes=5)
    yesterday = datetime.now(UTC) - timedelta(days=1, hours=1)
    for repo_id in (1, 2):
        store.mark_scanned(repo_id, recently)
        store.mark_scanned(repo_id, yesterday, security_only=True)
    opted_out = RepoConfig.model_validate({"security": {"bypass_schedule": False}})
    store.save_valid_config(2, opted_out, None)

    queue.run_job(queue.enqueue(JobKind.TICK, None))
    scans = [j for j in store.jobs(JobStatus.QUEUED) if j.kind == JobKind.SCAN]
    assert [(j.repository, j.args.get("only")) for j in scans] == [("octo/weekly", ["security"])]
    queue.run_job(scans[0].id)
    assert ran == ["octo/weekly"]
    record = store.repository("octo/weekly")
    assert record is not None and record.last_scan_at == recently
    assert record.last_security_scan_at is not None and record.last_security_scan_at > recently
    queue.run_job(queue.enqueue(JobKind.TICK, None))
    assert [j for j in store.jobs(JobStatus.QUEUED) if j.kind == JobKind.SCAN] == []


def test_the_tick_enqueues_due_report_jobs_once_and_none_with_report_false(
    services: Services,
) -> None:
    store, queue = services.store, services.queue
    store.upsert_installation(1, "octo", "Organization")
    store.add_repositories(1, [RepoRef(1, "octo/new"), RepoRef(2, "octo/off")])
    store.save_valid_config(2, RepoConfig.model_validate({"report": False}), None)
    for _ in range(2):  # still queued the second time: not enqueued twice
        queue.run_job(queue.enqueue(JobKind.TICK, None))
    reports = [j for j in store.jobs(JobStatus.QUEUED) if j.kind == JobKind.REPORT]
    assert [(j.repository, j.args) for j in reports] == [("octo/new", {"reason": "schedule"})]
    store.mark_reported(1, datetime.now(UTC))
    assert store.last_report_at(1) is not None
