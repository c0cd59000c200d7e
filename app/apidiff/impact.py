"""What a version change does to this repository: the API changes its code touches (with call
sites), the migration that rides along, and the release notes.

`assess` is the pure part (an API diff, references, a migration → an `Impact`);
`ImpactAssessor` fetches what it needs through the distribution adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from app.apidiff.api import ApiChange, ApiDiff, ChangeKind
from app.apidiff.callsites import Reference, ReferenceIndex
from app.apidiff.differ import ApiDiffer, Uncompared
from app.apidiff.distributions import DistributionError, Distributions
from app.apidiff.migration import Migration, crossing_rules, migrate
from app.imports import import_names
from app.model import RiskFactor
from app.releasenotes import ReleaseNotes, release_notes

MAX_ALIAS_HOPS = 8


@dataclass(frozen=True)
class CallSite:
    file: str
    line: int
    rewritten_by: str | None = None
    """The migration rule that rewrote this line in the same PR, if any."""


@dataclass(frozen=True)
class Breaking:
    symbol: str
    change: ApiChange
    call_sites: tuple[CallSite, ...]

    @property
    def removal(self) -> bool:
        return self.change.kind.breaks_code

    @property
    def open_sites(self) -> tuple[CallSite, ...]:
        return tuple(s for s in self.call_sites if s.rewritten_by is None)

    def to_json(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "change": self.change.describe(),
            "call_sites": [
                {"file": s.file, "line": s.line, "rewritten_by": s.rewritten_by}
                for s in self.call_sites
            ],
        }


@dataclass(frozen=True)
class Impact:
    from_version: str | None
    to_version: str
    breaking: tuple[Breaking, ...] = ()
    other_changes: int = 0
    """API changes of the package that no code of this repository touches."""
    uncompared: str | None = None
    """Why (part of) the API could not be compared; never read as "no breaking changes"."""
    migration: Migration | None = None
    notes: ReleaseNotes | None = None

    def risk_factors(self) -> tuple[RiskFactor, ...]:
        factors = []
        removals = [b for b in self.breaking if b.removal]
        removed_open = len({(s.file, s.line) for b in removals for s in b.open_sites})
        removed_fixed = len(
            {(s.file, s.line) for b in removals for s in b.call_sites if s.rewritten_by}
        )
        if removed_open:
            factors.append(
                RiskFactor(
                    f"{_sites(removed_open)} {'use' if removed_open != 1 else 'uses'} APIs "
                    f"that {self.to_version} removed or changed incompatibly",
                    4,
                )
            )
        if removed_fixed:
            factors.append(
                RiskFactor(
                    f"{_sites(removed_fixed)} rewritten by the migration in this PR: "
                    "review the rewrite",
                    1,
                )
            )
        if self.uncompared:
            factors.append(RiskFactor(f"API not fully compared: {self.uncompared}", 1))
        return tuple(factors)

    def to_json(self) -> dict[str, Any]:
        return {
            "breaking": [b.to_json() for b in self.breaking],
            "api_compared": self.uncompared is None,
            "api_uncompared_reason": self.uncompared,
            "migration": [
                {"rule": r.info.id, "sites": [{"file": s.file, "line": s.line} for s in r.sites]}
                for r in (self.migration.rules if self.migration else ())
            ],
            "release_notes": (
                [s.version for s in self.notes.sections] if self.notes is not None else []
            ),
        }


def _sites(count: int) -> str:
    return f"{count} call site{'s' if count != 1 else ''}"


def canonical(symbol: str, aliases: Mapping[str, str]) -> str:
    """Follow the old version's re-exports (``jinja2.Environment`` → its defining module)."""
    for _ in range(MAX_ALIAS_HOPS):
        parts = symbol.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if prefix in aliases:
                symbol = ".".join([aliases[prefix], *parts[end:]])
                break
        else:
            return symbol
    return symbol


def _touches(change: ApiChange, reference: Reference, names: Iterable[str]) -> bool:
    symbol = change.symbol
    kind = change.kind
    if kind in (
        ChangeKind.REMOVED,
        ChangeKind.DEPRECATED,
        ChangeKind.CHANGED_KIND,
        ChangeKind.BASE_REMOVED,
        ChangeKind.ATTRIBUTE_CHANGED,
        ChangeKind.RETURN_CHANGED_TYPE,
    ):
        return any(n == symbol or n.startswith(symbol + ".") for n in names)
    if not reference.called:
        return False
    target = {n for n in names} | {f"{n}.__init__" for n in names}
    if symbol not in target:
        return False
    if kind is ChangeKind.PARAMETER_REMOVED:
        return change.parameter in reference.keywords
    if kind in (ChangeKind.PARAMETER_ADDED_REQUIRED, ChangeKind.PARAMETER_CHANGED_REQUIRED):
        return change.parameter not in reference.keywords
    if kind is ChangeKind.PARAMETER_CHANGED_DEFAULT:
        return change.parameter not in reference.keywords
    return reference.positional > 0  # moved or re-kinded parameters hit positional calls


def assess(
    diff: ApiDiff | Uncompared,
    references: Sequence[Reference],
    from_version: str | None,
    to_version: str,
    migration: Migration | None = None,
    notes: ReleaseNotes | None = None,
) -> Impact:
    if isinstance(diff, Uncompared):
        return Impact(from_version, to_version, (), 0, diff.reason, migration, notes)
    aliases = dict(diff.aliases)
    # A reference matches by the name the code spells first; through the old version's
    # re-exports only when nothing matched that way (one row per use, not one per alias).
    matched: dict[tuple[str, str], list[Reference]] = {}
    by_raw: set[tuple[int, ChangeKind]] = set()
    for index, reference in enumerate(references):
        for change in diff.changes:
            if _touches(change, reference, (reference.symbol,)):
                matched.setdefault((change.symbol, change.describe()), []).append(reference)
                by_raw.add((index, change.kind))
    for index, reference in enumerate(references):
        resolved = canonical(reference.symbol, aliases)
        if resolved == reference.symbol:
            continue
        for change in diff.changes:
            if (index, change.kind) not in by_raw and _touches(change, reference, (resolved,)):
                matched.setdefault((change.symbol, change.describe()), []).append(reference)
    breaking = []
    untouched = 0
    for change in diff.changes:
        sites = {
            (r.file, r.line): CallSite(
                r.file, r.line, migration.rewrote(r.file, r.line) if migration else None
            )
            for r in matched.get((change.symbol, change.describe()), [])
        }
        if sites:
            ordered = tuple(sorted(sites.values(), key=lambda s: (s.file, s.line)))
            breaking.append(Breaking(change.symbol, change, ordered))
        else:
            untouched += 1
    breaking.sort(key=lambda b: (not b.removal, b.symbol))
    return Impact(
        from_version, to_version, tuple(breaking), untouched, diff.uncompared, migration, notes
    )


@dataclass
class ImpactAssessor:
    """Assesses updates of one scan; diffs and notes are memoized per (package, versions)."""

    distributions: Distributions
    root: Path
    references: ReferenceIndex
    paths: Sequence[str]
    workers: int | None = None
    _diffs: dict[tuple[str, str, str], ApiDiff | Uncompared] = field(default_factory=dict)

    def assess(self, package: str, old: str | None, new: str) -> Impact:
        try:
            old_version = Version(old) if old else None
            Version(new)
        except InvalidVersion:
            return Impact(old, new, uncompared=f"unparsable version {old!r} or {new!r}")
        notes = self._notes(package, old, new)
        if old is None or old_version is None:
            return Impact(
                None,
                new,
                uncompared="no pinned version to compare with",
                notes=notes,
            )
        key = (package, old, new)
        if key not in self._diffs:
            self._diffs[key] = ApiDiffer(self.distributions).diff(package, old, new)
        diff = self._diffs[key]
        roots = diff.modules if isinstance(diff, ApiDiff) and diff.modules else None
        names = roots or tuple(n.split(".")[0] for n in import_names(package))
        rules = crossing_rules(package, old_version, Version(new))
        migration = migrate(self.root, self.paths, rules, self.workers) if rules else None
        return assess(diff, self.references.of(names), old, new, migration, notes)

    def _notes(self, package: str, old: str | None, new: str) -> ReleaseNotes | None:
        """From the wheel's METADATA first (already downloaded), else from the sdist."""
        try:
            wheel = self.distributions.wheel_or_sdist(package, new)
        except DistributionError:
            return None
        notes = release_notes([wheel], old, new)
        if notes.found:
            return notes
        try:
            sdist = self.distributions.sdist(package, new)
        except DistributionError:
            return notes
        if sdist is None or sdist == wheel:
            return notes
        found = release_notes([sdist], old, new)
        return (
            found
            if found.found
            else replace(notes, changelog_url=notes.changelog_url or found.changelog_url)
        )
