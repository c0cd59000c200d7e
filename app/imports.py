"""Which files import which top-level modules, found statically with `ast` (never by running
the repository's code), and the import names a distribution is likely to provide."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable

from app.import_resolution import top_level_modules
from app.snapshot import Snapshot

# Distributions whose import name is not their project name (the common cases).
KNOWN_IMPORT_NAMES: dict[str, tuple[str, ...]] = {
    "pyyaml": ("yaml",),
    "beautifulsoup4": ("bs4",),
    "pillow": ("PIL",),
    "scikit-learn": ("sklearn",),
    "python-dateutil": ("dateutil",),
    "opencv-python": ("cv2",),
    "pyjwt": ("jwt",),
    "protobuf": ("google.protobuf", "google"),
    "msgpack-python": ("msgpack",),
    "python-dotenv": ("dotenv",),
    "attrs": ("attr", "attrs"),
    "pyzmq": ("zmq",),
    "gitpython": ("git",),
    "pymysql": ("pymysql",),
    "psycopg2-binary": ("psycopg2",),
    "types-pyyaml": (),
    "typing-extensions": ("typing_extensions",),
    "setuptools": ("setuptools", "pkg_resources"),
}


def import_names(distribution: str) -> tuple[str, ...]:
    known = KNOWN_IMPORT_NAMES.get(distribution)
    if known is not None:
        return known
    return (distribution.replace("-", "_").replace(".", "_"),)


def imported_modules(source: str) -> set[str]:
    """Top-level module names imported by a module (absolute imports only)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return top_level_modules(tree)


class ImportCounts:
    """How many Python files of a snapshot import each top-level module."""

    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts

    @classmethod
    def of(cls, snapshot: Snapshot, paths: Iterable[str] | None = None) -> ImportCounts:
        counts: Counter[str] = Counter()
        for path in paths if paths is not None else snapshot.python_files():
            try:
                counts.update(imported_modules(snapshot.read_text(path)))
            except (OSError, UnicodeDecodeError):
                continue
        return cls(counts)

    def files_importing(self, distribution: str) -> int:
        names = {name.split(".")[0] for name in import_names(distribution)}
        lowered = {n.lower() for n in names}
        return max(
            (count for module, count in self.counts.items() if module.lower() in lowered),
            default=0,
        )
