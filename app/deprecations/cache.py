"""On-disk cache of per-file codemod results, keyed by content hash and rule-set version.

It lives where the caller says (`app.caches`), never in the scanned repository. Entries are
JSON files written atomically; a corrupt entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from codemods.base import Hit


@dataclass(frozen=True)
class Entry:
    hits: tuple[Hit, ...]
    outputs: dict[str, str]
    errors: tuple[tuple[int | None, str], ...]
    parsed: bool = False
    """Whether libcst parsed the file (the ast pre-filter may have settled it)."""


def key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class ResultCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, cache_key: str) -> Path:
        return self.directory / cache_key[:2] / f"{cache_key}.json"

    def get(self, cache_key: str) -> Entry | None:
        try:
            data = json.loads(self._path(cache_key).read_text(encoding="utf-8"))
            return Entry(
                hits=tuple(Hit(h[0], int(h[1]), h[2], h[3], h[4]) for h in data["hits"]),
                outputs={str(k): str(v) for k, v in data["outputs"].items()},
                errors=tuple((e[0], str(e[1])) for e in data["errors"]),
                parsed=bool(data.get("parsed", False)),
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def put(self, cache_key: str, entry: Entry) -> None:
        path = self._path(cache_key)
        data = {
            "hits": [[h.rule_id, h.line, h.before, h.after, h.advice] for h in entry.hits],
            "outputs": entry.outputs,
            "errors": [list(e) for e in entry.errors],
            "parsed": entry.parsed,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream)
            os.replace(temporary, path)
        except OSError:
            return  # a cache that cannot be written only costs speed
