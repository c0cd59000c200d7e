"""The trends job the queue runs once a day per repository with `monitors:`: read each
monitor from the service's Prometheus (`MAINTAINER_PROMETHEUS_URL`, never an address from the
repository), forecast it (`app.ops.trends`), and keep one "Trend alert" issue per monitor in
place (`app.events.bot_issues`): opened when the threshold is predicted within the monitor's
lead time plus margin (or already crossed), edited as the forecast moves, closed by the bot
when the forecast no longer crosses within the horizon. A monitor whose query failed keeps its
issue as it was. Each alert's life (opened, first seen past its threshold, closed) is recorded
in the store's `trend_alerts` for `maintainer stats`.

The issue names the owners of the monitor's service from the `services:` catalog and, when the
forecast found a level shift, the changes to the service's paths around the step, read from
the service repository's checkout (`app.service.service_changes`, shared with the incident job).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.config import RepoConfig
from app.events.bot_issues import close_issue, keep_issue
from app.events.repos import job_repository
from app.github import GitHubError, Installation
from app.incidents.triage import ranked_changes
from app.metrics import Metrics, metrics
from app.ops.prometheus import PrometheusClient, settings_auth
from app.ops.render import trend_alert_markdown, trend_alert_title
from app.ops.trends import AlertContext, MonitorTrend, RangeReader, collect, step_window
from app.queue import JobFailed
from app.service.scan_job import check_out
from app.service.service_changes import changes_between, find_service, with_bot_prs
from app.settings import Settings
from app.store import JobRecord, RepositoryRecord, Store
from app.workspace import WorkspaceError

log = logging.getLogger(__name__)

ALERTING = ("alert", "breached")
QUIET = ("ok", "no-data")


def alert_key(monitor: str) -> str:
    """The bot-issue key of a monitor's trend alert (monitor names are free text)."""
    return "trend-alert:" + hashlib.sha256(monitor.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class TrendsOutcome:
    opened_or_edited: tuple[int, ...] = ()
    closed: tuple[int, ...] = ()
    failed: tuple[str, ...] = ()


def prometheus_reader(settings: Settings) -> PrometheusClient:
    if not settings.prometheus_url:
        raise JobFailed("MAINTAINER_PROMETHEUS_URL is not set: no trends to read")
    return PrometheusClient(settings.prometheus_url, settings_auth(settings))


class TrendsJob:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        installation: Callable[[int], Installation],
        reader: Callable[[], RangeReader] | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        telemetry: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.installation = installation
        self.reader = reader or (lambda: prometheus_reader(settings))
        self.clock = clock
        self.telemetry = telemetry or metrics()

    def __call__(self, job: JobRecord) -> None:
        repository = job_repository(self.store, job)
        if repository is None:
            return
        now = self.clock()
        outcome = self.trends(repository, now)
        self.store.mark_trends_read(repository.id, now)
        log.info(
            "job %s: trends of %s: %d alert issue(s) kept, %d closed, %d monitor(s) failed",
            job.id,
            repository.full_name,
            len(outcome.opened_or_edited),
            len(outcome.closed),
            len(outcome.failed),
        )

    def trends(self, repository: RepositoryRecord, now: datetime) -> TrendsOutcome:
        config = self.store.last_valid_config(repository.id) or RepoConfig()
        if not config.monitors:
            return TrendsOutcome()
        if repository.installation_id is None:
            raise JobFailed(f"{repository.full_name} is not part of any installation")
        reader = self.reader()
        try:
            results = collect(reader, config.monitors, now)
        finally:
            close = getattr(reader, "close", None)
            if callable(close):
                close()
        gh = self.installation(repository.installation_id)
        bot = self.settings.bot_login()
        kept, closed, failed = [], [], []
        roots: dict[str, Path] = {}  # the checkouts of this run, by repository
        for trend in results:
            key = alert_key(trend.monitor.name)
            if trend.status in ALERTING:
                issue = keep_issue(
                    gh,
                    self.store,
                    repository,
                    key,
                    title=trend_alert_title(trend),
                    body=trend_alert_markdown(trend, self.context(trend, roots)),
                    bot_login=bot,
                )
                self.store.record_trend_alert(
                    repository.id,
                    key,
                    monitor=trend.monitor.name,
                    service=trend.monitor.service,
                    issue_number=issue.number,
                    breached=trend.status == "breached",
                )
                kept.append(issue.number)
                self.telemetry.trend_alert(issue.action)
            elif trend.status in QUIET:
                if self.store.bot_issue(repository.id, key) is None:
                    continue  # never alerted: nothing to close
                done = close_issue(gh, self.store, repository, key, bot)
                self.store.close_trend_alert(repository.id, key)
                if done is not None and done.action != "unchanged":
                    closed.append(done.number)
                    self.telemetry.trend_alert("closed")
            else:
                failed.append(trend.monitor.name)
                self.telemetry.trend_alert("failed")
                log.warning(
                    "%s: monitor %s not read: %s",
                    repository.full_name,
                    trend.monitor.name,
                    trend.reason,
                )
        return TrendsOutcome(tuple(kept), tuple(closed), tuple(failed))

    def context(self, trend: MonitorTrend, roots: MutableMapping[str, Path]) -> AlertContext:
        """The owners of the monitor's service from the catalog and, when the forecast found
        a level shift, the changes to the service's paths when it stepped (read from the
        service repository's default branch, checked out once per run). A history that cannot
        be read is said in the issue; the alert itself is kept all the same."""
        located = find_service(self.store, trend.monitor.service)
        if located is None:
            return AlertContext()
        repository, service, _ = located
        owners = tuple(service.owners)
        window = step_window(trend)
        if window is None:
            return AlertContext(cataloged=True, owners=owners)
        since, until = window
        try:
            root = roots.get(repository.full_name)
            if root is None:
                if repository.installation_id is None:
                    raise JobFailed(f"{repository.full_name} is not part of any installation")
                gh = self.installation(repository.installation_id)
                root = check_out(self.settings, self.store, gh, repository)[1].path
                roots[repository.full_name] = root
            bot = self.settings.bot_login()
            changes = with_bot_prs(self.store, repository, changes_between(root, since, until, bot))
        except (WorkspaceError, GitHubError, JobFailed) as exc:
            log.warning(
                "%s: history of %s not read: %s", trend.monitor.name, repository.full_name, exc
            )
            said = str(exc).replace(str(self.settings.workspace()), "<workspace>")[:300]
            return AlertContext(True, owners, window, history_error=said)
        near = datetime.combine(trend.level_shift_at or since.date(), datetime.min.time(), UTC)
        return AlertContext(True, owners, window, ranked_changes(changes, service, *window, near))
