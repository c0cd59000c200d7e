"""Advisories as the security analyzer sees them, and how OSV records become advisories.

An OSV record (https://ossf.github.io/osv-schema/) may affect several packages; each affected
PyPI package yields one `Advisory` carrying that package's ECOSYSTEM ranges and explicit version
list, so matching a version never has to look back at the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


class AdvisoryFormatError(ValueError):
    """An OSV record that does not have the shape the schema requires."""


class EventKind(StrEnum):
    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


@dataclass(frozen=True)
class Event:
    """One ECOSYSTEM range event; ``version is None`` is the OSV ``"0"`` (before everything)."""

    kind: EventKind
    version: Version | None

    def sort_key(self) -> tuple[int, Version]:
        # "0" sorts before every real version; at equal versions OSV evaluates in file order.
        return (0, Version("0")) if self.version is None else (1, self.version)


@dataclass(frozen=True)
class VersionRange:
    """An OSV ``ECOSYSTEM`` range: events evaluated in version order, as the OSV spec says."""

    events: tuple[Event, ...]

    def contains(self, version: Version) -> bool:
        affected = False
        for event in sorted(self.events, key=Event.sort_key):
            bound = event.version
            if event.kind is EventKind.INTRODUCED:
                if bound is None or version >= bound:
                    affected = True
            elif bound is None:
                continue
            elif event.kind is EventKind.LAST_AFFECTED:
                if version > bound:
                    affected = False
            elif version >= bound:  # fixed, or limit
                affected = False
        return affected

    @property
    def fixed(self) -> tuple[Version, ...]:
        return tuple(
            e.version for e in self.events if e.kind is EventKind.FIXED and e.version is not None
        )

    def describe(self) -> str:
        """Human text such as ``>= 2.0, < 2.10.1; >= 3.0, <= 3.0.2``."""
        parts: list[str] = []
        current: list[str] = []
        for event in sorted(self.events, key=Event.sort_key):
            if event.kind is EventKind.INTRODUCED:
                if current:
                    parts.append(", ".join(current))
                current = [] if event.version is None else [f">= {event.version}"]
            elif event.kind is EventKind.FIXED or event.kind is EventKind.LIMIT:
                current.append(f"< {event.version}")
                parts.append(", ".join(current))
                current = []
            else:
                current.append(f"<= {event.version}")
                parts.append(", ".join(current))
                current = []
        if current or not parts:
            parts.append(", ".join(current) or "all versions")
        return "; ".join(p or "all versions" for p in parts)


@dataclass(frozen=True)
class Severity:
    """A severity as the record gives it: ``kind`` is ``CVSS_V3``, ``CVSS_V4``, ``GHSA``…"""

    kind: str
    score: str


@dataclass(frozen=True)
class Advisory:
    """One advisory as it applies to one package.

    ``complete`` advisories come from a full OSV record: their ranges say exactly which versions
    are affected. Advisories reported by pip-audit only carry fix versions; for those a version
    counts as fixed when it reaches the first fix above the version pip-audit was asked about
    (``observed``), and callers confirm a chosen fix by auditing it again.
    """

    id: str
    package: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    ranges: tuple[VersionRange, ...] = ()
    versions: frozenset[Version] = frozenset()
    severity: tuple[Severity, ...] = ()
    published: str | None = None
    withdrawn: str | None = None
    complete: bool = True
    reported_fixes: tuple[Version, ...] = ()
    observed: Version | None = None

    @property
    def url(self) -> str:
        if self.id.startswith("GHSA-"):
            return f"https://github.com/advisories/{self.id}"
        return f"https://osv.dev/vulnerability/{self.id}"

    @property
    def fix_versions(self) -> tuple[Version, ...]:
        if not self.complete:
            return tuple(sorted(set(self.reported_fixes)))
        return tuple(sorted({v for r in self.ranges for v in r.fixed}))

    def affects(self, version: Version) -> bool:
        if self.withdrawn is not None:
            return False
        if not self.complete:
            return self._presumed_affected(version)
        return version in self.versions or any(r.contains(version) for r in self.ranges)

    def _presumed_affected(self, version: Version) -> bool:
        floor = self.observed
        later = [f for f in self.reported_fixes if floor is None or f > floor]
        return not later or version < min(later)

    def affected_text(self) -> str:
        if not self.complete:
            fixes = self.fix_versions
            return f"< {fixes[0]}" if fixes else "all known versions"
        if self.ranges:
            return "; ".join(r.describe() for r in self.ranges)
        listed = sorted(self.versions)
        shown = ", ".join(str(v) for v in listed[:5])
        more = f" and {len(listed) - 5} more" if len(listed) > 5 else ""
        return f"{shown}{more}" if listed else "unknown"


def parse_osv(record: Mapping[str, Any]) -> tuple[Advisory, ...]:
    """The advisories of one OSV record: one per affected PyPI package."""
    if not isinstance(record, Mapping):
        raise AdvisoryFormatError("an OSV record must be a mapping")
    advisory_id = _text(record, "id") or ""
    if not advisory_id:
        raise AdvisoryFormatError("the record has no 'id'")
    affected = record.get("affected")
    if not isinstance(affected, list):
        raise AdvisoryFormatError(f"{advisory_id}: 'affected' must be a list")
    aliases = tuple(str(a) for a in _list(record, "aliases"))
    summary = _summary(record)
    severity = tuple(_severities(record))
    published = _text(record, "published")
    withdrawn = _text(record, "withdrawn")
    by_package: dict[str, tuple[list[VersionRange], set[Version]]] = {}
    for entry in affected:
        package = _package(entry, advisory_id)
        if package is None:
            continue
        ranges, versions = by_package.setdefault(package, ([], set()))
        ranges.extend(_ranges(entry, advisory_id))
        versions.update(_versions(entry))
    return tuple(
        Advisory(
            id=advisory_id,
            package=package,
            aliases=aliases,
            summary=summary,
            ranges=tuple(ranges),
            versions=frozenset(versions),
            severity=severity,
            published=published,
            withdrawn=withdrawn,
        )
        for package, (ranges, versions) in by_package.items()
    )


def _package(entry: Any, advisory_id: str) -> str | None:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("package"), Mapping):
        raise AdvisoryFormatError(f"{advisory_id}: each 'affected' entry needs a 'package'")
    package = entry["package"]
    if package.get("ecosystem") != "PyPI":
        return None
    name = package.get("name")
    if not isinstance(name, str) or not name:
        raise AdvisoryFormatError(f"{advisory_id}: affected package without a name")
    return str(canonicalize_name(name))


def _ranges(entry: Mapping[str, Any], advisory_id: str) -> Iterable[VersionRange]:
    for item in _list(entry, "ranges"):
        if not isinstance(item, Mapping) or item.get("type") != "ECOSYSTEM":
            continue  # GIT ranges name commits, which say nothing about PyPI versions.
        events = item.get("events")
        if not isinstance(events, list) or not events:
            raise AdvisoryFormatError(f"{advisory_id}: an ECOSYSTEM range without events")
        yield VersionRange(tuple(_event(e, advisory_id) for e in events))


def _event(raw: Any, advisory_id: str) -> Event:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise AdvisoryFormatError(f"{advisory_id}: a range event must have exactly one key")
    ((key, value),) = raw.items()
    try:
        kind = EventKind(key)
    except ValueError as exc:
        raise AdvisoryFormatError(f"{advisory_id}: unknown range event {key!r}") from exc
    text = str(value)
    if kind is EventKind.INTRODUCED and text == "0":
        return Event(kind, None)
    try:
        return Event(kind, Version(text))
    except InvalidVersion as exc:
        raise AdvisoryFormatError(
            f"{advisory_id}: {key} {text!r} is not a PEP 440 version"
        ) from exc


def _versions(entry: Mapping[str, Any]) -> Iterable[Version]:
    for raw in _list(entry, "versions"):
        try:
            yield Version(str(raw))
        except InvalidVersion:
            continue  # Old uploads with non-PEP 440 versions cannot be installed by pip anyway.


def _severities(record: Mapping[str, Any]) -> Iterable[Severity]:
    for item in _list(record, "severity"):
        if isinstance(item, Mapping) and item.get("type") and item.get("score"):
            yield Severity(str(item["type"]), str(item["score"]))
    specific = record.get("database_specific")
    if isinstance(specific, Mapping) and isinstance(specific.get("severity"), str):
        yield Severity("GHSA", specific["severity"])


def _summary(record: Mapping[str, Any]) -> str:
    text = _text(record, "summary") or _text(record, "details") or ""
    return " ".join(text.split())


def _text(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if not isinstance(value, str | int | float):
        raise AdvisoryFormatError(f"{key!r} must be a string")
    return str(value)


def _list(record: Mapping[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    if value is None or value == "":  # `key:` with nothing after it
        return []
    if not isinstance(value, list):
        raise AdvisoryFormatError(f"{key!r} must be a list")
    return value
