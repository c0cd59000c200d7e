"""SQLAlchemy 2 tables of the service state. Changes here need an Alembic revision."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so it stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


When = UTCDateTime()


class InstallationRow(Base):
    __tablename__ = "installations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    account_login: Mapped[str] = mapped_column(String(255))
    account_type: Mapped[str] = mapped_column(String(32))
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(When)
    updated_at: Mapped[datetime] = mapped_column(When)


class RepositoryRow(Base):
    __tablename__ = "repositories"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    installation_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("installations.id", ondelete="SET NULL"), index=True
    )
    full_name: Mapped[str] = mapped_column(String(255), unique=True)
    default_branch: Mapped[str] = mapped_column(String(255), default="main")
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_scan_at: Mapped[datetime | None] = mapped_column(When)
    last_security_scan_at: Mapped[datetime | None] = mapped_column(When)
    last_report_at: Mapped[datetime | None] = mapped_column(When)  # the weekly report issue
    last_trends_at: Mapped[datetime | None] = mapped_column(When)  # production trends read
    config_json: Mapped[str | None] = mapped_column(Text)
    config_sha: Mapped[str | None] = mapped_column(String(64))
    config_error: Mapped[str | None] = mapped_column(Text)
    config_error_sha: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(When)
    updated_at: Mapped[datetime] = mapped_column(When)


class DeliveryRow(Base):
    __tablename__ = "deliveries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event: Mapped[str] = mapped_column(String(64))
    action: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(When, index=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    repository: Mapped[str | None] = mapped_column(String(255))
    delivery_id: Mapped[str | None] = mapped_column(String(64))
    args: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(When)
    updated_at: Mapped[datetime] = mapped_column(When)


class LockRow(Base):
    __tablename__ = "locks"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime] = mapped_column(When)


class ProposalRow(Base):
    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("repository_id", "branch", name="uq_proposals_branch"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repositories.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    branch: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(255), default="")
    pr_number: Mapped[int | None] = mapped_column(Integer)
    head_sha: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    ci_result: Mapped[str | None] = mapped_column(String(32))
    ci_sha: Mapped[str | None] = mapped_column(String(64))
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    stop_notice_posted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(When)
    updated_at: Mapped[datetime] = mapped_column(When)
    opened_at: Mapped[datetime | None] = mapped_column(When)
    closed_at: Mapped[datetime | None] = mapped_column(When)


class IgnoreRow(Base):
    __tablename__ = "ignore_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repositories.id", ondelete="CASCADE"), index=True
    )
    dependency: Mapped[str] = mapped_column(String(255))
    versions: Mapped[str] = mapped_column(Text, default="[]")
    update_types: Mapped[str] = mapped_column(Text, default="[]")
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(When)
    pr_number: Mapped[int | None] = mapped_column(Integer)  # the PR whose comment made it


class ProposalChangeRow(Base):
    """One package a proposal moves, from and to which version (for ignores and rejections)."""

    __tablename__ = "proposal_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    package: Mapped[str] = mapped_column(String(255))
    from_version: Mapped[str | None] = mapped_column(String(64))
    to_version: Mapped[str] = mapped_column(String(64))
    update_type: Mapped[str | None] = mapped_column(String(16))


class PullLifecycleRow(Base):
    """What happened in a bot PR's conversation: merge requests, human commits at the end."""

    __tablename__ = "pull_lifecycle"

    proposal_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    merge_requested_by: Mapped[str | None] = mapped_column(String(255))
    merge_requested_at: Mapped[datetime | None] = mapped_column(When)
    merged_by_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    human_commits: Mapped[int | None] = mapped_column(Integer)  # counted when it closed


class HandledCommentRow(Base):
    """A comment whose commands ran: a redelivered or retried event runs them only once."""

    __tablename__ = "handled_comments"

    comment_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    repository_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repositories.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(255))
    handled_at: Mapped[datetime] = mapped_column(When)


class IncidentRow(Base):
    """One occurrence of an alert group firing, from its first notification to resolution."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_key: Mapped[str] = mapped_column(String(1024), index=True)
    alertname: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # firing | resolved
    labels: Mapped[str] = mapped_column(Text, default="{}")  # the group's common labels
    annotations: Mapped[str] = mapped_column(Text, default="{}")
    fingerprints: Mapped[str] = mapped_column(Text, default="[]")  # every alert seen
    started_at: Mapped[datetime] = mapped_column(When)  # the earliest startsAt
    detected_at: Mapped[datetime] = mapped_column(When)  # when the first notification came
    resolved_at: Mapped[datetime | None] = mapped_column(When)
    repository: Mapped[str | None] = mapped_column(String(255))  # where its issue lives
    issue_number: Mapped[int | None] = mapped_column(Integer)


class IncidentEventRow(Base):
    """The incident's timeline: notifications, triage, runbook steps, comments, resolution."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(When)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="{}")


class StepClaimRow(Base):
    """A runbook step run claimed before it runs: one row per (incident, step, trigger), so of
    two jobs of one incident running at once only the one whose insert wins runs the step."""

    __tablename__ = "step_claims"
    __table_args__ = (
        UniqueConstraint("incident_id", "step", "trigger", name="uq_step_claims_run"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("incidents.id", ondelete="CASCADE")
    )
    step: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(When)


class BotIssueRow(Base):
    """An issue the bot keeps in place (the weekly report, a tracking issue), by its key."""

    __tablename__ = "bot_issues"
    __table_args__ = (UniqueConstraint("repository_id", "key", name="uq_bot_issues_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repositories.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(128))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(When)
    updated_at: Mapped[datetime] = mapped_column(When)


class TrendAlertRow(Base):
    """One trend alert: a monitor's "Trend alert" issue from its opening to its closing by the
    bot (what `maintainer stats` counts as predictions, and as incidents prevented)."""

    __tablename__ = "trend_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repositories.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(128))
    monitor: Mapped[str] = mapped_column(String(255))
    service: Mapped[str | None] = mapped_column(String(255))
    issue_number: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(When)
    breached_at: Mapped[datetime | None] = mapped_column(When)  # first seen past the threshold
    closed_at: Mapped[datetime | None] = mapped_column(When)


class HealthSampleRow(Base):
    """One health sample of a repository and day (the App's history; the CLI keeps its own)."""

    __tablename__ = "health_samples"

    repository_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    commit_sha: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[str] = mapped_column(Text)
    components: Mapped[str] = mapped_column(Text)
    violations: Mapped[str] = mapped_column(Text)
    items: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(When)


class CiRunRow(Base):
    """One attempt of a CI workflow run whose artifacts were collected (flaky tests, #14)."""

    __tablename__ = "ci_runs"
    __table_args__ = (
        UniqueConstraint("repository_id", "run_id", "attempt", name="uq_ci_runs_attempt"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repositories.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int] = mapped_column(BigInteger)
    attempt: Mapped[int] = mapped_column(Integer)
    workflow: Mapped[str] = mapped_column(String(255))
    head_sha: Mapped[str] = mapped_column(String(64), index=True)
    head_branch: Mapped[str | None] = mapped_column(String(255))
    event: Mapped[str | None] = mapped_column(String(64))
    conclusion: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(When, index=True)
    collected_at: Mapped[datetime] = mapped_column(When)


class CiArtifactRow(Base):
    """An artifact of a run attempt, read or not, and why not (missing, corrupt, too large)."""

    __tablename__ = "ci_artifacts"
    __table_args__ = (
        UniqueConstraint("repository_id", "artifact_id", name="uq_ci_artifacts_artifact"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repositories.id", ondelete="CASCADE"), index=True
    )
    ci_run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ci_runs.id", ondelete="CASCADE"), index=True
    )
    artifact_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # read, missing, corrupt, refused
    reason: Mapped[str | None] = mapped_column(Text)
    reports: Mapped[int] = mapped_column(Integer, default=0)


class CiReportRow(Base):
    """One JUnit file read from an artifact: one run of the suite, for detection."""

    __tablename__ = "test_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ci_artifact_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ci_artifacts.id", ondelete="CASCADE"), index=True
    )
    member: Mapped[str] = mapped_column(Text)
    tests: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)


class CiResultRow(Base):
    __tablename__ = "test_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("test_reports.id", ondelete="CASCADE"), index=True
    )
    test_id: Mapped[str] = mapped_column(Text)
    file: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    duration: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")
