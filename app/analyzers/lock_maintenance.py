"""Lock file maintenance: one proposal refreshing every lock file within its constraints.

Each lock beside a manifest is relocked by its own tool with everything upgraded (``uv lock
--upgrade``, ``pip-compile --upgrade``, ``poetry lock --regenerate``), in a scratch copy,
against the configured index. All or nothing: a lock that cannot be refreshed is an error and
the proposal is not made (never a half-refreshed set of locks).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.analyzers.base import Analysis, Description, ScanContext
from app.caches import DISTRIBUTIONS
from app.index.client import SimpleIndex
from app.lockfiles import LockError, LockRequest, tools
from app.lockfiles.maintenance import LockChange, LockRefresh, changes, is_due
from app.model import Edit, Finding, Kind, RiskFactor, ScanError

LABEL = "lock-file-maintenance"
SUBJECT = "(lock files)"


class LockMaintenanceAnalyzer:
    kind = Kind.LOCK_FILE_MAINTENANCE

    def analyze(self, context: ScanContext) -> Analysis:
        analysis = Analysis()
        setting = context.config.lock_file_maintenance
        if setting is None:
            return analysis
        if not is_due(setting, context.config.schedule, context.now):
            analysis.notes.append(f"lock-file-maintenance: not due ({setting.schedule})")
            return analysis
        where = _index(context)
        if where is None:
            analysis.errors.append(ScanError(SUBJECT, None, "no package index to relock against"))
            return analysis
        index_url, cache_dir = where
        root = context.snapshot.root
        edits: list[Edit] = []
        locks: list[tuple[str, str]] = []
        found: list[tuple[str, LockChange]] = []
        seen: set[str] = set()
        for manifest in sorted(m.path for m in context.manifests):
            for tool in tools():
                lock = tool.lock_for(root, manifest)
                if lock is None or lock in seen:
                    continue
                seen.add(lock)
                request = LockRequest(root, manifest, lock, (), None, None, index_url, cache_dir)
                try:
                    edit = tool.relock(request)
                except LockError as exc:
                    message = f"{exc}; no lock file maintenance PR until every lock can refresh"
                    analysis.errors.append(ScanError(lock, None, message))
                    return analysis
                locks.append((lock, tool.name))
                if edit.old != edit.new:
                    edits.append(edit)
                    found.extend((lock, change) for change in changes(edit.old, edit.new or ""))
        analysis.notes.append(f"lock-file-maintenance: {len(locks)} lock files refreshed")
        if not edits:
            return analysis
        detail = LockRefresh(tuple(locks), tuple(found))
        moved_packages = {change.package for _, change in found}
        analysis.findings.append(
            Finding(
                kind=self.kind,
                subject=SUBJECT,
                summary=(
                    f"{len(edits)} lock file{'s' if len(edits) != 1 else ''} refreshed: "
                    f"{len(moved_packages)} package{'s' if len(moved_packages) != 1 else ''} move"
                ),
                detail=detail,
                edits=tuple(edits),
                risk_factors=(
                    RiskFactor(
                        f"{len(moved_packages)} locked package"
                        f"{'s move' if len(moved_packages) != 1 else ' moves'} within the "
                        "declared constraints; no manifest changes",
                        1 if moved_packages else 0,
                    ),
                ),
                labels=(LABEL,),
                batch="lock-file-maintenance",
            )
        )
        return analysis

    def describe(self, findings: Sequence[Finding], group: str | None) -> Description:
        title = "Lock file maintenance"
        refreshed = [f.detail for f in findings if isinstance(f.detail, LockRefresh)]
        files = sorted({lock for d in refreshed for lock, _ in d.locks})
        message = f"{title}\n\nRefresh {', '.join(files)} within the declared constraints."
        return Description(title, "all", message)


def _index(context: ScanContext) -> tuple[str, Path] | None:
    distributions = context.adapters.distributions
    if distributions is not None:
        return distributions.index_url, distributions.cache_dir
    index = context.adapters.index
    if isinstance(index, SimpleIndex):
        return index.index_url, context.adapters.caches.folder(DISTRIBUTIONS)
    return None
