"""What every manifest format yields: dependencies with the exact span of their specifier."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from app.globs import matches_any
from app.manifests.specs import LocatedRequirement
from app.model import ScanError


class SpecStyle(StrEnum):
    PEP440 = "pep440"
    POETRY = "poetry"


@dataclass(frozen=True)
class HashBlock:
    """The ``--hash`` options of a requirements line: their span and the text between them."""

    offset: int
    text: str
    separator: str
    algorithm: str


@dataclass(frozen=True)
class Dependency:
    """One declared dependency, located in its manifest down to the specifier's characters.

    ``spec_offset``/``spec_text`` cover exactly the version specifier (for example ``==2.19.0``
    or ``^2.28``); rewriting those characters and nothing else keeps the file's formatting.
    """

    name: str
    raw_name: str
    spec_text: str
    spec_offset: int
    manifest: str
    line: int
    style: SpecStyle = SpecStyle.PEP440
    group: str | None = None
    development: bool = False
    extras: tuple[str, ...] = ()
    marker: str | None = None
    hashes: HashBlock | None = None
    specifier: SpecifierSet = field(default_factory=SpecifierSet, compare=False)

    @property
    def pinned_version(self) -> Version | None:
        """The version when the specifier is exactly one ``==`` or ``===`` pin."""
        specs = list(self.specifier)
        if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
            try:
                return Version(specs[0].version)
            except ValueError:
                return None
        return None

    @property
    def located(self) -> str:
        return f"{self.manifest}:{self.line}"


def canonical(name: str) -> str:
    return str(canonicalize_name(name))


def pep508_dependency(
    located: LocatedRequirement,
    *,
    manifest: str,
    start: int,
    line: int,
    group: str | None = None,
    development: bool = False,
) -> Dependency:
    """The dependency a PEP 508 string declares, its text starting at offset ``start``."""
    requirement = located.requirement
    return Dependency(
        name=canonical(requirement.name),
        raw_name=requirement.name,
        spec_text=located.spec_text,
        spec_offset=start + located.spec_start,
        manifest=manifest,
        line=line,
        group=group,
        development=development,
        extras=tuple(sorted(requirement.extras)),
        marker=str(requirement.marker) if requirement.marker else None,
        specifier=requirement.specifier,
    )


@dataclass
class ManifestParse:
    """Dependencies read from one manifest, plus the problems met on the way."""

    path: str
    dependencies: list[Dependency] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    requires_python: str | None = None
    is_library: bool = False


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


@dataclass(frozen=True)
class ManifestFormat:
    """One manifest format: the files it owns (globs over repository paths) and its reader.

    The one answer to "which files are manifests": discovery and the push filter ask these.
    """

    name: str
    patterns: tuple[str, ...]
    read: Callable[[str, str], ManifestParse]
    excluded: tuple[str, ...] = ()
    follows_includes: bool = False

    def owns(self, path: str) -> bool:
        return matches_any(path, self.patterns) and not matches_any(path, self.excluded)


_PYTHON_CLASSIFIER = re.compile(r"^Programming Language :: Python :: (\d+)\.(\d+)\s*$")


def python_floor_from_classifiers(classifiers: Sequence[str]) -> str | None:
    """``>=X.Y`` for the oldest ``Programming Language :: Python :: X.Y`` classifier, if any:
    what a project without ``python_requires`` says it supports."""
    versions = []
    for classifier in classifiers:
        found = _PYTHON_CLASSIFIER.match(classifier)
        if found:
            versions.append((int(found.group(1)), int(found.group(2))))
    if not versions:
        return None
    major, minor = min(versions)
    return f">={major}.{minor}"
