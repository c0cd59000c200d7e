"""What a security finding carries: the fix as a dependency update, and the advisories it fixes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.config import UpdateType
from app.security.advisory import Advisory
from app.security.severity import severity_text
from app.updates import Update


def advisory_json(advisory: Advisory) -> dict[str, Any]:
    return {
        "id": advisory.id,
        "aliases": list(advisory.aliases),
        "package": advisory.package,
        "fix_versions": [str(v) for v in advisory.fix_versions],
    }


@dataclass(frozen=True)
class AdvisoryRow:
    """One row of the advisories table in a security PR body."""

    id: str
    aliases: tuple[str, ...]
    package: str
    summary: str
    affected: str
    fixed_in: str
    severity: str | None
    url: str

    @classmethod
    def of(cls, advisory: Advisory) -> AdvisoryRow:
        fixes = ", ".join(str(v) for v in advisory.fix_versions)
        return cls(
            id=advisory.id,
            aliases=advisory.aliases,
            package=advisory.package,
            summary=advisory.summary,
            affected=advisory.affected_text(),
            fixed_in=fixes or "no fix listed",
            severity=severity_text(advisory),
            url=advisory.url,
        )


@dataclass(frozen=True)
class SecurityFix:
    """A vulnerable dependency moved to its smallest fixed release.

    Exposes ``package``, ``to_version``, ``update_type``, ``released`` and ``development`` so the
    planner's ignore rules and groups treat it like any version change.
    """

    update: Update
    audited_version: str
    advisories: tuple[Advisory, ...]

    @property
    def package(self) -> str:
        return self.update.package

    @property
    def to_version(self) -> str:
        return self.update.to_version

    @property
    def update_type(self) -> UpdateType:
        return self.update.update_type

    @property
    def released(self) -> datetime | None:
        return self.update.released

    @property
    def development(self) -> bool:
        return self.update.development

    @property
    def libyears(self) -> float:
        return self.update.libyears

    @property
    def headline(self) -> str:
        """``jinja2 2.10``: equal for the same version pinned in several manifests."""
        return f"{self.package} {self.audited_version}"

    @property
    def rows(self) -> list[AdvisoryRow]:
        return [AdvisoryRow.of(a) for a in self.advisories]

    def to_json(self) -> Mapping[str, Any]:
        impact = self.update.impact
        return {
            "updates": [self.update.as_json()],
            "advisories": [advisory_json(a) for a in self.advisories],
            **(impact.to_json() if impact is not None else {}),
        }


@dataclass(frozen=True)
class Unfixable:
    """A vulnerable dependency without a release that fixes every advisory: reported, no PR."""

    package: str
    version: str
    manifest: str
    line: int
    reason: str
    advisories: tuple[Advisory, ...]

    def to_json(self) -> Mapping[str, Any]:
        return {
            "unfixable": [
                {
                    "package": self.package,
                    "version": self.version,
                    "manifest": self.manifest,
                    "line": self.line,
                    "reason": self.reason,
                }
            ],
            "advisories": [advisory_json(a) for a in self.advisories],
        }


def advisory_ids(advisories: Sequence[Advisory]) -> str:
    return ", ".join(a.id for a in advisories)
