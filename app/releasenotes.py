"""Release notes between two versions, from the new version's own files (no other network):
the changelog in its sdist (``CHANGES*``, ``CHANGELOG*``, ``HISTORY*``, ``NEWS*``,
``docs/changelog*``, ``docs/changes*``), else the long description in its METADATA when that
holds the changelog. Sections are cut at version headings (Markdown ``#`` headings or
reStructuredText underlined titles); the ones after the old version up to the new one are kept.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path

from packaging.version import InvalidVersion, Version

from app.apidiff import archives

MAX_NOTES_CHARS = 20_000
MAX_CHANGELOG_BYTES = 2 * 1024 * 1024
_NAMES = re.compile(r"^(?:docs?/)?(changes|changelog|history|news|release[-_ ]?notes)[^/]*$", re.I)
_SUFFIXES = (".md", ".rst", ".txt", ".markdown", "")
_VERSION = re.compile(r"(?<![\w.])v?(\d+(?:\.\d+){1,3}(?:(?:a|b|rc|\.post|\.dev)\d+)?)(?![\w])")
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
_MD_HEADING = re.compile(r"^#{1,4}\s+\S")
_MENTION = re.compile(r"(?<![\w`])@(?=[A-Za-z0-9])")


@dataclass(frozen=True)
class Section:
    version: str
    text: str


@dataclass(frozen=True)
class ReleaseNotes:
    source: str | None
    """The file the notes came from (``CHANGES.rst`` or ``METADATA``); ``None``: not found."""
    sections: tuple[Section, ...]
    changelog_url: str | None
    cut: bool = False

    @property
    def found(self) -> bool:
        return bool(self.sections)


def _candidates(members: Sequence[archives.Member]) -> list[str]:
    found = []
    for member in members:
        name = member.name
        if name.count("/") > 1 or not _NAMES.match(name):
            continue
        if not name.lower().endswith(_SUFFIXES) and "." in name.rsplit("/", 1)[-1]:
            continue
        found.append(name)
    return sorted(found, key=lambda n: (n.count("/"), n))


@dataclass(frozen=True)
class Documents:
    """The texts of one archive that may hold release notes, and its changelog URL."""

    texts: tuple[tuple[str, str], ...]
    changelog_url: str | None


def documents(path: Path) -> Documents:
    """Read once per archive (tarballs are read sequentially), then kept next to it."""
    cached = path.with_name(path.name + ".notes.json")
    try:
        data = json.loads(cached.read_text("utf-8"))
        return Documents(tuple((n, t) for n, t in data["texts"]), data["changelog_url"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = archives.members(path)
    wanted = set(_candidates(found))
    meta_name = _metadata_name(found)
    if meta_name:
        wanted.add(meta_name)
    raw = archives.read_members(path, wanted.__contains__, MAX_CHANGELOG_BYTES)
    texts = [(n, raw[n].decode("utf-8", "replace")) for n in _candidates(found) if n in raw]
    url = None
    if meta_name and meta_name in raw:
        head, _, body = raw[meta_name].partition(b"\n\n")
        url = _changelog_url(head)
        texts.append(("METADATA", body.decode("utf-8", "replace")))
    result = Documents(tuple(texts), url)
    with contextlib.suppress(OSError):  # a read-only cache only costs the next scan time
        cached.write_text(json.dumps({"texts": texts, "changelog_url": url}), "utf-8")
    return result


def release_notes(paths: Sequence[Path], old: str | None, new: str) -> ReleaseNotes:
    """Notes for versions in ``(old, new]`` from the first archive that has them."""
    url = None
    for path in paths:
        try:
            found = documents(path)
        except archives.ArchiveError:
            continue
        url = url or found.changelog_url
        for name, text in found.texts:
            sections = select(split_sections(text), old, new)
            if sections:
                kept, cut = _bounded(sections)
                return ReleaseNotes(name, kept, url, cut)
    return ReleaseNotes(None, (), url)


def _metadata_name(found: Sequence[archives.Member]) -> str | None:
    for member in found:
        parts = member.name.split("/")
        if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
            return member.name
        if member.name == "PKG-INFO":
            return member.name
    return None


def _changelog_url(metadata: bytes) -> str | None:
    headers = BytesHeaderParser().parsebytes(metadata)
    for value in headers.get_all("Project-URL") or []:
        label, _, url = str(value).partition(",")
        url = url.strip()
        words = label.strip().lower()
        if url.startswith("https://") and any(w in words for w in ("change", "release", "history")):
            return url
    return None


def split_sections(text: str) -> list[Section]:
    """The text cut at every heading that names a version (first version in the heading)."""
    lines = text.splitlines()
    starts: list[tuple[int, str, str]] = []
    for index, line in enumerate(lines):
        heading = None
        if _MD_HEADING.match(line):
            heading = line.lstrip("#").strip()
        elif (
            index + 1 < len(lines)
            and line.strip()
            and _UNDERLINE.match(lines[index + 1])
            and len(lines[index + 1].strip()) >= len(line.strip()) * 0.6
        ):
            heading = line.strip()
        if heading is None:
            continue
        match = _VERSION.search(heading)
        if match is None:
            continue
        starts.append((index, match.group(1), heading))
    sections = []
    for number, (index, version, heading) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        skip = 1 if _MD_HEADING.match(lines[index]) else 2
        body = "\n".join(lines[index + skip : end]).strip("\n")
        sections.append(Section(version, f"### {heading}\n\n{body}".rstrip()))
    return sections


def select(sections: Sequence[Section], old: str | None, new: str) -> list[Section]:
    try:
        upper = Version(new)
        lower = Version(old) if old else None
    except InvalidVersion:
        return []
    kept = []
    seen = set()
    for section in sections:
        try:
            version = Version(section.version)
        except InvalidVersion:
            continue
        if version in seen or version > upper or (lower is not None and version <= lower):
            continue
        seen.add(version)
        kept.append(section)
    return sorted(kept, key=lambda s: Version(s.version), reverse=True)


def _bounded(sections: Sequence[Section]) -> tuple[tuple[Section, ...], bool]:
    kept = []
    used = 0
    for section in sections:
        text = _MENTION.sub("@\u200b", section.text).replace("</details>", "&lt;/details&gt;")
        if used + len(text) > MAX_NOTES_CHARS:
            room = MAX_NOTES_CHARS - used
            if room > 200:
                kept.append(Section(section.version, text[:room].rsplit("\n", 1)[0]))
            return tuple(kept), True
        kept.append(Section(section.version, text))
        used += len(text)
    return tuple(kept), False
