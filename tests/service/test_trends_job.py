"""Trend alert issues in the App, against the emulator: the daily tick reads the monitors, an
alerting monitor gets one "Trend alert" issue kept in place, a monitor that calms down has its
issue closed by the bot, a monitor whose query fails leaves its issue as it was.

The Prometheus side is a recording reader of synthetic series (the client itself is tested
against the real Prometheus in tests/ops)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import parse_config
from app.github import GitHub, Issue
from app.ops.prometheus import PrometheusError, Series
from app.queue import Queue, RetryPolicy, build_huey
from app.service.trends_job import TrendsJob
from app.service.wiring import tick_handler
from app.settings import Settings
from app.store import JobKind, JobStatus, RepoRef, Store, open_store
from tests.support.harness import INSTALLATION_ID, Harness, settings_for

REPO = "octo-org/shop"
CONFIG = """
monitors:
  - name: dashboard-p95
    query: 'max(dashboard_latency_ms{route="/dashboard"})'
    threshold: 500
    unit: ms
    service: dashboard
    lead_time_days: 28
"""


@dataclass
class Readings:
    """What the Prometheus would answer: per query, a level and a slope per week (ms)."""

    now: datetime
    level: float = 320.0
    per_week: float = 40.0
    failing: bool = False
    asked: list[str] = field(default_factory=list)

    def query_range(self, query: str, start: datetime, end: datetime, step: int) -> list[Series]:
        self.asked.append(query)
        if self.failing:
            raise PrometheusError("Prometheus rejected the query: parse error")
        samples = []
        moment = start.timestamp()
        while moment <= end.timestamp():
            weeks = (moment - self.now.timestamp()) / (7 * 86_400)
            daily = 20.0 * math.sin(2 * math.pi * (moment % 86_400) / 86_400)
            samples.append((moment, self.level + self.per_week * weeks + daily))
            moment += step
        return [Series({}, tuple(samples))]


@dataclass
class App:
    harness: Harness
    store: Store
    queue: Queue
    github: GitHub
    readings: Readings

    def tick(self) -> None:
        self.queue.run_job(self.queue.enqueue(JobKind.TICK, None))
        for job in self.store.jobs(JobStatus.QUEUED):
            if job.kind == JobKind.TRENDS:
                self.queue.run_job(job.id)
                done = self.store.job(job.id)
                assert done is not None and done.status is JobStatus.SUCCEEDED, done

    def issues(self) -> list[Issue]:
        return self.github.installation(INSTALLATION_ID).issues(REPO, state="all")


@pytest.fixture
def app(harness: Harness, tmp_path: Path) -> Iterator[App]:
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    readings = Readings(now)
    base = settings_for(harness, tmp_path)
    settings = Settings(**{**base.model_dump(), "workers": 0})
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}", lambda: readings.now)
    queue = Queue(build_huey(settings), store, RetryPolicy(retries=0), settings.tick_minutes)
    github = harness.github()
    queue.handlers[JobKind.TICK] = tick_handler(store, queue, trends=True)
    queue.handlers[JobKind.SCAN] = lambda job: None
    queue.handlers[JobKind.REPORT] = lambda job: None
    queue.handlers[JobKind.TRENDS] = TrendsJob(
        settings, store, github.installation, lambda: readings, clock=lambda: readings.now
    )
    harness.seed(REPO)
    repo = harness.emulator.state.repo(REPO)
    assert repo is not None
    store.upsert_installation(INSTALLATION_ID, "octo-org", "Organization")
    store.add_repositories(INSTALLATION_ID, [RepoRef(repo.id, REPO, False, "main")])
    record = store.repository(REPO)
    assert record is not None
    store.save_valid_config(record.id, parse_config(CONFIG, ".maintainer.yml"), None)
    yield App(harness, store, queue, github, readings)
    github.close()
    store.engine.dispose()


def test_a_rising_monitor_gets_one_trend_alert_issue_kept_in_place_then_closed(app: App) -> None:
    app.tick()
    [issue] = app.issues()
    assert issue.open and issue.title == "Trend alert: dashboard-p95 (dashboard)"
    assert "500" in issue.body and "xychart-beta" in issue.body
    assert app.readings.asked == ['max(dashboard_latency_ms{route="/dashboard"})']

    app.tick()  # the same day: read once a day
    assert len(app.readings.asked) == 1

    app.readings.now += timedelta(days=1)
    app.readings.level += 40.0 / 7
    app.tick()
    assert [i.number for i in app.issues()] == [issue.number]  # edited, not duplicated

    [edited] = app.issues()
    app.readings.now += timedelta(days=1)
    app.readings.failing = True  # a failed read leaves the issue as it was
    app.tick()
    [same] = app.issues()
    assert same.open and same.body == edited.body and len(app.readings.asked) == 3

    app.readings.now += timedelta(days=1)
    app.readings.failing = False
    app.readings.per_week = 0.0  # the latency levelled off: no crossing within the horizon
    app.tick()
    [closed] = app.issues()
    assert closed.number == issue.number and not closed.open
    # its life, for `maintainer stats`: one prediction, never past the threshold, closed today
    [alert] = app.store.trend_alerts()
    assert (alert.monitor, alert.service, alert.issue_number) == (
        "dashboard-p95",
        "dashboard",
        issue.number,
    )
    assert alert.breached_at is None and alert.closed_at == app.readings.now
    assert alert.opened_at == app.readings.now - timedelta(days=3)


def test_a_monitor_past_its_threshold_is_recorded_as_breached(app: App) -> None:
    app.readings.level = 640.0  # already over 500 ms
    app.tick()
    [issue] = app.issues()
    [alert] = app.store.trend_alerts()
    assert alert.breached_at == app.readings.now and alert.closed_at is None
    app.readings.now += timedelta(days=1)
    app.tick()
    [again] = app.store.trend_alerts()  # the same alert, first breach kept
    assert again.id == alert.id and again.breached_at == alert.breached_at
    assert again.issue_number == issue.number


def test_without_monitors_nothing_is_read(app: App) -> None:
    record = app.store.repository(REPO)
    assert record is not None
    app.store.save_valid_config(
        record.id, parse_config("open_pr_limit: 3\n", ".maintainer.yml"), None
    )
    app.tick()
    assert app.readings.asked == [] and app.issues() == []
