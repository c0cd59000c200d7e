"""The one interface the security analyzer audits through, and the values it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from packaging.version import Version

from app.model import Unaudited
from app.security.advisory import Advisory


@dataclass(frozen=True, order=True)
class PackageVersion:
    """A canonical package name and one exact version to audit."""

    name: str
    version: Version


@dataclass(frozen=True)
class PackageAudit:
    """An audited package version and the advisories that affect it (empty: none known)."""

    package: PackageVersion
    advisories: tuple[Advisory, ...]


@dataclass(frozen=True)
class SourceWarning:
    """A problem of the advisory source itself, such as an unparsable record."""

    file: str
    line: int | None
    message: str


@dataclass(frozen=True)
class AuditReport:
    """Every requested package is either audited or unaudited, never silently dropped."""

    audited: tuple[PackageAudit, ...] = ()
    unaudited: tuple[Unaudited, ...] = ()
    warnings: tuple[SourceWarning, ...] = field(default=())

    def advisories_of(self, package: PackageVersion) -> tuple[Advisory, ...] | None:
        for audit in self.audited:
            if audit.package == package:
                return audit.advisories
        return None


class AdvisorySource(Protocol):
    """Where known vulnerabilities come from: an OSV directory, or pip-audit and its service."""

    @property
    def description(self) -> str: ...

    def audit(self, packages: Sequence[PackageVersion]) -> AuditReport: ...
