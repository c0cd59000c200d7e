"""Test coverage from a coverage.py JSON report (format 3) or a Cobertura ``coverage.xml``.

Both are untrusted files: the size is bounded, the XML may not declare a DTD or entities, and
file names in the report are matched to the repository's own files (a report naming a path
outside the checkout matches nothing). No report means unknown, never 0 %.
"""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MAX_REPORT_BYTES = 50_000_000
REPORT_NAMES = ("coverage.json", "coverage.xml", "cobertura.xml")


class CoverageError(ValueError):
    """A coverage report that cannot be read (bad format, too large, DTD in XML)."""


@dataclass(frozen=True)
class FileCoverage:
    percent: float
    executed: frozenset[int]
    missing: frozenset[int]

    def covers_any(self, first: int, last: int) -> bool:
        return any(first <= line <= last for line in self.executed)

    def measures_any(self, first: int, last: int) -> bool:
        return any(first <= line <= last for line in self.missing) or self.covers_any(first, last)


@dataclass(frozen=True)
class Coverage:
    source: str
    """The report read (repository path)."""
    files: Mapping[str, FileCoverage]
    """By repository path."""
    percent: float

    def of(self, path: str) -> FileCoverage | None:
        return self.files.get(path)


def find_report(files: Sequence[str]) -> str | None:
    """The repository's coverage report: the shallowest file with a known report name."""
    candidates = [p for p in files if posixpath.basename(p) in REPORT_NAMES]
    candidates.sort(key=lambda p: (p.count("/"), REPORT_NAMES.index(posixpath.basename(p)), p))
    return candidates[0] if candidates else None


def parse_report(name: str, data: bytes, known: Iterable[str]) -> Coverage:
    if len(data) > MAX_REPORT_BYTES:
        raise CoverageError(f"{name}: {len(data)} bytes, over {MAX_REPORT_BYTES}")
    matcher = _PathMatcher(known)
    if name.endswith(".json"):
        files = _from_json(name, data, matcher)
    else:
        files = _from_cobertura(name, data, matcher)
    executed = sum(len(f.executed) for f in files.values())
    statements = executed + sum(len(f.missing) for f in files.values())
    percent = 100.0 * executed / statements if statements else 100.0
    return Coverage(name, files, round(percent, 2))


class _PathMatcher:
    """Report file names (relative, absolute, or relative to a source root) → repository paths,
    by the longest matching suffix of path components."""

    def __init__(self, known: Iterable[str]) -> None:
        self.by_base: dict[str, list[str]] = {}
        for path in known:
            self.by_base.setdefault(posixpath.basename(path), []).append(path)

    def match(self, reported: str) -> str | None:
        parts = reported.replace("\\", "/").split("/")
        if ".." in parts:
            return None
        best: str | None = None
        best_len = 0
        for candidate in self.by_base.get(parts[-1], ()):
            own = candidate.split("/")
            length = 0
            while (
                length < len(own) and length < len(parts) and own[-1 - length] == parts[-1 - length]
            ):
                length += 1
            if length > best_len:
                best, best_len = candidate, length
        return best


def _lines(value: object) -> frozenset[int]:
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, int) and not isinstance(v, bool))


def _from_json(name: str, data: bytes, matcher: _PathMatcher) -> dict[str, FileCoverage]:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise CoverageError(f"{name}: not JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("files"), dict):
        raise CoverageError(f"{name}: not a coverage.py JSON report (no 'files' mapping)")
    meta = document.get("meta")
    version = meta.get("format") if isinstance(meta, dict) else None
    if version not in (2, 3):
        raise CoverageError(f"{name}: coverage.py JSON format {version!r}, expected 3")
    files: dict[str, FileCoverage] = {}
    for reported, entry in document["files"].items():
        path = matcher.match(str(reported))
        if path is None or not isinstance(entry, dict):
            continue
        executed = _lines(entry.get("executed_lines"))
        missing = _lines(entry.get("missing_lines"))
        summary = entry.get("summary")
        percent = summary.get("percent_covered") if isinstance(summary, dict) else None
        if not isinstance(percent, (int, float)):
            total = len(executed) + len(missing)
            percent = 100.0 * len(executed) / total if total else 100.0
        files[path] = FileCoverage(round(float(percent), 2), executed, missing)
    return files


def _from_cobertura(name: str, data: bytes, matcher: _PathMatcher) -> dict[str, FileCoverage]:
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise CoverageError(f"{name}: XML with a DTD or entities is not read")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise CoverageError(f"{name}: not XML: {exc}") from exc
    if root.tag != "coverage":
        raise CoverageError(f"{name}: not a Cobertura report (root element <{root.tag}>)")
    executed: dict[str, set[int]] = {}
    missing: dict[str, set[int]] = {}
    for element in root.iter("class"):
        path = matcher.match(element.get("filename", ""))
        if path is None:
            continue
        hit = executed.setdefault(path, set())
        miss = missing.setdefault(path, set())
        for line in element.iter("line"):
            try:
                number = int(line.get("number", ""))
                hits = int(line.get("hits", "0"))
            except ValueError:
                continue
            (hit if hits > 0 else miss).add(number)
    files: dict[str, FileCoverage] = {}
    for path, hit in executed.items():
        miss = missing[path] - hit
        total = len(hit) + len(miss)
        percent = 100.0 * len(hit) / total if total else 100.0
        files[path] = FileCoverage(round(percent, 2), frozenset(hit), frozenset(miss))
    return files
