"""Dependency staleness at a date: days behind and libyears per dependency, from upload times.

For each declared dependency, the release in use is its pin (or, for a range, the newest
release the range allows); the newest release is the newest the index had published by that
date for the target Python (not yanked, no pre-releases unless the specifier names one).
Days behind = upload time of the newest minus that of the one in use; libyears = days / 365.25.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from packaging.version import Version

from app.index.model import LookupFailure, Project
from app.manifests.base import Dependency, ManifestParse
from app.updates import DAYS_PER_YEAR, Releases, baseline, wants_prereleases


@dataclass(frozen=True)
class DependencyStaleness:
    name: str
    manifest: str
    line: int
    in_use: str
    newest: str
    days_behind: int | None
    """``None`` when an upload time is unknown."""
    major_behind: bool

    @property
    def outdated(self) -> bool:
        return Version(self.newest) > Version(self.in_use)

    @property
    def libyears(self) -> float:
        return (self.days_behind or 0) / DAYS_PER_YEAR


@dataclass(frozen=True)
class Staleness:
    dependencies: tuple[DependencyStaleness, ...]
    unknown: tuple[str, ...]
    """Dependencies the index could not date (not found, no release in use)."""

    @property
    def libyears(self) -> float:
        return round(sum(d.libyears for d in self.dependencies), 2)

    @property
    def mean_days_behind(self) -> float | None:
        days = [d.days_behind for d in self.dependencies if d.days_behind is not None]
        return round(sum(days) / len(days), 1) if days else None

    @property
    def outdated(self) -> int:
        return sum(1 for d in self.dependencies if d.outdated)


def declared(manifests: Iterable[ManifestParse]) -> list[Dependency]:
    """Every declared dependency once (the first declaration of a name in a manifest)."""
    seen: set[tuple[str, str]] = set()
    found: list[Dependency] = []
    for manifest in manifests:
        for dependency in manifest.dependencies:
            key = (manifest.path, dependency.name)
            if key not in seen:
                seen.add(key)
                found.append(dependency)
    return found


def as_of(project: Project, at: datetime) -> Project:
    """The project as the index showed it at ``at`` (releases uploaded by then)."""
    kept = tuple(r for r in project.releases if r.upload_time is None or r.upload_time <= at)
    return replace(project, releases=kept)


def staleness(
    dependencies: Sequence[Dependency],
    projects: Mapping[str, Project | LookupFailure],
    at: datetime,
    python: str,
) -> Staleness:
    rows: list[DependencyStaleness] = []
    unknown: list[str] = []
    for dependency in dependencies:
        project = projects.get(dependency.name)
        if not isinstance(project, Project):
            unknown.append(dependency.name)
            continue
        releases = Releases(as_of(project, at), python, wants_prereleases(dependency))
        current = baseline(dependency, releases)
        newest = max(releases.usable(), key=lambda r: r.version, default=None)
        if current is None or newest is None:
            unknown.append(dependency.name)
            continue
        if newest.version < current.version:
            newest = current
        days = None
        if current.upload_time is not None and newest.upload_time is not None:
            days = max((newest.upload_time - current.upload_time).days, 0)
        rows.append(
            DependencyStaleness(
                name=dependency.name,
                manifest=dependency.manifest,
                line=dependency.line,
                in_use=str(current.version),
                newest=str(newest.version),
                days_behind=days,
                major_behind=newest.version.major > current.version.major,
            )
        )
    return Staleness(tuple(rows), tuple(unknown))
