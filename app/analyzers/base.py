"""The analyzer interface and the context every analyzer receives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from app.caches import Caches
from app.config import RepoConfig
from app.imports import ImportCounts
from app.manifests.base import ManifestParse
from app.model import Finding, Kind, Progress, ScanError, no_progress
from app.parsed import ParsedModules
from app.snapshot import Snapshot

if TYPE_CHECKING:
    from app.apidiff.distributions import Distributions
    from app.deadcode.history import GitHistory
    from app.index.model import PackageIndex
    from app.security.source import AdvisorySource


@dataclass(frozen=True)
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScanContext:
    """Everything an analyzer may look at. I/O happens only through the adapters in here."""

    snapshot: Snapshot
    config: RepoConfig
    manifests: tuple[ManifestParse, ...]
    target_python: str
    now: datetime
    adapters: Adapters
    progress: Progress = no_progress
    parsed: ParsedModules = field(default_factory=ParsedModules)
    """Each file's `ast`, parsed once for every analyzer of this scan."""

    @cached_property
    def import_counts(self) -> ImportCounts:
        """Which files import which modules: parsed once per scan, shared by the analyzers."""
        return ImportCounts.of(self.snapshot)


@dataclass(frozen=True)
class Adapters:
    """Outside services, passed in so tests can hand in local servers or recording fakes.

    Each analyzer declares which adapter it needs and reports an error when it is missing.
    """

    index: PackageIndex | None = None
    advisories: AdvisorySource | None = None
    history: GitHistory | None = None
    distributions: Distributions | None = None
    """Distribution files for API diffs, migrations and release notes (`app.apidiff`)."""
    caches: Caches = field(default_factory=Caches.for_user)
    """Where analyzers keep what they cache (the App: its data dir; the CLI: the user's)."""


@dataclass(frozen=True)
class Description:
    """How a proposal built from some findings of one analyzer is named."""

    title: str
    slug: str
    commit_message: str


class Analyzer(Protocol):
    """One maintenance kind. The body template is ``templates/<kind>.md.j2``."""

    kind: Kind

    def analyze(self, context: ScanContext) -> Analysis: ...

    def describe(self, findings: Sequence[Finding], group: str | None) -> Description: ...
