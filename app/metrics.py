"""Prometheus metrics: the instruments every process records into, and the `/metrics` page.

Few metrics, low-cardinality labels, units in names. No label carries a repository, an
installation or a user: labels take values from small fixed sets (job kinds, outcomes, endpoint
families, proposal kinds) or, for webhook events, from GitHub's own event catalogue (the event
header only counts once the delivery's signature is valid; anything else is `unverified`).

Two sources, chosen by what each number is:

- **Counters and histograms** (deliveries, acknowledgement latency, job durations, retries,
  GitHub calls, scans, proposals, pull requests) are recorded where the thing happens, which is
  often a worker process (`maintainer worker`), not the server that is scraped. With
  `MAINTAINER_METRICS_DIR` set, every process records into prometheus-client's multiprocess
  files in that directory and the server's `/metrics` adds them up (prometheus-client's own
  mechanism: no extra write per GitHub call to the database). Without it, the server reports
  its own process only (its in-process consumers included).
- **Gauges of the queue** (jobs by status, the oldest queued job's age) are read from the store
  at scrape time: the store is the queue's authority, so they are right however many workers run
  on however many hosts, and a worker that died cannot leave a stale value behind.

The directory must be set before a process records its first value (`use_directory`, called
by `maintainer serve` and `maintainer worker` at start-up).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from app.store import QueueState

CONTENT_TYPE = CONTENT_TYPE_LATEST
NAMESPACE = "maintainer"
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)
_EVENT_NAME = re.compile(r"[a-z_]{1,40}")
# The first path segment after /repos/{owner}/{repo}/ (or the top-level one) that names an
# endpoint family; anything else is `other`, so a path never becomes a label value.
FAMILIES = frozenset(
    {
        "app",
        "branches",
        "check-runs",
        "check-suites",
        "collaborators",
        "commits",
        "contents",
        "git",
        "graphql",
        "installation",
        "issues",
        "pulls",
        "repos",
        "users",
    }
)
STATUSES = ("queued", "running", "failed")


class MetricsError(Exception):
    """The metrics directory cannot be used (named in the message)."""


class Metrics:
    """The instruments, created once per process (`metrics()`)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.deliveries = Counter(
            "webhook_deliveries",
            "Webhook deliveries answered, by event and HTTP status code.",
            ["event", "code"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.ack_seconds = Histogram(
            "webhook_ack_seconds",
            "Time from a delivery's arrival to its answer (recorded and queued when 202).",
            namespace=NAMESPACE,
            buckets=ACK_BUCKETS,
            registry=registry,
        )
        self.job_seconds = Histogram(
            "job_duration_seconds",
            "Time a job ran, by kind and outcome (succeeded, retried, failed).",
            ["kind", "outcome"],
            namespace=NAMESPACE,
            buckets=JOB_BUCKETS,
            registry=registry,
        )
        self.retries = Counter(
            "job_retries",
            "Job attempts that failed transiently and were scheduled again, by kind.",
            ["kind"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.github_requests = Counter(
            "github_requests",
            "Requests to GitHub's API, by endpoint family, method and status (0: no response).",
            ["family", "method", "status"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.rate_limit_remaining = Gauge(
            "github_rate_limit_remaining",
            "X-RateLimit-Remaining of GitHub's latest answer, by rate-limit resource.",
            ["resource"],
            namespace=NAMESPACE,
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.scans = Counter(
            "scans",
            "Repository scans completed, by scope (full, security).",
            ["scope"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.proposals = Counter(
            "proposals",
            "Maintenance proposals made by scans, by kind.",
            ["kind"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.pull_requests = Counter(
            "pull_requests",
            "The bot's pull requests opened, merged and closed (unmerged).",
            ["event"],
            namespace=NAMESPACE,
            registry=registry,
        )

        self.incidents = Counter(
            "incident_notifications",
            "Alertmanager notifications applied to incidents, by outcome (opened, updated, "
            "repeated, resolved, ignored).",
            ["outcome"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.trend_alerts = Counter(
            "trend_alerts",
            "Trend alert issues kept by the daily trends job, by action (created, updated, "
            "unchanged, closed), and monitors that could not be read (failed).",
            ["action"],
            namespace=NAMESPACE,
            registry=registry,
        )

    # -- recording ----------------------------------------------------------------------------

    def delivery(self, event: str | None, code: int, seconds: float) -> None:
        self.deliveries.labels(event_label(event), str(code)).inc()
        self.ack_seconds.observe(seconds)

    def job(self, kind: str, outcome: str, seconds: float) -> None:
        self.job_seconds.labels(kind, outcome).observe(seconds)
        if outcome == "retried":
            self.retries.labels(kind).inc()

    def github_response(
        self, method: str, path: str, status: int, headers: dict[str, str] | None = None
    ) -> None:
        self.github_requests.labels(endpoint_family(path), method.upper()[:7], str(status)).inc()
        remaining = (headers or {}).get("x-ratelimit-remaining", "")
        if remaining.isdigit():
            resource = (headers or {}).get("x-ratelimit-resource") or "core"
            resource = resource if _EVENT_NAME.fullmatch(resource) else "other"
            self.rate_limit_remaining.labels(resource).set(int(remaining))

    def pull_request(self, event: str) -> None:
        self.pull_requests.labels(event).inc()

    def incident(self, outcome: str) -> None:
        self.incidents.labels(outcome if _EVENT_NAME.fullmatch(outcome) else "other").inc()

    def trend_alert(self, action: str) -> None:
        self.trend_alerts.labels(action if _EVENT_NAME.fullmatch(action) else "other").inc()


def event_label(event: str | None) -> str:
    if event is None:
        return "unverified"
    return event if _EVENT_NAME.fullmatch(event) else "other"


def endpoint_family(path: str) -> str:
    """`/repos/o/r/pulls/3/reviews` → `pulls`; `/app/installations/1/...` → `app`."""
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if "graphql" in parts[-1:]:
        return "graphql"
    for i, part in enumerate(parts):
        if part == "repos":
            rest = parts[i + 3 : i + 4]
            family = rest[0] if rest else "repos"
            return family if family in FAMILIES else "other"
        if part in FAMILIES:
            return part
    return "other"


_lock = threading.Lock()
_metrics: Metrics | None = None
_directory: Path | None = None


def use_directory(directory: Path) -> None:
    """Record this process's values into prometheus-client's multiprocess files there.

    Must run before the first `metrics()` call of the process; the directory is created."""
    global _directory
    with _lock:
        if _metrics is not None and _directory != directory:
            raise MetricsError("metrics were recorded before MAINTAINER_METRICS_DIR was applied")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MetricsError(
                f"MAINTAINER_METRICS_DIR: cannot create {directory}: {exc.strerror}"
            ) from None
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
        _directory = directory


def metrics() -> Metrics:
    """This process's instruments."""
    global _metrics
    with _lock:
        if _metrics is None:
            _metrics = Metrics(CollectorRegistry(auto_describe=True))
        return _metrics


def directory() -> Path | None:
    return _directory


def process_exited() -> None:
    """Drop this process's live gauges from the directory (its counters stay: totals)."""
    if _directory is not None:
        mark_process_dead(os.getpid(), str(_directory))  # type: ignore[no-untyped-call]


class QueueSource(Protocol):
    def queue_state(self) -> QueueState: ...


class QueueCollector(Collector):
    """Queue gauges read from the store at scrape time."""

    def __init__(self, source: QueueSource) -> None:
        self.source = source

    def collect(self) -> Iterable[Metric]:
        state = self.source.queue_state()
        jobs = GaugeMetricFamily(
            f"{NAMESPACE}_queue_jobs",
            "Jobs in the store by status (queued: the queue depth; failed: after last retry).",
            labels=["status"],
        )
        for status in STATUSES:
            jobs.add_metric([status], state.jobs.get(status, 0))
        yield jobs
        yield GaugeMetricFamily(
            f"{NAMESPACE}_queue_oldest_job_age_seconds",
            "Age of the oldest queued job (0 when none waits).",
            value=state.oldest_queued_seconds,
        )


def render(source: QueueSource) -> bytes:
    """The `/metrics` page: every process's instruments (or this one's), the queue gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if _directory is not None:
        MultiProcessCollector(registry, str(_directory))  # type: ignore[no-untyped-call]
    else:
        registry.register(_ProcessMetrics(metrics().registry))
    registry.register(QueueCollector(source))
    return generate_latest(registry)


class _ProcessMetrics(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()
