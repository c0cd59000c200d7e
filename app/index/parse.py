"""Turn a PEP 691 project page (JSON, with PEP 700 fields) into a `Project`."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from app.index.model import DistFile, Project, Release


class IndexFormatError(ValueError):
    pass


def parse_project(name: str, body: bytes, base_url: str = "") -> Project:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexFormatError(f"not JSON ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise IndexFormatError("no 'files' list in the project page")
    by_version: dict[Version, list[DistFile]] = defaultdict(list)
    for entry in document["files"]:
        parsed = _file(entry, base_url)
        if parsed is not None:
            version, dist = parsed
            by_version[version].append(dist)
    releases = tuple(Release(v, tuple(files)) for v, files in sorted(by_version.items()))
    return Project(name=str(document.get("name", name)), releases=releases)


def _file(entry: Any, base_url: str) -> tuple[Version, DistFile] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
        raise IndexFormatError("a file entry has no filename")
    filename: str = entry["filename"]
    version = version_of(filename)
    if version is None:
        return None
    hashes = entry.get("hashes") or {}
    requires_python = entry.get("requires-python") or None
    dist = DistFile(
        filename=filename,
        url=urljoin(base_url, str(entry.get("url", ""))),
        hashes=tuple(sorted((str(k), str(v)) for k, v in hashes.items())),
        requires_python=str(requires_python) if requires_python else None,
        yanked=bool(entry.get("yanked", False)),
        upload_time=_time(entry.get("upload-time")),
    )
    return version, dist


def version_of(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
