"""The analyzer registry: one line per maintenance kind.

Each analyzer is imported when its kind is first asked for, so a scan of one kind (say
``--only dead-code``) does not pay for the others' imports (libcst, the index client, ...).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module

from app.analyzers.base import Analyzer
from app.model import Kind

# Kind -> (module, class), in the order the pipeline runs them.
_LOCATIONS: dict[Kind, tuple[str, str]] = {
    Kind.DEPENDENCY_UPDATE: ("app.analyzers.dependencies", "DependencyAnalyzer"),
    Kind.SECURITY: ("app.analyzers.security", "SecurityAnalyzer"),
    Kind.DEPRECATION: ("app.analyzers.deprecation", "DeprecationAnalyzer"),
    Kind.DEAD_CODE: ("app.analyzers.dead_code", "DeadCodeAnalyzer"),
    Kind.LOCK_FILE_MAINTENANCE: ("app.analyzers.lock_maintenance", "LockMaintenanceAnalyzer"),
}


class _Registry(Mapping[Kind, type[Analyzer]]):
    """Kinds in pipeline order; looking a kind up imports that analyzer's module only."""

    def __init__(self, locations: Mapping[Kind, tuple[str, str]]) -> None:
        self._locations = dict(locations)

    def __getitem__(self, kind: Kind) -> type[Analyzer]:
        module, name = self._locations[kind]
        analyzer: type[Analyzer] = getattr(import_module(module), name)
        return analyzer

    def __iter__(self) -> Iterator[Kind]:
        return iter(self._locations)

    def __len__(self) -> int:
        return len(self._locations)


ANALYZERS: Mapping[Kind, type[Analyzer]] = _Registry(_LOCATIONS)


def analyzer_for(kind: Kind) -> Analyzer:
    return ANALYZERS[kind]()
