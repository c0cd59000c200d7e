"""Frozen values the store hands out; callers never see ORM rows or sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple


class JobKind(StrEnum):
    DELIVERY = "delivery"  # route one webhook delivery (args: none, body in deliveries)
    SCAN = "scan"  # scan one repository (args: reason, sha)
    REFRESH = "refresh"  # re-render one bot PR's body after CI changed (args: proposal_id)
    TICK = "tick"  # enqueue scans for repositories due by their schedule
    REPORT = "report"  # refresh one repository's weekly report issue (args: reason)
    CI_RUN = "ci-run"  # collect one workflow run attempt's test results (args: run, attempt)
    INCIDENT = "incident"  # triage one incident into its issue (args: incident)
    TRENDS = "trends"  # read one repository's production monitors; keep its trend alert issues
    QUERIES = "queries"  # analyse one repository's database; index PRs (performance)


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ProposalStatus(StrEnum):
    DRAFT = "draft"  # recorded, no pull request yet
    OPEN = "open"
    CLOSED = "closed"
    MERGED = "merged"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class InstallationRecord:
    id: int
    account_login: str
    account_type: str
    suspended: bool


@dataclass(frozen=True)
class RepoRef:
    """What an installation event says about one repository."""

    id: int
    full_name: str
    private: bool = False
    default_branch: str | None = None


@dataclass(frozen=True)
class RepositoryRecord:
    id: int
    installation_id: int | None
    full_name: str
    default_branch: str
    private: bool
    archived: bool
    active: bool
    last_scan_at: datetime | None
    config_error: str | None
    last_security_scan_at: datetime | None = None

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


@dataclass(frozen=True)
class DeliveryRecord:
    id: str
    event: str
    action: str | None
    received_at: datetime
    body: bytes | None = field(repr=False)


@dataclass(frozen=True)
class JobRecord:
    id: str
    kind: str
    repository: str | None
    delivery_id: str | None
    args: dict[str, Any]
    status: JobStatus
    attempts: int
    error: str | None
    owner: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class QueueState:
    """Jobs by status and how long the oldest queued one has waited (the queue's gauges)."""

    jobs: dict[str, int]
    oldest_queued_seconds: float


@dataclass(frozen=True)
class NewJob:
    """A job to record (and enqueue) — `repository` is the `owner/name` lock key, if any."""

    id: str
    kind: str
    repository: str | None = None
    delivery_id: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewDelivery:
    """A verified webhook delivery to record, with the job that will route it."""

    delivery_id: str
    event: str
    action: str | None
    body: bytes = field(repr=False)
    job: NewJob


@dataclass(frozen=True)
class ProposalRecord:
    id: int
    repository_id: int
    kind: str
    branch: str
    title: str
    subject: str
    pr_number: int | None
    head_sha: str | None
    status: ProposalStatus
    outcome: str | None
    ci_result: str | None
    ci_sha: str | None
    stopped: bool
    stop_notice_posted: bool
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class IgnoreRecord:
    """An ignore stored from a comment command: the scope, who asked, when, from which PR."""

    id: int
    repository_id: int
    dependency: str
    versions: tuple[str, ...]
    update_types: tuple[str, ...]
    reason: str | None
    created_by: str | None
    created_at: datetime | None = None
    pr_number: int | None = None


@dataclass(frozen=True)
class MergeRequest:
    proposal: ProposalRecord
    requested_by: str
    requested_at: datetime


@dataclass(frozen=True)
class Outcome:
    """One bot PR for `maintainer stats`."""

    repository: str
    kind: str
    status: ProposalStatus
    outcome: str | None  # "merged", "closed", "superseded"
    stopped: bool  # the composer saw commits by others on the branch
    opened_at: datetime | None
    closed_at: datetime | None
    human_commits: int | None
    merged_by_bot: bool


@dataclass(frozen=True)
class IncidentRecord:
    id: int
    group_key: str
    alertname: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    fingerprints: tuple[str, ...]
    started_at: datetime
    detected_at: datetime
    resolved_at: datetime | None
    repository: str | None
    issue_number: int | None


@dataclass(frozen=True)
class IncidentEvent:
    at: datetime
    kind: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class TrendAlertRecord:
    """A monitor's trend alert: when its issue opened, when the monitor was first seen past its
    threshold while it was open, and when the bot closed it (None: still open)."""

    id: int
    repository_id: int
    key: str
    monitor: str
    service: str | None
    issue_number: int
    opened_at: datetime
    breached_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class NewCiRun:
    """One attempt of a CI workflow run, as the `workflow_run` delivery describes it."""

    run_id: int
    attempt: int
    workflow: str
    head_sha: str
    started_at: datetime
    head_branch: str | None = None
    event: str | None = None
    conclusion: str | None = None


@dataclass(frozen=True)
class CiRunRecord:
    id: int
    repository_id: int
    run_id: int
    attempt: int
    workflow: str
    head_sha: str
    head_branch: str | None
    event: str | None
    conclusion: str | None
    started_at: datetime


@dataclass(frozen=True)
class CiArtifactRecord:
    id: int
    ci_run_id: int
    artifact_id: int
    name: str
    status: str
    """`read`, or why not: `missing`, `corrupt`, `refused` (over a bound)."""
    reason: str | None
    reports: int


class StoredResult(NamedTuple):
    """One test's result in one JUnit report (the fields of `app.flaky.junit.CaseResult`)."""

    id: str
    file: str | None
    line: int | None
    outcome: str
    duration: float
    message: str


@dataclass(frozen=True)
class StoredReport:
    """One JUnit file of a run attempt's artifact, with its results."""

    run: CiRunRecord
    artifact: str
    member: str
    results: tuple[StoredResult, ...]
