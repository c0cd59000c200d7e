"""Turn a PEP 691 project page (JSON, with PEP 700 fields) into a `Project`, and a `Project`
into the compact form the cache keeps.

Large projects list tens of thousands of files, so versions come from cheap filename splits
(parsed once per distinct version) and upload times are parsed once per release.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from packaging.version import InvalidVersion, Version

from app.index.model import Project, Release

COMPACT_FORMAT = "maintainer-bot/compact-v1"


class IndexFormatError(ValueError):
    pass


def parse_project(name: str, body: bytes, base_url: str = "") -> Project:
    document = _load(body)
    if document.get("format") == COMPACT_FORMAT:
        return _from_compact(document)
    if not isinstance(document.get("files"), list):
        raise IndexFormatError("no 'files' list in the project page")
    grouped: dict[str, _Summary] = {}
    for entry in document["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            raise IndexFormatError("a file entry has no filename")
        version = version_text(entry["filename"])
        if version is not None:
            grouped.setdefault(version, _Summary()).add(entry)
    releases = []
    for text, summary in grouped.items():
        try:
            releases.append(summary.release(Version(text)))
        except InvalidVersion:
            continue
    releases.sort(key=lambda r: r.version)
    return Project(name=str(document.get("name", name)), releases=tuple(releases))


class _Summary:
    """Accumulates a release's files with as little work per file as possible."""

    __slots__ = ("all_yanked", "earliest", "requires_python", "sha256")

    def __init__(self) -> None:
        self.earliest: str | None = None
        self.all_yanked = True
        self.requires_python: str | None = None
        self.sha256: list[str] = []

    def add(self, entry: dict[str, Any]) -> None:
        uploaded = entry.get("upload-time")
        if isinstance(uploaded, str) and (self.earliest is None or uploaded < self.earliest):
            self.earliest = uploaded
        if not entry.get("yanked"):
            self.all_yanked = False
        if self.requires_python is None and entry.get("requires-python"):
            self.requires_python = str(entry["requires-python"])
        digest = (entry.get("hashes") or {}).get("sha256")
        if digest:
            self.sha256.append(str(digest))

    def release(self, version: Version) -> Release:
        return Release(
            version=version,
            upload_time=_time(self.earliest),
            yanked=self.all_yanked,
            requires_python=self.requires_python,
            sha256=tuple(self.sha256),
        )


def _load(body: bytes) -> dict[str, Any]:
    try:
        document = orjson.loads(body)
    except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexFormatError(f"not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise IndexFormatError("the project page is not a JSON object")
    return document


def version_text(filename: str) -> str | None:
    """The version part of a wheel or sdist file name, without full validation."""
    if filename.endswith(".whl"):
        parts = filename.split("-")
        return parts[1] if len(parts) >= 5 else None
    for suffix in (".tar.gz", ".zip", ".tar.bz2"):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return stem.rsplit("-", 1)[1] if "-" in stem else None
    return None


def version_of(filename: str) -> Version | None:
    text = version_text(filename)
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def to_compact(project: Project) -> bytes:
    """What the cache keeps: only what the analyzers use, a fraction of the page's size."""
    releases = [
        [
            str(r.version),
            r.upload_time.isoformat() if r.upload_time else None,
            r.yanked,
            r.requires_python,
            list(r.sha256),
        ]
        for r in project.releases
    ]
    document = {"format": COMPACT_FORMAT, "name": project.name, "releases": releases}
    return orjson.dumps(document)


def _from_compact(document: dict[str, Any]) -> Project:
    releases = tuple(
        Release(
            version=Version(version),
            upload_time=datetime.fromisoformat(uploaded) if uploaded else None,
            yanked=yanked,
            requires_python=requires_python,
            sha256=tuple(sha256),
        )
        for version, uploaded, yanked, requires_python, sha256 in document["releases"]
    )
    return Project(name=document["name"], releases=releases)
