"""Wiring: the store, the queue, the event context and the job handlers, built from settings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.composer.github import FAILED
from app.config import RepoConfig
from app.events import BadPayload, Event, EventContext, Replies, router
from app.events.comments import LazyInstallations
from app.events.repos import workable
from app.github import GitHub
from app.service.scan_job import connect, run_scan
from app.model import Kind
from app.queue import JobFailed, JobHandler, Queue, RetryPolicy, build_huey
from app.schedule import is_due, security_due
from app.settings import Settings, SettingsError
from app.store import JobKind, JobRecord, Store, open_store
from app.templates import render

log = logging.getLogger(__name__)

DELIVERY_BODIES_KEPT = timedelta(days=7)
SUCCEEDED_JOBS_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    queue: Queue
    context: EventContext


class GitHubReplies:
    """Replies through `app.github`, as the App's installation (client built on first use)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._github: GitHub | None = None
        self._lock = threading.Lock()

    def comment(self, installation_id: int, repository: str, number: int, body: str) -> None:
        with self._lock:
            if self._github is None:
                try:
                    self._github = connect(self._settings)
                except SettingsError as exc:
                    raise JobFailed(str(exc)) from None
        self._github.installation(installation_id).comment(repository, number, body)


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


SECURITY_ONLY = [Kind.SECURITY.value]


def tick_handler(store: Store, queue: Queue) -> JobHandler:
    """Enqueue a scan of every repository due by its schedule (and not already queued).

    Security fixes skip the schedule: between scheduled scans a security-only scan runs daily
    at the schedule's time, unless `security.bypass_schedule` is off.
    """

    def handle(job: JobRecord) -> None:
        now = store.now()
        for repository in store.repositories():
            if store.has_pending(JobKind.SCAN, repository.full_name):
                continue
            config = store.last_valid_config(repository.id) or RepoConfig()
            if is_due(config.schedule, repository.last_scan_at, now):
                queue.enqueue(JobKind.SCAN, repository.full_name, {"reason": "schedule"})
            elif _security_due(config, repository.last_security_scan_at, now):
                args = {"reason": "security", "only": SECURITY_ONLY}
                queue.enqueue(JobKind.SCAN, repository.full_name, args)
        store.prune_deliveries(now - DELIVERY_BODIES_KEPT)
        store.prune_jobs(now - SUCCEEDED_JOBS_KEPT)

    return handle


def _security_due(config: RepoConfig, last: datetime | None, now: datetime) -> bool:
    wanted = Kind.SECURITY in config.enabled and config.security.bypass_schedule
    return wanted and security_due(config.schedule, last, now)


def scan_guard(store: Store, run: JobHandler) -> JobHandler:
    """Skip repositories that were deleted, archived or uninstalled; remember the scan time."""

    def handle(job: JobRecord) -> None:
        repository = store.repository(job.repository or "")
        if repository is None or not workable(repository):
            log.info("job %s: %s is not active; nothing to do", job.id, job.repository)
            return
        run(job)
        store.mark_scanned(repository.id, security_only=job.args.get("only") == SECURITY_ONLY)

    return handle


def pipeline_handler(
    settings: Settings,
    store: Store,
    policy: RetryPolicy | None = None,
    replies: Replies | None = None,
) -> JobHandler:
    """Scan one repository through `app.service.scan_job.run_scan` (workspace → pipeline → draft PRs).

    Refreshing a PR after CI changed is the same job: the composer re-renders the bodies of the
    open PRs it keeps (risk section included) and changes nothing else when nothing changed.
    A `/maintainer rebase|recreate` whose job fails for good is answered on its PR."""

    def handle(job: JobRecord) -> None:
        repository = store.repository(job.repository or "")
        if repository is None or repository.installation_id is None:
            raise JobFailed(f"{job.repository} is not part of any installation")
        try:
            report = run_scan(
                repository.installation_id,
                repository.full_name,
                settings,
                store=store,
                rebase=job.args.get("rebase", ()),
                recreate=job.args.get("recreate", ()),
                only=[Kind(kind) for kind in job.args.get("only", ())] or None,
            )
        except Exception as exc:
            if policy is None or policy.delay(exc, job.attempts) is None:
                _answer_given_up(replies, repository.installation_id, job, exc)
            raise
        log.info(
            "job %s: scanned %s at %s: PRs %s, %d error(s)%s",
            job.id,
            report.repository,
            report.sha[:12],
            list(report.pull_requests) or "none",
            len(report.errors),
            f", config error: {report.config_error}" if report.config_error else "",
        )

    return handle


def _answer_given_up(
    replies: Replies | None, installation_id: int, job: JobRecord, exc: Exception
) -> None:
    """The rebase or recreate a comment asked for will not happen: say so on its PR."""
    number = job.args.get("pull")
    if replies is None or not isinstance(number, int) or job.repository is None:
        return
    for verb in ("rebase", "recreate"):
        for branch in job.args.get(verb, ()):
            body = render(
                "comments/not_rebuilt.md.j2",
                verb=verb,
                branch=branch,
                base="",
                action=FAILED,
                detail=f"the scan failed and I gave up after {job.attempts} attempt(s): {exc}",
            )
            try:
                replies.comment(installation_id, job.repository, number, body)
            except Exception:  # GitHub may be what failed: the job's error says it all
                log.warning("job %s: could not answer on #%s", job.id, number)


def build_services(
    settings: Settings,
    *,
    handlers: Mapping[JobKind, JobHandler] | None = None,
    replies: Replies | None = None,
) -> Services:
    """Everything a server or worker process needs; `handlers` override the defaults by kind."""
    store = open_store(settings.database())
    policy = RetryPolicy(settings.job_retries, settings.job_retry_delay)
    queue = Queue(build_huey(settings), store, policy, settings.tick_minutes)
    replies = replies or GitHubReplies(settings)
    context = EventContext(
        store,
        queue,
        replies,
        settings.app_slug,
        github=LazyInstallations(lambda: connect(settings)),
    )
    queue.handlers[JobKind.DELIVERY] = delivery_handler(store, context, policy)
    queue.handlers[JobKind.TICK] = tick_handler(store, queue)
    chosen = {JobKind.SCAN: pipeline_handler(settings, store, policy, replies)}
    chosen[JobKind.REFRESH] = chosen[JobKind.SCAN]
    chosen.update(handlers or {})
    for kind, handler in chosen.items():
        guarded = kind in (JobKind.SCAN, JobKind.REFRESH)
        queue.handlers[kind] = scan_guard(store, handler) if guarded else handler
    return Services(settings, store, queue, context)
