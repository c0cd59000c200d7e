"""Where caches live: one root per process, one folder in it per kind of cache.

The root is the caller's choice, never an analyzer's: the App puts it in its data dir
(`Settings.cache_root`), the CLI in ``$XDG_CACHE_HOME/maintainer-bot`` (``~/.cache/...``)
unless ``--cache-dir`` (or ``MAINTAINER_CACHE_DIR``) names another. Nothing is ever cached
inside a scanned repository: its checkout, ``.git`` included, belongs to its owner.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])

APP_FOLDER = "maintainer-bot"
CACHE_DIR_ENV = "MAINTAINER_CACHE_DIR"
"""Overrides the CLI's cache root (the ``--cache-dir`` option reads it) and the App's
(`Settings.cache_dir`)."""

INDEX = "index"
"""Package index pages (`app.index.cache.HttpCache`)."""
DISTRIBUTIONS = "distributions"
"""Distribution files and their listings (`app.apidiff.distributions`)."""
DEAD_CODE = "deadcode"
"""Facts extracted per file and removal edits (`app.deadcode.cache.FactsCache`)."""
DEPRECATIONS = "deprecations"
"""Codemod results per file (`app.deprecations.cache.ResultCache`)."""
CONFIG = "config"
"""Validated `.maintainer.yml` configurations by text (`app.config.KeptConfigs`)."""
TEMPLATES = "templates"
"""The PR and issue body templates, compiled (`app.templates.keep_compiled`)."""
HEALTH = "health"
"""The CLI's health samples (`app.health.samples.SampleStore`, ``health.sqlite``)."""


def user_cache_root() -> Path:
    """The CLI's default root: ``$XDG_CACHE_HOME/maintainer-bot``, else ``~/.cache/...``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / APP_FOLDER


def write_entry(path: Path, data: bytes) -> None:
    """Write one cache entry whole or not at all (a temporary file, then a rename); a failure
    to write is ignored: the entry is then a miss next time."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)


@dataclass(frozen=True)
class Caches:
    """The cache root handed to whatever caches (analyzers, the index client, downloads)."""

    root: Path

    def folder(self, name: str) -> Path:
        """The folder of one kind of cache (created by whoever writes into it)."""
        return self.root / name

    @classmethod
    def for_user(cls) -> Caches:
        return cls(user_cache_root())


@contextmanager
def caches_for(cache_dir: Path | None, no_cache: bool) -> Iterator[Caches]:
    """A command's caches: ``cache_dir``, else the user's; with ``no_cache`` a temporary root
    that nothing before reads and nothing after sees (deleted when the command ends)."""
    if not no_cache:
        yield Caches(cache_dir or user_cache_root())
        return
    with tempfile.TemporaryDirectory(prefix="maintainer-no-cache-") as scratch:
        yield Caches(Path(scratch))


def cache_options(command: F) -> F:
    """``--cache-dir`` and ``--no-cache``, the same on every command that caches."""
    command = click.option(
        "--no-cache", is_flag=True, help="Use no cache from earlier runs and leave none behind."
    )(command)
    return click.option(
        "--cache-dir",
        type=click.Path(path_type=Path, file_okay=False),
        envvar=CACHE_DIR_ENV,
        help=f"Root of every cache (default $XDG_CACHE_HOME/{APP_FOLDER}, ~/.cache/...).",
    )(command)
