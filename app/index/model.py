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
class Release:
    """One version of a project, summarised from its files.

    ``upload_time`` is the earliest file's, ``yanked`` means every file is yanked, and
    ``sha256`` lists the digests of all its files (what ``--hash`` lines pin).
    """

    version: Version
    upload_time: datetime | None = None
    yanked: bool = False
    requires_python: str | None = None
    sha256: tuple[str, ...] = ()

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
