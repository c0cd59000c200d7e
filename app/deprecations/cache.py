"""On-disk cache of per-file codemod results, keyed by content hash and rule-set version.

It lives where the caller says (`app.caches`), never in the scanned repository. Entries are
JSON files written atomically; a corrupt entry is treated as a miss. The pre-filters' verdicts
(`Verdicts`) are one file per rule set: a content neither pre-filter keeps needs no entry.
Beside them, a snapshot of the rule catalog (`codemods.catalog`) lets a run skip importing the
rules when the one shipped with them is stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from codemods.catalog import Catalog, from_json, packaged, registered, ruleset_version, to_json
from codemods.info import Hit


@dataclass(frozen=True)
class Entry:
    hits: tuple[Hit, ...]
    outputs: dict[str, str]
    errors: tuple[tuple[int | None, str], ...]
    parsed: bool = False
    """Whether libcst parsed the file (the ast pre-filter may have settled it)."""


@dataclass(frozen=True)
class Verdicts:
    """What the pre-filters decided for contents seen before, by content digest (for one rule
    set and its facts: the scope)."""

    wanted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The ids of the rules whose text pre-filter wants the content."""
    settled: frozenset[str] = frozenset()
    """Contents in which the ``ast`` pre-filter then found nothing for any of those rules: they
    need no entry of their own (most candidates of a repository without deprecated code)."""


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
        _write(path, data)

    def prefiltered(self, scope: str) -> Verdicts:
        """The pre-filters' verdicts kept for ``scope`` (a rule set and its facts)."""
        try:
            data = json.loads(self._prefilter_path(scope).read_text(encoding="utf-8"))
            wanted = {str(digest): tuple(map(str, ids)) for digest, ids in data["wanted"].items()}
            return Verdicts(wanted, frozenset(map(str, data["settled"])))
        except (OSError, ValueError, AttributeError, TypeError, KeyError):
            return Verdicts()

    def keep_prefiltered(self, scope: str, verdicts: Verdicts) -> None:
        """Keep the verdicts of one run (only the contents it saw: the file stays small)."""
        wanted = {digest: list(ids) for digest, ids in verdicts.wanted.items()}
        _write(self._prefilter_path(scope), {"wanted": wanted, "settled": sorted(verdicts.settled)})

    def _prefilter_path(self, scope: str) -> Path:
        return self.directory / f"prefilter-{scope[:32]}.json"

    def catalog(self) -> Catalog:
        """The rules' metadata: the snapshot shipped with the rules when it is current, else the
        one kept here for this rule-set version, else the rule classes' own (importing them and
        libcst), which is then kept for the next run."""
        shipped = packaged()
        if shipped is not None:
            return shipped
        path = self.directory / f"catalog-{ruleset_version()}.json"
        try:
            kept = from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            kept = None
        if kept is not None:
            return kept
        catalog = registered()
        _write(path, to_json(catalog))
        return catalog


def _write(path: Path, data: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(temporary, path)
    except OSError:
        return  # a cache that cannot be written only costs speed
