"""Trend alert issues in the App, against the emulator: the daily tick reads the monitors, an
alerting monitor gets one "Trend alert" issue kept in place, a monitor that calms down has its
issue closed by the bot, a monitor whose query fails leaves its issue as it was.

The Prometheus side is a recording reader of synthetic series (the client itself is tested
against the real Prometheus in tests/ops). The repository is a real git repository in the
emulator, with commits dated around the step the reader can put in the series: the alert names
the service's owners from the catalog and, at a level shift, the changes that landed then."""

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
from tests.support import dated_commit, git
from tests.support.harness import INSTALLATION_ID, Harness, register, settings_for

REPO = "octo-org/shop"
CONFIG = """
monitors:
  - name: dashboard-p95
    query: 'max(dashboard_latency_ms{route="/dashboard"})'
    threshold: 500
    unit: ms
    service: dashboard
    lead_time_days: 28
services:
  - name: dashboard
    paths: ["shop/**"]
    owners: [alice, "@octo-org/sre"]
"""
BOT = "maintainer-bot[bot]"


@dataclass
class Readings:
    """What the Prometheus would answer: per query, a level and a slope per week (ms)."""

    now: datetime
    level: float = 320.0
    per_week: float = 40.0
    failing: bool = False
    step_at: datetime | None = None
    step: float = 0.0
    """Samples before ``step_at`` are ``step`` lower: the level shifted then."""
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
            before = self.step_at is not None and moment < self.step_at.timestamp()
            shift = -self.step if before else 0.0
            samples.append((moment, self.level + self.per_week * weeks + daily + shift))
            moment += step
        return [Series({}, tuple(samples))]


@dataclass
class App:
    harness: Harness
    store: Store
    queue: Queue
    github: GitHub
    readings: Readings
    work: Path

    def push(self, files: dict[str, str], subject: str, when: datetime, author: str) -> None:
        dated_commit(self.work, files, subject, when, author)
        git(self.work, "push", "-q", str(self.harness.emulator.repo_path(REPO)), "main")

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
    work = tmp_path / "shop-work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    files = {"shop/dashboard.py": "CACHE = 10\n", ".maintainer.yml": CONFIG}
    dated_commit(work, files, "Dashboard", now - timedelta(days=40), "carol")
    harness.publish(work, REPO)
    register(harness, store, REPO)
    record = store.repository(REPO)
    assert record is not None
    store.save_valid_config(record.id, parse_config(CONFIG, ".maintainer.yml"), None)
    yield App(harness, store, queue, github, readings, work)
    github.close()
    store.engine.dispose()


def test_a_rising_monitor_gets_one_trend_alert_issue_kept_in_place_then_closed(app: App) -> None:
    app.tick()
    [issue] = app.issues()
    assert issue.open and issue.title == "Trend alert: dashboard-p95 (dashboard)"
    assert "500" in issue.body and "xychart-beta" in issue.body
    assert "\nOwners: @alice, @octo-org/sre\n\n| |" in issue.body  # from the catalog
    assert "### Suspected cause" not in issue.body  # a steady rise: no step to explain
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


def test_at_a_level_shift_the_alert_names_the_changes_that_landed_then(app: App) -> None:
    now = app.readings.now
    stepped = now - timedelta(days=10, hours=11)  # 13:00 UTC, ten days ago
    app.readings.step_at, app.readings.step = stepped, 150.0
    app.push({"shop/dashboard.py": "CACHE = 5\n"}, "Old tuning", now - timedelta(days=20), "dave")
    app.push(
        {"shop/dashboard.py": "CACHE = 0\n"},
        "Tune the dashboard cache",
        stepped - timedelta(hours=2),
        "dave",
    )
    app.push({"docs/notes.md": "notes\n"}, "Notes", stepped - timedelta(hours=1), "erin")
    app.push(
        {"shop/query.py": "N_PLUS_ONE = True\n"},
        "Bump the ORM (#12)",
        stepped - timedelta(hours=4),
        BOT,
    )
    app.tick()
    [issue] = app.issues()
    body = issue.body
    assert "Owners: @alice, @octo-org/sre" in body
    [section] = [part for part in body.split("\n### ") if part.startswith("Suspected cause")]
    assert "The series stepped on" in section
    lines = [line for line in section.splitlines() if line[:3] in ("1. ", "2. ", "3. ")]
    # the bot's own change first, then the nearest in time; the docs-only and the older
    # change (outside the service's paths, outside the days of the step) are not suspects
    assert len(lines) == 2, section
    assert r"Bump the ORM \(\#12\) (#12)" in lines[0]  # escaped subject, then the PR
    assert "**a maintainer-bot change**" in lines[0]
    assert "Tune the dashboard cache" in lines[1] and "by dave" in lines[1]
    assert "Old tuning" not in body and "Notes" not in body
    assert "Ranked: the bot's own changes first" in section

    app.readings.now += timedelta(days=1)  # the next day: the same issue, the same suspects
    app.tick()
    [again] = app.issues()
    assert again.number == issue.number and "(#12): **a maintainer-bot change**" in again.body


def test_a_step_on_a_service_without_a_catalog_entry_says_so(app: App) -> None:
    record = app.store.repository(REPO)
    assert record is not None
    app.store.save_valid_config(
        record.id, parse_config(CONFIG.split("services:")[0], ".maintainer.yml"), None
    )
    app.readings.step_at, app.readings.step = app.readings.now - timedelta(days=10), 150.0
    app.tick()
    [issue] = app.issues()
    assert "Owners:" not in issue.body
    assert "is in no repository's `services:` catalog" in issue.body


def test_a_history_that_cannot_be_read_is_said_and_the_alert_kept(app: App) -> None:
    """The catalog names the service in a repository the installation cannot reach any more:
    the alert is opened all the same, with the owners, and says the changes are not known."""
    record = app.store.repository(REPO)
    assert record is not None
    monitors, catalog = CONFIG.split("services:")
    app.store.save_valid_config(record.id, parse_config(monitors, ".maintainer.yml"), None)
    app.store.add_repositories(INSTALLATION_ID, [RepoRef(987_654, "octo-org/gone", False, "main")])
    gone = app.store.repository("octo-org/gone")
    assert gone is not None
    app.store.save_valid_config(
        gone.id, parse_config("services:" + catalog, ".maintainer.yml"), None
    )
    app.readings.step_at, app.readings.step = app.readings.now - timedelta(days=10), 150.0
    app.tick()
    [issue] = app.issues()
    assert "Owners: @alice, @octo-org/sre" in issue.body
    assert "The history of the service's code could not be read:" in issue.body
    assert "The changes at the step are not known." in issue.body
    assert str(app.harness.data) not in issue.body
