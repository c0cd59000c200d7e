"""Release data as the analyzers see it, independent of how it was fetched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from app.model import Progress


class IndexUnavailable(Exception):
    """The index could not be reached or answered something that is not an index response."""


@dataclass(frozen=True)
class DistFile:
    filename: str
    url: str
    hashes: tuple[tuple[str, str], ...]
    requires_python: str | None
    yanked: bool
    upload_time: datetime | None

    def digest(self, algorithm: str) -> str | None:
        return dict(self.hashes).get(algorithm)


@dataclass(frozen=True)
class Release:
    version: Version
    files: tuple[DistFile, ...]

    @property
    def upload_time(self) -> datetime | None:
        times = [f.upload_time for f in self.files if f.upload_time is not None]
        return min(times) if times else None

    @property
    def yanked(self) -> bool:
        return bool(self.files) and all(f.yanked for f in self.files)

    @property
    def requires_python(self) -> str | None:
        for file in self.files:
            if file.requires_python:
                return file.requires_python
        return None

    def supports_python(self, python: str) -> bool:
        """Whether the release declares support for this Python (no declaration: yes)."""
        declared = self.requires_python
        if not declared:
            return True
        try:
            return SpecifierSet(declared).contains(Version(python), prereleases=True)
        except InvalidSpecifier:
            return True


@dataclass(frozen=True)
class Project:
    name: str
    releases: tuple[Release, ...]

    def release(self, version: Version) -> Release | None:
        for release in self.releases:
            if release.version == version:
                return release
        return None


@dataclass(frozen=True)
class LookupFailure:
    """A project the index could not give (not found, or a per-project error)."""

    name: str
    message: str


class PackageIndex(Protocol):
    def fetch(
        self, names: Sequence[str], progress: Progress
    ) -> dict[str, Project | LookupFailure]: ...
