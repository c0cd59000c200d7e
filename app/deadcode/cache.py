"""Extracted facts on disk, keyed by content hash, plus one pack per repository.

The pack maps each path to ``(size, mtime_ns, key, facts)``: when a file's size and mtime are
unchanged its facts are trusted without reading it, so a rescan reads one file (the pack) and
only the files that changed. The entries by key serve a file whose text was seen before
(another checkout, a reverted change).
Values are stored with ``marshal`` (plain tuples), which loads several times faster than
pickled dataclasses and cannot run code.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from app import warmth
from app.caches import write_entry
from app.deadcode.facts import Definition, FileFacts, Import, Refs

FORMAT = 9
"""Bump when the extractor, the removal codemod or the stored layout changes: old entries are
then ignored."""

Signature = tuple[int, int, str]
Packed = tuple[int, int, str, Any]
"""``(size, mtime_ns, key, stored facts)`` of one path in a repository's pack."""


class TextFacts(NamedTuple):
    """Identifier tokens of a configuration file or template, or of Python that could not be
    parsed (then ``problem`` says why, and is reported on every scan, cached or not)."""

    tokens: tuple[str, ...]
    problem: str = ""
    line: int = 0


def content_key(data: bytes, salt: str) -> str:
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(f"\0{salt}\0{FORMAT}\0{sys.version_info[:2]}".encode())
    return digest.hexdigest()


class FactsCache:
    """A directory of ``<key>.bin`` entries; every read or write failure is a cache miss."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _entry(self, key: str) -> Path:
        return self.directory / "facts" / key[:2] / f"{key}.bin"

    def load(self, key: str) -> Any:
        try:
            return marshal.loads(self._entry(key).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def store_encoded(self, key: str, data: bytes) -> None:
        write_entry(self._entry(key), data)

    def load_edit(self, key: str) -> tuple[bool, str] | None:
        """A removal made before from the same text and targets: ``(done, text or why not)``."""
        try:
            value = marshal.loads(self._edit_entry(key).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
            return bool(value[0]), value[1]
        return None

    def store_edit(self, key: str, done: bool, text: str) -> None:
        write_entry(self._edit_entry(key), marshal.dumps((done, text)))

    def _edit_entry(self, key: str) -> Path:
        return self.directory / "edits" / key[:2] / f"{key}.bin"

    def load_blame(self, key: str) -> Any:
        """A file's blame stored before (`app.deadcode.history`), or ``None``."""
        try:
            return marshal.loads(self._blame_entry(key).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def store_blame(self, key: str, value: Any) -> None:
        write_entry(self._blame_entry(key), marshal.dumps(value))

    def _blame_entry(self, key: str) -> Path:
        return self.directory / "blames" / key[:2] / f"{key}.bin"

    def pack(self, root: Path) -> FactsPack:
        """The repository's pack: entries not in the expected shape are left out. The resident
        process keeps it loaded and decoded between scans (`app.warmth`)."""
        path = str(self._pack_path(root))
        warmth.want("dead-code-pack", path)
        kept = warmth.recall(path)
        if isinstance(kept, FactsPack):
            return kept
        return FactsPack(_read_pack(path), {})

    def save_pack(self, root: Path, entries: dict[str, Packed]) -> None:
        write_entry(self._pack_path(root), marshal.dumps(entries))

    def _pack_path(self, root: Path) -> Path:
        return self.directory / "packs" / f"{_root_name(root)}-{FORMAT}.bin"

    def links(self, root: Path, version: str) -> Any:
        """The repository's reference graph edges from its last scan (`app.deadcode.links`);
        kept loaded by the resident process between scans (`app.warmth`)."""
        path = str(self._links_path(root, version))
        warmth.want("dead-code-links", path)
        kept = warmth.recall(path)
        return kept if kept is not None else _read_links(path)

    def save_links(self, root: Path, version: str, value: Any) -> None:
        write_entry(self._links_path(root, version), marshal.dumps(value))

    def _links_path(self, root: Path, version: str) -> Path:
        return self.directory / "links" / f"{_root_name(root)}-{FORMAT}-{version}.bin"


class FactsPack(NamedTuple):
    """A repository's pack: ``entries`` by path, and the facts of those entries already
    decoded by path (all of them when the resident process kept the pack, else none)."""

    entries: dict[str, Packed]
    decoded: dict[str, FileFacts | TextFacts]


EMPTY_PACK = FactsPack({}, {})


def _read_pack(path: str) -> dict[str, Packed]:
    try:
        with open(path, "rb") as handle:
            loaded = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {
        path: entry
        for path, entry in loaded.items()
        if isinstance(entry, tuple) and len(entry) == 4
    }


DECODED_PER_STEP = 256
"""Entries `load_pack` decodes per step: a few milliseconds, so that the resident process
takes a new command between two steps without a wait anyone would notice."""


def load_pack(path: str) -> Iterator[FactsPack | None]:
    """A pack read, then its entries decoded a step at a time into ``decoded``: what the
    resident process keeps between scans (`app.warmth`)."""
    entries = _read_pack(path)
    if not entries:
        yield None
        return
    pack = FactsPack(entries, {})
    yield pack
    names = list(entries)
    for start in range(0, len(names), DECODED_PER_STEP):
        for name in names[start : start + DECODED_PER_STEP]:
            value = decode(entries[name][3])
            if value is not None:
                pack.decoded[name] = value
        yield pack


def load_links(path: str) -> Iterator[Any]:
    """The kept edges of a repository, for the resident process to keep (`app.warmth`)."""
    yield _read_links(path)


def _read_links(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            return marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _root_name(root: Path) -> str:
    return hashlib.blake2b(str(root.resolve()).encode(), digest_size=12).hexdigest()


# marshal layout ---------------------------------------------------------------------------


def _refs_out(refs: Refs) -> tuple[Any, ...]:
    return tuple(refs)


def encode_facts(facts: FileFacts) -> bytes:
    definitions = tuple(
        (
            d.name,
            d.kind,
            d.line,
            d.first_line,
            d.end_line,
            d.parent,
            d.decorators,
            d.bases,
            int(d.flags),
            _refs_out(d.refs),
            d.scope,
            d.metaclass,
        )
        for d in facts.definitions
    )
    imports: Any = tuple((*i[:5], int(i.flags)) for i in facts.imports)
    return marshal.dumps(
        (
            "py",
            facts.path,
            facts.module,
            facts.is_package,
            facts.lines,
            definitions,
            imports,
            _refs_out(facts.body),
            facts.strings,
            facts.prefixes,
            facts.dunder_all,
            facts.main_guard,
            facts.side_effects,
            facts.import_prefixes,
            facts.dynamic_getattr,
            facts.new_syntax,
        )
    )


def encode_text(text: TextFacts) -> bytes:
    return marshal.dumps(("text", *text))


def decode(value: Any) -> FileFacts | TextFacts | None:
    """The stored value back as facts; ``None`` when it is not in the expected layout."""
    try:
        if value[0] == "text":
            return TextFacts(*value[1:])
        (_, path, module, is_package, lines, definitions, imports, body, strings, prefixes,
         dunder_all, main_guard, side_effects, import_prefixes, dynamic_getattr,
         new_syntax) = value  # fmt: skip
        return FileFacts(
            path=path,
            module=module,
            is_package=is_package,
            lines=lines,
            definitions=tuple(
                Definition(
                    d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], Refs(*d[9]), d[10], d[11]
                )
                for d in definitions
            ),
            imports=tuple(Import(*i) for i in imports),
            body=Refs(*body),
            strings=strings,
            prefixes=prefixes,
            dunder_all=dunder_all,
            main_guard=main_guard,
            side_effects=side_effects,
            import_prefixes=import_prefixes,
            dynamic_getattr=dynamic_getattr,
            new_syntax=new_syntax,
        )
    except (TypeError, ValueError, IndexError):
        return None
