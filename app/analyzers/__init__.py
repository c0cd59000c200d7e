"""The analyzer registry: one line per maintenance kind."""

from __future__ import annotations

from app.analyzers.base import Analyzer
from app.analyzers.dead_code import DeadCodeAnalyzer
from app.analyzers.dependencies import DependencyAnalyzer
from app.analyzers.deprecation import DeprecationAnalyzer
from app.analyzers.lock_maintenance import LockMaintenanceAnalyzer
from app.analyzers.security import SecurityAnalyzer
from app.model import Kind

ANALYZERS: dict[Kind, type[Analyzer]] = {
    Kind.DEPENDENCY_UPDATE: DependencyAnalyzer,
    Kind.SECURITY: SecurityAnalyzer,
    Kind.DEPRECATION: DeprecationAnalyzer,
    Kind.DEAD_CODE: DeadCodeAnalyzer,
    Kind.LOCK_FILE_MAINTENANCE: LockMaintenanceAnalyzer,
}


def analyzer_for(kind: Kind) -> Analyzer:
    return ANALYZERS[kind]()
