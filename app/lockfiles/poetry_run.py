"""Run Poetry's own ``lock`` command against one index standing in for PyPI.

Usage: python poetry_run.py INDEX_URL [--only NAME==VERSION] POETRY-ARGUMENTS...

Poetry offers no setting to read PyPI's packages from another index: a ``[[tool.poetry.source]]``
would do it, but it changes the lock's content-hash and writes a ``[package.source]`` entry for
every package. This script leaves ``pyproject.toml`` alone and, inside Poetry's process only:

- replaces the repository pool with one primary repository reading INDEX_URL (PEP 691 or
  PEP 503) whose packages carry no source, exactly like packages found on PyPI, so Poetry's
  own lock writer writes the lock it writes for PyPI and the content-hash is Poetry's own;
- with ``--only NAME==VERSION``, offers that one release of NAME (Poetry has no
  ``--upgrade-package NAME==VERSION``: ``poetry update --lock NAME`` then moves NAME to exactly
  that version, or fails when the declared constraints do not allow it);
- refuses to build a source distribution to read its metadata (the bot runs no package's
  build scripts): Poetry then uses what the index and the archive declare, or fails.

It imports nothing of maintainer-bot, so it runs in whatever interpreter has Poetry installed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from poetry.console.application import Application
from poetry.core.constraints.version import Version
from poetry.core.packages.dependency import Dependency
from poetry.core.packages.package import Package
from poetry.factory import Factory
from poetry.inspection import info
from poetry.repositories import RepositoryPool
from poetry.repositories.legacy_repository import LegacyRepository
from poetry.repositories.repository_pool import Priority

REPOSITORY_NAME = "maintainer-bot-index"


class IndexAsPyPI(LegacyRepository):
    """A simple index whose packages are recorded like PyPI's: without a source."""

    only: tuple[str, str] | None = None
    """(canonical name, version): the one release of that package offered."""

    def find_packages(self, dependency: Dependency) -> list[Package]:
        found = super().find_packages(dependency)
        if self.only is not None and canonicalize_name(dependency.name) == self.only[0]:
            return [p for p in found if p.version.text == self.only[1]]
        return found

    def package(self, name: str, version: Version) -> Package:
        package = super().package(name, version)
        return _without_source(package)

    def _package(self, name: Any, version: Version, yanked: str | bool) -> Package:
        return _without_source(super()._package(name, version, yanked))


def _without_source(package: Package) -> Package:
    package._source_type = None
    package._source_url = None
    package._source_reference = None
    return package


def _no_build(path: Path) -> info.PackageInfo:
    raise info.PackageInfoError(path, "maintainer-bot does not build source distributions")


def main(arguments: list[str]) -> int:
    index_url, *poetry_arguments = arguments
    if poetry_arguments[:1] == ["--only"]:
        name, _, version = poetry_arguments[1].partition("==")
        IndexAsPyPI.only = (canonicalize_name(name), version)
        poetry_arguments = poetry_arguments[2:]

    def create_pool(
        cls: type[Factory], /, config: Any, sources: Any = (), io: Any = None, **_: Any
    ) -> RepositoryPool:
        pool = RepositoryPool(config=config)
        repository = IndexAsPyPI(REPOSITORY_NAME, index_url, config=config)
        pool.add_repository(repository, priority=Priority.PRIMARY)
        return pool

    Factory.create_pool = classmethod(create_pool)  # type: ignore[method-assign,assignment]
    info.get_pep517_metadata = _no_build  # type: ignore[assignment]
    # No plugins, installed or named by the project (``requires-plugins``), ever run here.
    sys.argv = ["poetry", *poetry_arguments, "--no-plugins"]
    return int(Application().run())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
