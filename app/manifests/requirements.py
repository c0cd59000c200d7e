"""pip requirements files (`requirements*.txt`, `*.in`): comments, options, includes, hashes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.manifests.base import (
    Dependency,
    HashBlock,
    ManifestFormat,
    ManifestParse,
    canonical,
    line_of,
)
from app.manifests.specs import RequirementSyntaxError, locate_requirement
from app.model import ScanError

_COMMENT = re.compile(r"(^|\s+)#.*$")
_OPTION = re.compile(r"(^|\s)--?[A-Za-z]")
_HASH = re.compile(r"--hash[=\s]+(?P<algo>[A-Za-z0-9]+):(?P<digest>[0-9A-Fa-f]+)")
_INCLUDE = re.compile(r"^\s*(-r|--requirement|-c|--constraint)[=\s]+(?P<path>\S+)")
_DEV_HINTS = ("dev", "test", "lint", "doc", "ci", "type")


@dataclass(frozen=True)
class LogicalLine:
    """A requirement line with its continuations; offsets index the whole file."""

    start: int
    end: int
    first_line_end: int


def logical_lines(text: str) -> Iterator[LogicalLine]:
    position = 0
    length = len(text)
    while position < length:
        start = position
        first_end: int | None = None
        while True:
            newline = text.find("\n", position)
            line_end = length if newline == -1 else newline
            if first_end is None:
                first_end = line_end
            physical = text[position:line_end].rstrip("\r")
            position = line_end + 1
            if not physical.endswith("\\") or position >= length:
                break
        yield LogicalLine(start, min(line_end, length), first_end)


def parse_requirements(path: str, text: str) -> ManifestParse:
    result = ManifestParse(path=path)
    development = any(hint in path.rsplit("/", 1)[-1].lower() for hint in _DEV_HINTS)
    for logical in logical_lines(text):
        first = _COMMENT.sub("", text[logical.start : logical.first_line_end].rstrip("\r"))
        stripped = first.strip().rstrip("\\").strip()
        if not stripped or stripped.startswith("-"):
            continue
        try:
            dependency = _dependency(path, text, logical, first, development)
        except RequirementSyntaxError as exc:
            line = line_of(text, logical.start)
            result.errors.append(ScanError(path, line, f"invalid requirement: {exc}"))
            continue
        if dependency is not None:
            result.dependencies.append(dependency)
    return result


def includes(text: str) -> list[str]:
    """Files named by ``-r``/``-c`` lines, relative to the including file."""
    found = []
    for raw in text.splitlines():
        match = _INCLUDE.match(_COMMENT.sub("", raw))
        if match:
            found.append(match.group("path"))
    return found


def _dependency(
    path: str, text: str, logical: LogicalLine, first: str, development: bool
) -> Dependency | None:
    option = _OPTION.search(first, 1)
    requirement_text = first[: option.start()] if option else first
    requirement_text = requirement_text.rstrip().rstrip("\\").rstrip()
    leading = len(requirement_text) - len(requirement_text.lstrip())
    located = locate_requirement(requirement_text.strip())
    if located is None:
        return None
    requirement = located.requirement
    return Dependency(
        name=canonical(requirement.name),
        raw_name=requirement.name,
        spec_text=located.spec_text,
        spec_offset=logical.start + leading + located.spec_start,
        manifest=path,
        line=line_of(text, logical.start),
        development=development,
        extras=tuple(sorted(requirement.extras)),
        marker=str(requirement.marker) if requirement.marker else None,
        hashes=_hash_block(text, logical),
        specifier=requirement.specifier,
    )


def _hash_block(text: str, logical: LogicalLine) -> HashBlock | None:
    matches = list(_HASH.finditer(text, logical.start, logical.end))
    if not matches:
        return None
    start, end = matches[0].start(), matches[-1].end()
    separator = text[matches[0].end() : matches[1].start()] if len(matches) > 1 else " \\\n    "
    return HashBlock(start, text[start:end], separator, matches[0].group("algo"))


FORMAT = ManifestFormat(
    name="requirements",
    patterns=("*requirements*.txt", "*Requirements*.txt", "**/requirements/*.txt", "*.in"),
    read=parse_requirements,
    excluded=("MANIFEST.in", "manifest.in"),
    follows_includes=True,
)
