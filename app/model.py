"""The values that flow through the pipeline: edits, findings, proposals, errors.

Everything here is frozen and free of I/O so analyzers, the planner and the composers can be
tested with plain values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` during long work."""


def no_progress(stage: str, done: int, total: int) -> None:
    return None


class Kind(StrEnum):
    DEPENDENCY_UPDATE = "dependency-update"
    SECURITY = "security"
    DEPRECATION = "deprecation"
    DEAD_CODE = "dead-code"
    FLAKY_TEST = "flaky-test"
    PERFORMANCE = "performance"
    LOCK_FILE_MAINTENANCE = "lock-file-maintenance"
    INCIDENT_REPORT = "incident-report"
    """A post-incident report (`app.incidents.postmortem`): no analyzer, never scanned for."""


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` at character ``offset`` of ``path`` by ``new``.

    ``new=None`` with ``offset=0`` and ``old`` the whole text deletes the file. Several edits of
    one file compose as long as their spans do not overlap.
    """

    path: str
    offset: int
    old: str
    new: str | None

    @property
    def end(self) -> int:
        return self.offset + len(self.old)

    @property
    def deletes_file(self) -> bool:
        return self.new is None

    @classmethod
    def replace_file(cls, path: str, old_text: str, new_text: str) -> Edit:
        return cls(path=path, offset=0, old=old_text, new=new_text)

    @classmethod
    def create_file(cls, path: str, text: str) -> Edit:
        """A new file (the composer refuses it if ``path`` exists and is not empty)."""
        return cls(path=path, offset=0, old="", new=text)

    @classmethod
    def delete_file(cls, path: str, old_text: str) -> Edit:
        return cls(path=path, offset=0, old=old_text, new=None)


class EditConflict(Exception):
    """Edits that overlap, or that no longer match the file they were computed from."""


def apply_edits(text: str, edits: Iterable[Edit]) -> str | None:
    """Apply the edits of one file; ``None`` means the file is deleted."""
    ordered = sorted(edits, key=lambda e: e.offset, reverse=True)
    if any(e.deletes_file for e in ordered):
        if len(ordered) != 1 or ordered[0].old != text:
            raise EditConflict(f"{ordered[0].path}: a file deletion cannot combine with edits")
        return None
    result = text
    limit = len(text) + 1
    for edit in ordered:
        if edit.end > limit:
            raise EditConflict(f"{edit.path}: overlapping edits at offset {edit.offset}")
        if result[edit.offset : edit.end] != edit.old:
            raise EditConflict(f"{edit.path}: the file changed since it was analyzed")
        assert edit.new is not None
        result = result[: edit.offset] + edit.new + result[edit.end :]
        limit = edit.offset
    return result


def edits_by_path(edits: Iterable[Edit]) -> dict[str, list[Edit]]:
    grouped: dict[str, list[Edit]] = {}
    for edit in edits:
        grouped.setdefault(edit.path, []).append(edit)
    return grouped


class Detail(Protocol):
    """Kind-specific facts of a finding; ``to_json`` feeds ``scan --format json``."""

    def to_json(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class RiskFactor:
    """One reason a change may break something; ``weight`` 0 is informational."""

    text: str
    weight: int = 1


@dataclass(frozen=True)
class Risk:
    level: RiskLevel
    factors: tuple[RiskFactor, ...]

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level.value, "factors": [f.text for f in self.factors]}


@dataclass(frozen=True)
class Finding:
    """Something an analyzer found, optionally with the edits that fix it.

    Findings sharing a ``subject`` are alternatives (say, the candidate versions of one
    dependency, best first); the planner picks the first that its policy allows. Chosen findings
    sharing a ``batch`` go into one proposal (the planner may regroup them by config groups).
    A finding without edits is reported in the scan output but never becomes a proposal.

    ``build`` is for edits that are costly to make (removing code from many files): the finding
    stands for its edits until the planner admits its batch, and only then is built (see
    `Finding.proposable` and `planner`). A finding that has neither edits nor ``build`` is only
    reported.
    """

    kind: Kind
    subject: str
    summary: str
    detail: Detail
    edits: tuple[Edit, ...] = ()
    risk_factors: tuple[RiskFactor, ...] = ()
    labels: tuple[str, ...] = ()
    batch: str = ""
    build: Callable[[], Finding] | None = field(default=None, compare=False, repr=False)
    """Returns this finding with its edits made; raises `EditsUnavailable` when they cannot be."""

    @property
    def batch_key(self) -> str:
        return self.batch or self.subject

    @property
    def proposable(self) -> bool:
        """Has edits, or will have them once built."""
        return bool(self.edits) or self.build is not None


class EditsUnavailable(Exception):
    """A finding's edits could not be built (the message says why): its batch is held back."""


@dataclass(frozen=True)
class ScanError:
    """A problem the user should see; the rest of the scan goes on."""

    file: str
    line: int | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Proposal:
    """One draft pull request: what it changes, why, how risky, how to undo it."""

    id: str
    kind: Kind
    title: str
    branch: str
    findings: tuple[Finding, ...]
    risk: Risk
    labels: tuple[str, ...]
    body: str
    commit_message: str

    @property
    def edits(self) -> tuple[Edit, ...]:
        return tuple(edit for finding in self.findings for edit in finding.edits)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({edit.path for edit in self.edits}))


@dataclass(frozen=True)
class Change:
    """One package a bot PR moves (dependency updates and security fixes)."""

    package: str
    from_version: str | None
    to_version: str
    update_type: str | None


@dataclass(frozen=True)
class Unaudited:
    """A dependency whose vulnerabilities could not be checked: never to be reported as safe."""

    package: str
    version: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"package": self.package, "version": self.version, "reason": self.reason}

    @property
    def label(self) -> str:
        return f"{self.package} {self.version}" if self.version else self.package


def unaudited_by_reason(unaudited: Iterable[Unaudited]) -> list[tuple[str, list[Unaudited]]]:
    """Unaudited dependencies grouped by reason (an unreachable service is one reason for
    all of them), reasons in order of first appearance, packages sorted by name."""
    groups: dict[str, list[Unaudited]] = {}
    for item in unaudited:
        groups.setdefault(item.reason, []).append(item)
    return [
        (reason, sorted(items, key=lambda u: (u.package, u.version or "")))
        for reason, items in groups.items()
    ]


@dataclass(frozen=True)
class Deferred:
    """A finding or batch the policy held back, and the reason shown to the user."""

    subject: str
    reason: str


@dataclass
class ScanResult:
    repository: str
    proposals: list[Proposal] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deferred: list[Deferred] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unaudited: list[Unaudited] = field(default_factory=list)
