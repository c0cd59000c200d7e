"""The wiring of one service process (server or worker): the store, the queue, the one GitHub
App client, the event context and the job handlers, built from settings.

A webhook's way to a PR, one module per step: `app.server` (verify, record, enqueue) →
`delivery_handler` here → `app.events` (one router per event) → a scan job
(`app.service.scan_job.ScanJob`) → `app.pipeline` → `app.composer.github`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.analyzers.base import Adapters
from app.caches import INDEX, Caches
from app.config import RepoConfig
from app.events import BadPayload, Event, EventContext, Replies, router
from app.github import AppCredentials, GitHub, Installation
from app.health.report_issue import report_due
from app.index.cache import HttpCache
from app.index.client import SimpleIndex
from app.model import Kind
from app.queue import JobFailed, JobHandler, Queue, RetryPolicy, build_huey
from app.schedule import is_due, security_due
from app.service.ci_run_job import CiRunJob
from app.service.incident_job import IncidentJob
from app.service.queries_job import QueriesJob
from app.service.report_job import ReportJob
from app.service.scan_job import SECURITY_ONLY, ScanJob
from app.service.trends_job import TrendsJob
from app.settings import ENV_PREFIX, Settings, SettingsError
from app.store import JobKind, JobRecord, RepositoryRecord, Store, open_store

log = logging.getLogger(__name__)

DELIVERY_BODIES_KEPT = timedelta(days=7)
TRENDS_EVERY = timedelta(days=1)  # production trends are read daily
QUERIES_EVERY = timedelta(days=1)  # application databases are analysed daily
SUCCEEDED_JOBS_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    queue: Queue
    context: EventContext
    github: GitHubApp


def connect(settings: Settings) -> GitHub:
    """The App's GitHub connection, or a `SettingsError` naming the missing setting."""
    if settings.app_id is None:
        raise SettingsError(f"{ENV_PREFIX}APP_ID is not set: cannot authenticate as the App")
    key = settings.app_private_key()
    if key is None:
        raise SettingsError(
            f"{ENV_PREFIX}PRIVATE_KEY or {ENV_PREFIX}PRIVATE_KEY_PATH is not set: "
            "cannot authenticate as the App"
        )
    return GitHub(settings.github_url, AppCredentials(settings.app_id, key))


class GitHubApp:
    """The process's one GitHub App client (one token cache), built on first use, so a process
    without App credentials starts, and only what needs GitHub fails, naming the setting.

    Event handlers and scan jobs reach an installation through it; replies are posted
    through it (`Replies`)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._github: GitHub | None = None
        self._lock = threading.Lock()

    def client(self) -> GitHub:
        with self._lock:
            if self._github is None:
                self._github = connect(self._settings)
            return self._github

    def installation(self, installation_id: int) -> Installation:
        return self.client().installation(installation_id)

    def comment(self, installation_id: int, repository: str, number: int, body: str) -> None:
        try:
            github = self.client()
        except SettingsError as exc:
            raise JobFailed(str(exc)) from None
        github.installation(installation_id).comment(repository, number, body)

    def close(self) -> None:
        with self._lock:
            if self._github is not None:
                self._github.close()
                self._github = None


def default_adapters(settings: Settings) -> Adapters:
    """The package index from `PIP_INDEX_URL` (else PyPI); every cache under the App's cache
    root (`MAINTAINER_CACHE_DIR`, else `<data dir>/cache`)."""
    caches = Caches(settings.cache_root())
    return Adapters(index=SimpleIndex(cache=HttpCache(caches.folder(INDEX))), caches=caches)


def delivery_handler(store: Store, context: EventContext, policy: RetryPolicy) -> JobHandler:
    def handle(job: JobRecord) -> None:
        delivery = store.delivery(job.delivery_id or "")
        if delivery is None or delivery.body is None:
            raise JobFailed(f"delivery {job.delivery_id} is no longer stored")
        try:
            event = Event.from_body(delivery.event, delivery.id, delivery.body)
        except BadPayload as exc:
            raise JobFailed(str(exc)) from None
        attempt = job.attempts
        this_job = replace(context, will_retry=lambda exc: policy.delay(exc, attempt) is not None)
        handled = router.dispatch(event, this_job)
        log.info(
            "delivery %s (%s %s): %d handler(s)", delivery.id, event.name, event.action, handled
        )

    return handle


def tick_handler(
    store: Store,
    queue: Queue,
    *,
    trends: bool = False,
    databases: Callable[[], Collection[str]] = lambda: (),
) -> JobHandler:
    """Enqueue a scan of every repository due by its schedule (and not already queued), a
    report job for each whose weekly report is due (`.maintainer.yml` `report:`), with
    `trends` (a Prometheus is configured) a daily trends job for each with `monitors:`, and a
    daily queries job for each that `databases` (`MAINTAINER_DATABASES`, lower-case
    owner/repo, read at each tick) gives an application database.

    Security fixes skip the schedule: between scheduled scans a security-only scan runs daily
    at the schedule's time, unless `security.bypass_schedule` is off.
    """

    def handle(job: JobRecord) -> None:
        now = store.now()
        with_database = _with_database(databases)
        for repository in store.repositories():
            if repository.full_name.lower() in with_database and _queries_due(
                store, repository, now
            ):
                queue.enqueue(JobKind.QUERIES, repository.full_name, {"reason": "daily"})
            config = store.last_valid_config(repository.id) or RepoConfig()
            if not store.has_pending(JobKind.REPORT, repository.full_name) and report_due(
                config.report, store.last_report_at(repository.id), now
            ):
                queue.enqueue(JobKind.REPORT, repository.full_name, {"reason": "schedule"})
            if trends and config.monitors and _trends_due(store, repository, now):
                queue.enqueue(JobKind.TRENDS, repository.full_name, {"reason": "daily"})
            if store.has_pending(JobKind.SCAN, repository.full_name):
                continue
            if is_due(config.schedule, repository.last_scan_at, now):
                queue.enqueue(JobKind.SCAN, repository.full_name, {"reason": "schedule"})
            elif _security_due(config, repository.last_security_scan_at, now):
                args = {"reason": "security", "only": [k.value for k in SECURITY_ONLY]}
                queue.enqueue(JobKind.SCAN, repository.full_name, args)
        store.prune_deliveries(now - DELIVERY_BODIES_KEPT)
        store.prune_jobs(now - SUCCEEDED_JOBS_KEPT)

    return handle


def _with_database(databases: Callable[[], Collection[str]]) -> Collection[str]:
    """The repositories with a database; none (said in the log) when the setting is broken,
    so the scans still run."""
    try:
        return databases()
    except SettingsError as exc:
        log.error("no queries jobs: %s", exc)
        return ()


def _queries_due(store: Store, repository: RepositoryRecord, now: datetime) -> bool:
    if store.has_pending(JobKind.QUERIES, repository.full_name):
        return False
    last = store.last_job_at(JobKind.QUERIES, repository.full_name)
    return last is None or now - last >= QUERIES_EVERY


def _trends_due(store: Store, repository: RepositoryRecord, now: datetime) -> bool:
    if store.has_pending(JobKind.TRENDS, repository.full_name):
        return False
    last = store.last_trends_at(repository.id)
    return last is None or now - last >= TRENDS_EVERY


def _security_due(config: RepoConfig, last: datetime | None, now: datetime) -> bool:
    wanted = Kind.SECURITY in config.enabled and config.security.bypass_schedule
    return wanted and security_due(config.schedule, last, now)


def build_services(
    settings: Settings,
    *,
    handlers: Mapping[JobKind, JobHandler] | None = None,
    replies: Replies | None = None,
) -> Services:
    """Everything a server or worker process needs.

    `handlers` override the defaults by kind; for scan and refresh jobs they stand in for the
    scan itself, behind the same check of the repository and the same record of the scan."""
    store = open_store(settings.database())
    policy = RetryPolicy(settings.job_retries, settings.job_retry_delay)
    queue = Queue(build_huey(settings), store, policy, settings.tick_minutes)
    github = GitHubApp(settings)
    replies = replies or github
    context = EventContext(store, queue, replies, settings.app_slug, github=github.installation)
    queue.handlers[JobKind.DELIVERY] = delivery_handler(store, context, policy)
    queue.handlers[JobKind.TICK] = tick_handler(
        store,
        queue,
        trends=settings.prometheus_url is not None,
        databases=lambda: settings.repository_databases().keys(),
    )
    queue.handlers[JobKind.TRENDS] = TrendsJob(settings, store, github.installation)
    queue.handlers[JobKind.QUERIES] = QueriesJob(settings, store, github.installation)
    queue.handlers[JobKind.INCIDENT] = IncidentJob(settings, store, github.installation)
    queue.handlers[JobKind.CI_RUN] = CiRunJob(settings, store, github.installation)
    for kind in (JobKind.SCAN, JobKind.REFRESH):
        stand_in = (handlers or {}).get(kind)
        queue.handlers[kind] = ScanJob(
            settings,
            store,
            github.installation,
            lambda: default_adapters(settings),
            policy=policy,
            replies=replies,
            stand_in=stand_in,
        )
    queue.handlers[JobKind.REPORT] = ReportJob(
        settings, store, github.installation, lambda: default_adapters(settings)
    )
    for kind, handler in (handlers or {}).items():
        if kind not in (JobKind.SCAN, JobKind.REFRESH):
            queue.handlers[kind] = handler
    return Services(settings, store, queue, context, github)
