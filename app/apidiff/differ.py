"""Compare two released versions of a distribution: download (or reuse) both files, unpack
their sources, compare with griffe, and keep the result by the two files' digests."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from app.apidiff import archives
from app.apidiff.api import ApiDiff, Unpacked, compare, top_level_names
from app.apidiff.distributions import DistributionError, Distributions

DIFF_FORMAT = "apidiff-v1"


@dataclass(frozen=True)
class Uncompared:
    """Why two versions could not be compared at all."""

    reason: str


class ApiDiffer:
    def __init__(self, distributions: Distributions) -> None:
        self.distributions = distributions
        self.root = distributions.cache_dir

    def diff(self, name: str, old: str, new: str) -> ApiDiff | Uncompared:
        try:
            before = self.distributions.wheel_or_sdist(name, old)
            after = self.distributions.wheel_or_sdist(name, new)
        except DistributionError as exc:
            return Uncompared(str(exc))
        key = _key(before, after)
        cached = self._cached(key)
        if cached is not None:
            return cached
        try:
            result = compare(self._unpacked(before), self._unpacked(after))
        except archives.ArchiveError as exc:
            return Uncompared(str(exc))
        self._store(key, result)
        return result

    def _unpacked(self, path: Path) -> Unpacked:
        found = archives.members(path)
        declared = None
        for member in found:
            parts = member.name.split("/")
            if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "top_level.txt":
                data = archives.read_member(path, member.name, limit=64 * 1024)
                declared = data.decode("utf-8", "replace") if data else None
        digest = path.parent.name
        root = archives.unpack_sources(path, self.root / "sources" / digest[:2] / digest)
        return Unpacked(root, tuple(found), top_level_names(found, declared))

    def _path(self, key: str) -> Path:
        return self.root / "diffs" / key[:2] / f"{key}.json"

    def _cached(self, key: str) -> ApiDiff | None:
        try:
            return ApiDiff.from_json(json.loads(self._path(key).read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _store(self, key: str, result: ApiDiff) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(result.to_json(), stream)
        os.replace(temporary, path)


def _key(before: Path, after: Path) -> str:
    """The files' digests (their cache folders), griffe's version and this code's format."""
    version = metadata.version("griffe")
    text = f"{DIFF_FORMAT}:{version}:{_code_digest()}:{before.parent.name}:{after.parent.name}"
    return hashlib.sha256(text.encode()).hexdigest()


def _code_digest() -> str:
    api = Path(__file__).with_name("api.py")
    return hashlib.sha256(api.read_bytes()).hexdigest()[:12]
