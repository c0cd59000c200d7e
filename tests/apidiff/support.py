"""Small wheels built in a test, for API diffs of code written in the test itself."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from app.apidiff import archives
from app.apidiff.api import Unpacked, top_level_names


def wheel(directory: Path, name: str, version: str, files: Mapping[str, str | bytes]) -> Path:
    path = directory / f"{name}-{version}-py3-none-any.whl"
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in files.items():
            archive.writestr(member, content)
        metadata = f"{name}-{version}.dist-info/METADATA"
        if metadata not in files:
            archive.writestr(metadata, f"Name: {name}\n")
    return path


def unpacked(path: Path, target: Path) -> Unpacked:
    found = archives.members(path)
    root = archives.unpack_sources(path, target)
    return Unpacked(root, tuple(found), top_level_names(found, None))
