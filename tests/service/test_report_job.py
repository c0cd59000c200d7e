"""The weekly "Maintenance report" issue, end to end against the emulator: the tick enqueues
the report job, the job measures a real git history, keeps the samples in the store and the
issue in place; next week's tick edits the same issue; `/maintainer report` refreshes it;
`report: false` makes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.analyzers.base import Adapters
from app.emulator import deliveries
from app.events import Event, EventContext, router
from app.events.bot_issues import marker
from app.github import GitHub, Issue
from app.health.report_issue import REPORT_KEY, REPORT_TITLE
from app.queue import Queue, RetryPolicy, build_huey
from app.service.report_job import ReportJob
from app.service.wiring import tick_handler
from app.settings import Settings
from app.store import (
    JobKind,
    JobRecord,
    JobStatus,
    NewCiRun,
    RepoRef,
    Store,
    StoredResult,
    open_store,
)
from tests.support import GIT_ENV, git
from tests.support.artifacts import add_run, zip_of
from tests.support.harness import INSTALLATION_ID, Harness, settings_for

TREND = "octo-org/trend"
WEEKS = 8
SLUG = "maintainer-bot"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


def _function(branches: int) -> str:
    body = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(branches))
    return f"def pick(x: int) -> int:\n{body}    return -1\n"


def trend_repository(harness: Harness, tmp: Path, now: datetime, config: str = "") -> None:
    """A repository whose one function gains a branch every week for `WEEKS` weeks (mean
    complexity 1, 2, ... 8 against the default threshold of 10), each commit dated then."""
    work = tmp / "trend-work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    for week in range(WEEKS):
        when = (now - timedelta(weeks=WEEKS - 1 - week, hours=1)).strftime(
            "%Y-%m-%dT%H:%M:%S+00:00"
        )
        (work / "trend").mkdir(exist_ok=True)
        (work / "trend" / "__init__.py").write_text(_function(week))
        if config:
            (work / ".maintainer.yml").write_text(config)
        git(work, "add", "-A")
        env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(["git", "commit", "-q", "-m", f"week {week}"], cwd=work, env=env, check=True)
    harness.publish(work, TREND)


class Replies:
    def __init__(self, github: GitHub) -> None:
        self.github = github

    def comment(self, installation_id: int, repository: str, number: int, body: str) -> None:
        self.github.installation(installation_id).comment(repository, number, body)


@dataclass
class App:
    harness: Harness
    store: Store
    queue: Queue
    clock: Clock
    github: GitHub
    settings: Settings

    def tick(self) -> list[JobRecord]:
        """One tick, then every report job it queued, run; those jobs."""
        self.queue.run_job(self.queue.enqueue(JobKind.TICK, None))
        return self.run_reports()

    def run_reports(self) -> list[JobRecord]:
        queued = [j for j in self.store.jobs(JobStatus.QUEUED) if j.kind == JobKind.REPORT]
        for job in queued:
            self.queue.run_job(job.id)
        done = [self.store.job(j.id) for j in queued]
        assert all(j is not None and j.status is JobStatus.SUCCEEDED for j in done), done
        return queued

    def issues(self) -> list[Issue]:
        return self.github.installation(INSTALLATION_ID).issues(TREND, state="all")

    def say(self, number: int, body: str, user: str) -> None:
        """A comment by `user` on issue #number, and its webhook routed."""
        comment = self.harness.admin(
            "POST", f"/repos/{TREND}/issues/{number}/comments", {"user": user, "body": body}
        ).json()
        gh = self.github.installation(INSTALLATION_ID)
        issue = gh.request("GET", f"/repos/{TREND}/issues/{number}")
        repository = self.harness.admin("GET", f"/repos/{TREND}").json()
        payload = deliveries.issue_comment(INSTALLATION_ID, repository, issue, comment)
        context = EventContext(
            self.store, self.queue, Replies(self.github), SLUG, github=self.github.installation
        )
        router.dispatch(Event("issue_comment", uuid.uuid4().hex, payload), context)


@pytest.fixture
def app(harness: Harness, tmp_path: Path) -> Iterator[App]:
    clock = Clock()
    base = settings_for(harness, tmp_path)
    settings = Settings(**{**base.model_dump(), "workers": 0})
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}", clock)
    queue = Queue(build_huey(settings), store, RetryPolicy(retries=0), settings.tick_minutes)
    github = harness.github()
    queue.handlers[JobKind.TICK] = tick_handler(store, queue)
    queue.handlers[JobKind.SCAN] = lambda job: None  # scans are not what this is about
    queue.handlers[JobKind.REPORT] = ReportJob(
        settings, store, github.installation, lambda: Adapters(), clock=clock
    )
    yield App(harness, store, queue, clock, github, settings)
    github.close()
    store.engine.dispose()


def _register(app: App) -> int:
    repo = app.harness.emulator.state.repo(TREND)
    assert repo is not None
    app.store.upsert_installation(INSTALLATION_ID, "octo-org", "Organization")
    app.store.add_repositories(INSTALLATION_ID, [RepoRef(repo.id, TREND, False, "main")])
    return repo.id


def test_tick_creates_the_report_and_next_weeks_tick_edits_it_in_place(
    app: App, tmp_path: Path
) -> None:
    trend_repository(app.harness, tmp_path, app.clock.now)
    repo_id = _register(app)

    assert [j.repository for j in app.tick()] == [TREND]
    [issue] = app.issues()
    assert issue.title == REPORT_TITLE and issue.open and marker(REPORT_KEY) in issue.body
    assert "**Health " in issue.body and "/100" in issue.body
    assert "unchanged since last week" in issue.body  # against last week's backfilled sample
    assert "xychart-beta" in issue.body
    # mean complexity 1..8 over 8 weeks, threshold 10: a dated forecast with its interval
    assert "mean complexity crosses 10 in" in issue.body, issue.body
    assert "### This week" in issue.body and "/maintainer report" in issue.body
    samples = app.store.health_samples(repo_id)
    assert len(samples) == WEEKS  # backfilled on first sight, the current one last
    assert [s.metrics["complexity_mean"] for s in samples][-3:] == [6.0, 7.0, 8.0]
    first_body = issue.body

    assert app.tick() == []  # reported: nothing due the same day

    app.clock.now += timedelta(weeks=1)
    assert [j.repository for j in app.tick()] == [TREND]
    issues = app.issues()
    assert [i.number for i in issues] == [issue.number]  # the same issue, edited in place
    assert issues[0].body != first_body
    assert "unchanged since last week" in issues[0].body
    assert len(app.store.health_samples(repo_id)) == WEEKS + 1


def test_store_lost_the_issue_number_the_marker_finds_it(app: App, tmp_path: Path) -> None:
    trend_repository(app.harness, tmp_path, app.clock.now)
    repo_id = _register(app)
    app.tick()
    [issue] = app.issues()
    app.store.forget_bot_issue(repo_id, REPORT_KEY)
    app.clock.now += timedelta(weeks=1)
    app.tick()
    assert [i.number for i in app.issues()] == [issue.number]
    assert app.store.bot_issue(repo_id, REPORT_KEY) == issue.number


def test_maintainer_report_on_the_issue_refreshes_it_now(app: App, tmp_path: Path) -> None:
    trend_repository(app.harness, tmp_path, app.clock.now)
    _register(app)
    app.tick()
    [issue] = app.issues()
    head = app.harness.human_push(TREND, "main", {"trend/__init__.py": _function(2)}, tmp_path)
    assert head[:12] not in issue.body

    app.say(issue.number, "/maintainer report", user="octocat")  # read access only
    assert app.run_reports() == []
    app.say(issue.number, "/maintainer report", user="octo-org")  # the owner
    assert len(app.run_reports()) == 1
    [refreshed] = app.issues()
    assert refreshed.number == issue.number
    assert head[:12] in refreshed.body
    replies = app.github.installation(INSTALLATION_ID).comments(TREND, issue.number)
    texts = [c.body for c in replies if c.user_login.endswith("[bot]")]
    assert any("Refreshing this report" in t for t in texts), texts
    assert any("write" in t.lower() for t in texts), texts


def test_maintainer_report_elsewhere_is_refused(app: App, tmp_path: Path) -> None:
    trend_repository(app.harness, tmp_path, app.clock.now)
    _register(app)
    other = app.harness.admin(
        "POST", f"/repos/{TREND}/issues", {"user": "octo-org", "title": "A bug"}
    ).json()
    app.say(other["number"], "/maintainer report", user="octo-org")
    assert [j for j in app.store.jobs(JobStatus.QUEUED) if j.kind == JobKind.REPORT] == []
    replies = app.github.installation(INSTALLATION_ID).comments(TREND, other["number"])
    assert any("works only there" in c.body for c in replies), [c.body for c in replies]


def test_report_false_makes_nothing(app: App, tmp_path: Path) -> None:
    trend_repository(app.harness, tmp_path, app.clock.now, config="report: false\n")
    repo_id = _register(app)
    assert len(app.tick()) == 1  # before the first check, the default: on
    assert app.issues() == []
    assert app.store.health_samples(repo_id) == []
    app.clock.now += timedelta(weeks=1)
    assert app.tick() == []  # the stored configuration says off: no job at all


def test_coverage_comes_from_the_newest_successful_ci_run_when_the_repository_has_none(
    app: App, tmp_path: Path
) -> None:
    trend_repository(app.harness, tmp_path, app.clock.now)
    repo_id = _register(app)
    app.tick()
    assert app.store.health_samples(repo_id)[-1].metrics["coverage_percent"] is None  # unknown

    report = {
        "meta": {"format": 3},
        "files": {
            "trend/__init__.py": {
                "summary": {"percent_covered": 62.5, "covered_lines": 5, "num_statements": 8},
                "missing_lines": [4, 6, 8],
                "executed_lines": [1, 2, 3, 5, 7],
            }
        },
        "totals": {"percent_covered": 62.5, "covered_lines": 5, "num_statements": 8},
    }
    add_run(app.harness, TREND, {"coverage-report": zip_of({"coverage.json": json.dumps(report)})})
    add_run(app.harness, TREND, {"coverage-report": b"not a zip"}, conclusion="failure")
    app.clock.now += timedelta(weeks=1)
    app.tick()
    assert app.store.health_samples(repo_id)[-1].metrics["coverage_percent"] == 62.5


def test_the_flake_rate_comes_from_the_test_results_collected_from_ci(
    app: App, tmp_path: Path
) -> None:
    trend_repository(app.harness, tmp_path, app.clock.now)
    repo_id = _register(app)
    for attempt, outcome in ((1, "failed"), (2, "passed")):  # one commit, both outcomes
        run = app.store.record_ci_run(
            repo_id, NewCiRun(77, attempt, "CI", "c" * 40, app.clock.now - timedelta(hours=3))
        )
        results = [
            StoredResult(
                "tests/test_pick.py::test_pick", "tests/test_pick.py", 1, outcome, 0.1, ""
            ),
            StoredResult(
                "tests/test_pick.py::test_other", "tests/test_pick.py", 5, "passed", 0.1, ""
            ),
        ]
        app.store.record_artifact(
            repo_id, run.id, 900 + attempt, "junit", status="read", reports=[("junit.xml", results)]
        )
    app.tick()
    sample = app.store.health_samples(repo_id)[-1]
    assert sample.metrics["flake_rate"] == 0.5  # one of two runs had a flaky failure
    [issue] = app.issues()
    assert "### Flaky tests" in issue.body and "test_pick" in issue.body
