"""Cache files the resident process keeps loaded between the commands it runs.

A command run by the resident process (`app.resident`) is a fork of it: what the resident
process holds in memory, the command has too, for free. A cache reader that loads a large
file asks `recall` first and names the file with `want`. When the command has ended, the
resident process loads each wanted file itself with that reader's loader (`LOADERS`, by
name: nothing else can be asked for), and the next command recalls the value instead of
reading and decoding the file again.

A value is recalled only while its file is the one it was loaded from: same inode, size and
modification time (cache files are replaced whole, by a rename). Users of a recalled value
never change it. In a process of its own `recall` always misses, and what was wanted is
forgotten with the process unless it hands the list to the resident process.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from importlib import import_module

LOADERS = {
    "dead-code-pack": "app.deadcode.cache:load_pack",
    "dead-code-links": "app.deadcode.cache:load_links",
}
"""Loader name → ``module:function``. The function takes a path and returns an iterator: the
value to keep comes first (``None`` when the file cannot be used); each further step
completes it a little more, in place (say, decodes the next entries), so that the resident
process can take a command between two steps and fork it with the value as far as it got."""
KEPT_FILES = 4
"""At most this many files are kept (two repositories' dead-code pack and edges); the oldest
goes first."""

Identity = tuple[int, int, int]

_kept: dict[str, tuple[Identity, object]] = {}
_wanted: dict[str, str] = {}


def _identity(path: str) -> Identity | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def recall(path: str) -> object | None:
    """The value kept for ``path`` while the file is unchanged, else ``None``."""
    entry = _kept.get(path)
    if entry is None or _identity(path) != entry[0]:
        return None
    return entry[1]


def want(loader: str, path: str) -> None:
    """Note that this command read ``path`` with ``loader``: worth keeping for the next one."""
    if loader not in LOADERS:
        raise ValueError(f"unknown loader {loader!r}")
    _wanted[path] = loader


def wanted() -> list[tuple[str, str]]:
    """``(loader, path)`` of every file this process noted, in the order first noted."""
    return [(loader, path) for path, loader in _wanted.items()]


def keep(loader: str, path: str) -> Iterator[None]:
    """Load ``path`` with ``loader`` and keep it, in steps (in the resident process, between
    commands): the value is kept from the first step on and completed by the later ones.
    Nothing is kept when the loader is unknown, the file is not a regular file or cannot be
    used, or it changed while it was read."""
    if loader not in LOADERS or not os.path.isabs(path):
        return
    before = _identity(path)
    if before is None:
        _kept.pop(path, None)
        return
    if path in _kept and _kept[path][0] == before:
        return
    module, _, name = LOADERS[loader].partition(":")
    steps: Iterator[object] = getattr(import_module(module), name)(path)
    value = next(steps, None)
    if value is None or _identity(path) != before:
        return
    _kept.pop(path, None)
    _kept[path] = (before, value)
    while len(_kept) > KEPT_FILES:
        del _kept[next(iter(_kept))]
    for _ in steps:
        yield


def kept_files() -> int:
    return len(_kept)
