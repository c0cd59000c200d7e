"""The plain values a command is decided on: who asks, about which PR, under which policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from app.config import IgnoreRule, MergeSettings
from app.model import Change


class Permission(StrEnum):
    """A collaborator's role on the repository, as GitHub names it."""

    NONE = "none"
    READ = "read"
    TRIAGE = "triage"
    WRITE = "write"
    MAINTAIN = "maintain"
    ADMIN = "admin"

    @property
    def may_act(self) -> bool:
        return self in (Permission.WRITE, Permission.MAINTAIN, Permission.ADMIN)

    @classmethod
    def parse(cls, text: str | None) -> Permission:
        try:
            return cls((text or "none").lower())
        except ValueError:
            return cls.NONE


class PullState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # closed without merging
    MERGED = "merged"


@dataclass(frozen=True)
class Checks:
    """The head commit's CI (the bot's own `maintainer/` runs excluded), by run name."""

    passed: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()

    @property
    def green(self) -> bool:
        return bool(self.passed) and not self.pending and not self.failing


@dataclass(frozen=True)
class IgnoreView:
    """One ignore as `show ignores` lists it."""

    package: str
    versions: tuple[str, ...]
    update_types: tuple[str, ...]
    source: str  # "comment" (stored) or ".maintainer.yml"
    created_by: str | None = None
    created_at: datetime | None = None
    pr_number: int | None = None
    reason: str | None = None

    @classmethod
    def of(
        cls,
        rule: IgnoreRule,
        source: str,
        *,
        created_by: str | None = None,
        created_at: datetime | None = None,
        pr_number: int | None = None,
    ) -> IgnoreView:
        """The view of a rule, wherever it was written (a comment or the config file)."""
        return cls(
            rule.dependency,
            tuple(rule.versions),
            tuple(u.value for u in rule.update_types),
            source,
            created_by,
            created_at,
            pr_number,
            rule.reason,
        )

    @property
    def scope(self) -> str:
        parts = [*self.versions, *(f"{u} updates" for u in self.update_types)]
        return ", ".join(parts) if parts else "every version"


@dataclass(frozen=True)
class Situation:
    """Everything `decide` needs; the edge gathers it from GitHub, the store and the config."""

    actor: str
    permission: Permission
    app_slug: str
    number: int
    on_pull: bool  # False for a plain issue
    bot_pull: bool  # the PR is one of the bot's
    state: PullState = PullState.OPEN
    kind: str | None = None
    branch: str | None = None
    base: str = "main"
    changes: tuple[Change, ...] = ()
    human_commits: tuple[str, ...] = ()  # short shas of commits on the branch not by the bot
    human_commits_reviewed: bool = False  # an approving review covers the current head
    checks: Checks = field(default_factory=Checks)
    merge: MergeSettings = field(default_factory=MergeSettings)
    merge_requested_by: str | None = None
    ignores: tuple[IgnoreView, ...] = ()
    ci_result: str | None = None
    report_issue: bool = False  # the plain issue is the bot's weekly "Maintenance report"
    incident: int | None = None  # the plain issue is the bot's issue of this incident
    runbook_steps: tuple[str, ...] = ()  # the steps of that incident's runbook
    runbook_problem: str | None = None  # why the incident has no usable runbook

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(sorted({c.package for c in self.changes}))

    def change_of(self, package: str) -> Change | None:
        wanted = package.lower()
        return next((c for c in self.changes if c.package.lower() == wanted), None)
