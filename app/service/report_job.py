"""The report job the queue runs: measure a repository's health, keep its history in the store,
and keep its weekly "Maintenance report" issue in place.

The tick (`app.service.wiring.tick_handler`) enqueues it per repository when `.maintainer.yml`
`report:` says it is due (default: Fridays 09:00 UTC; the first report on first sight);
`/maintainer report` on the report issue enqueues it at once. Either way: installation →
checkout of the default branch → configuration in force (`report: false`: nothing) → the
health sample of HEAD, history backfilled from git on first sight and kept in the store
(`health_samples`) → the document, its forecasts and the bot's PRs → one issue, edited in
place (`app.events.bot_issues`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.analyzers.base import Adapters
from app.config import RepoConfig
from app.events.bot_issues import KeptIssue, keep_issue, room_for_body
from app.events.repos import job_repository
from app.flaky.collect import detect_stored
from app.flaky.sources import locate_test_file
from app.github import Installation
from app.health.blobs import resolve_commit
from app.health.churn import WINDOW_DAYS, read_commits
from app.health.ci_coverage import coverage_from_ci
from app.health.coverage import Coverage
from app.health.document import document
from app.health.flaky import FlakyHealth, flaky_health
from app.health.history import collect
from app.health.measure import Collector
from app.health.render_markdown import IssueParts, render_markdown
from app.health.report_issue import (
    REPORT_KEY,
    REPORT_TITLE,
    link_fixes,
    open_pulls,
    week_outcomes,
)
from app.health.samples import StoredSample
from app.model import no_progress
from app.queue import JobFailed
from app.service.scan_job import check_out
from app.settings import Settings
from app.store import JobRecord, RepositoryRecord, Store

log = logging.getLogger(__name__)


class StoreSamples:
    """One repository's health samples in the App's store, as `app.health.history.collect`
    reads and writes samples (the CLI's `SampleStore` has the same two calls)."""

    def __init__(self, store: Store, repository_id: int) -> None:
        self.store = store
        self.repository_id = repository_id

    def samples(self, repository: str, since: date | None = None) -> list[StoredSample]:
        return self.store.health_samples(self.repository_id, since)

    def put(self, repository: str, sample: StoredSample) -> None:
        self.store.put_health_sample(self.repository_id, sample)


@dataclass(frozen=True)
class ReportOutcome:
    """What one report job did: the issue kept (None when `report: false`)."""

    repository: str
    issue: KeptIssue | None
    score: int | None = None
    backfilled: int = 0


class ReportJob:
    """The queue's handler for report jobs. Idempotent: with nothing changed, running it
    again edits nothing (the issue already says it) and opens no second issue."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        installation: Callable[[int], Installation],
        adapters: Callable[[], Adapters],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.store = store
        self.installation = installation
        self.adapters = adapters  # the package index (dependency staleness), built per job
        self.clock = clock

    def __call__(self, job: JobRecord) -> None:
        repository = job_repository(self.store, job)
        if repository is None:
            return
        now = self.clock()
        outcome = self.report(repository, now)
        self.store.mark_reported(repository.id, now)
        if outcome.issue is None:
            log.info("job %s: %s has report: false; no report", job.id, repository.full_name)
        else:
            log.info(
                "job %s: report of %s %s as #%s (score %s, %d week(s) backfilled)",
                job.id,
                repository.full_name,
                outcome.issue.action,
                outcome.issue.number,
                outcome.score,
                outcome.backfilled,
            )

    @staticmethod
    def ci_coverage(
        gh: Installation, repository: RepositoryRecord, files: Sequence[str]
    ) -> Coverage | None:
        """Coverage from the default branch's newest successful CI run with a coverage
        artifact, when the repository holds no report; unknown (None) says why in the log."""
        found = coverage_from_ci(gh, repository.full_name, files, branch=repository.default_branch)
        if found.coverage is None:
            log.info("%s: coverage unknown: %s", repository.full_name, found.reason)
        return found.coverage

    def flaky(
        self, repository: RepositoryRecord, config: RepoConfig, root: Path, since: datetime
    ) -> FlakyHealth | None:
        """The flake rate and flaky tests of the test results collected from CI
        (`workflow_run` artifacts); None (unknown) when none were collected."""
        detection = detect_stored(self.store, repository.id, config.flaky, since)
        if not detection.runs:
            return None
        return flaky_health(detection, lambda test, file: locate_test_file(root, test, file))

    def report(self, repository: RepositoryRecord, now: datetime) -> ReportOutcome:
        if repository.installation_id is None:
            raise JobFailed(f"{repository.full_name} is not part of any installation")
        gh = self.installation(repository.installation_id)
        _, checkout, config, _ = check_out(self.settings, self.store, gh, repository)
        if config.report is False:
            return ReportOutcome(repository.full_name, None)
        root = checkout.path
        weeks = config.health.history_weeks
        head = resolve_commit(root)
        adapters = self.adapters()
        since = now - timedelta(weeks=max(weeks, 1), days=WINDOW_DAYS)
        collector = Collector(
            root=root,
            config=config,
            index=adapters.index,
            advisories=adapters.advisories,  # None: the security component is unknown
            commits=read_commits(root, head.sha, since),
            coverage_elsewhere=lambda files: self.ci_coverage(gh, repository, files),
            flaky=self.flaky(repository, config, root, since),
        )
        samples = StoreSamples(self.store, repository.id)
        collected = collect(
            root, collector, head, now, weeks, samples, repository.full_name, no_progress
        )
        doc = document(
            repository.full_name,
            collected.current,
            collected.history,
            collected.previous,
            config.health.thresholds,
        )
        proposals = self.store.proposals(repository.id)
        parts = IssueParts(
            week_outcomes(proposals, now),
            config.report.day,
            config.report.time,
            config.report.timezone,
        )
        body = render_markdown(
            link_fixes(doc, open_pulls(proposals)), parts, limit=room_for_body(REPORT_KEY)
        )
        kept = keep_issue(
            gh,
            self.store,
            repository,
            REPORT_KEY,
            title=REPORT_TITLE,
            body=body,
            bot_login=self.settings.bot_login(),
        )
        return ReportOutcome(
            repository.full_name, kept, collected.current.score.value, collected.backfilled
        )
