"""A version change of one declared dependency: the detail shared by dependency-update and
security findings, and how its edits and numbers are computed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from app.config import UpdateType
from app.index.model import Project, Release
from app.manifests import rewrite_hashes, rewrite_specifier
from app.manifests.base import Dependency
from app.model import Edit
from app.versions import allows, update_type

if TYPE_CHECKING:
    from app.apidiff.impact import Impact

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Update:
    package: str
    from_version: str | None
    from_spec: str
    to_version: str
    to_spec: str
    update_type: UpdateType
    manifest: str
    line: int
    releases_behind: int
    days_behind: int | None
    released: datetime | None
    development: bool
    group: str | None
    impact: Impact | None = None
    """What the new version changes in the repository's code (`app.apidiff`), when assessed."""

    @property
    def libyears(self) -> float:
        return round((self.days_behind or 0) / DAYS_PER_YEAR, 2)

    @property
    def from_label(self) -> str:
        return self.from_version or self.from_spec or "any version"

    def to_json(self) -> Mapping[str, Any]:
        document: dict[str, Any] = {"updates": [self.as_json()]}
        if self.impact is not None:
            document.update(self.impact.to_json())
        return document

    def as_json(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "from": self.from_label,
            "to": self.to_version,
            "update_type": self.update_type.value,
            "manifest": self.manifest,
            "line": self.line,
            "from_specifier": self.from_spec,
            "to_specifier": self.to_spec,
            "releases_behind": self.releases_behind,
            "days_behind": self.days_behind,
            "libyears": self.libyears,
            "development": self.development,
        }


def wants_prereleases(dependency: Dependency) -> bool:
    """Pre-releases are candidates only when the declared specifier names one."""
    for clause in dependency.specifier:
        try:
            if Version(clause.version.removesuffix(".*")).is_prerelease:
                return True
        except InvalidVersion:
            continue
    return False


@dataclass(frozen=True)
class Releases:
    """A project's releases as a dependency may use them (stable unless the spec is a pre)."""

    project: Project
    python: str
    prereleases: bool

    def usable(self) -> Iterator[Release]:
        for release in self.project.releases:
            if release.yanked or not release.supports_python(self.python):
                continue
            if release.version.is_prerelease and not self.prereleases:
                continue
            yield release

    def newest_allowed(self, dependency: Dependency) -> Release | None:
        allowed = [r for r in self.usable() if allows(dependency, r.version)]
        return allowed[-1] if allowed else None


def baseline(dependency: Dependency, releases: Releases) -> Release | None:
    """The release the dependency resolves to today: its pin, or the newest its range allows."""
    pinned = dependency.pinned_version
    if pinned is not None:
        return releases.project.release(pinned)
    return releases.newest_allowed(dependency)


def make_update(
    dependency: Dependency,
    current: Release | None,
    target: Release,
    new_spec: str,
    releases: Releases,
) -> Update:
    old_version = dependency.pinned_version or (current.version if current else None)
    newer = [
        r
        for r in releases.usable()
        if (old_version is None or r.version > old_version) and r.version <= target.version
    ]
    days = None
    if current is not None and current.upload_time and target.upload_time:
        days = max((target.upload_time - current.upload_time).days, 0)
    return Update(
        package=dependency.name,
        from_version=str(dependency.pinned_version) if dependency.pinned_version else None,
        from_spec=dependency.spec_text,
        to_version=str(target.version),
        to_spec=new_spec,
        update_type=update_type(old_version or Version("0"), target.version),
        manifest=dependency.manifest,
        line=dependency.line,
        releases_behind=len(newer),
        days_behind=days,
        released=target.upload_time,
        development=dependency.development,
        group=dependency.group,
    )


class MissingDigest(ValueError):
    pass


def update_edits(dependency: Dependency, target: Release, new_spec: str) -> tuple[Edit, ...]:
    """The specifier edit, plus new ``--hash`` options when the line carries hashes."""
    edits = [rewrite_specifier(dependency, new_spec)]
    if dependency.hashes is not None:
        algorithm = dependency.hashes.algorithm
        if algorithm != "sha256" or not target.sha256:
            raise MissingDigest(
                f"the index gives no {algorithm} digests for {dependency.name} "
                f"{target.version}; cannot rewrite its --hash lines"
            )
        hash_edit = rewrite_hashes(dependency, target.sha256)
        if hash_edit is not None:
            edits.append(hash_edit)
    return tuple(edits)
