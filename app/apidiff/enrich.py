"""Attach impacts to version-change findings: the API diff and call sites in the detail, the
migration's edits in the same finding (so in the same branch), and their risk factors.

Only the best alternative of each update type (major, minor, patch) of a dependency is
assessed: those are the ones the planner's policies choose between; assessing all thirty
candidate versions would download thirty distributions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from app.lockfiles import LockError, LockRequest, tools
from app.lockfiles.pins import is_lock, locked_versions, manifest_of
from app.manifests.base import canonical
from app.model import Detail, Edit, Finding, Kind, ScanError
from app.planner import Batch
from app.security.detail import SecurityFix
from app.updates import Update

if TYPE_CHECKING:
    from app.analyzers.base import ScanContext
    from app.apidiff.impact import ImpactAssessor
    from app.apidiff.migration import Migration

# The impact assessor and the migrations load libcst and every codemod rule: they are imported
# where a version change is assessed or reconciled, not by every scan that imports `reconcile`.
_CHANGES_VERSIONS = (Kind.DEPENDENCY_UPDATE, Kind.SECURITY)


def assessor_for(context: ScanContext) -> ImpactAssessor | None:
    from app.apidiff.callsites import ReferenceIndex
    from app.apidiff.impact import ImpactAssessor

    distributions = context.adapters.distributions
    if distributions is None:
        return None
    paths = list(context.snapshot.python_files())
    return ImpactAssessor(
        distributions=distributions,
        root=context.snapshot.root,
        references=ReferenceIndex(context.snapshot, paths),
        paths=paths,
    )


def enrich(
    found: Sequence[Finding | ScanError], assessor: ImpactAssessor, old: str | None
) -> list[Finding | ScanError]:
    """The findings with the best alternative of each update type assessed."""
    seen: set[str] = set()
    result: list[Finding | ScanError] = []
    for finding in found:
        if isinstance(finding, Finding) and isinstance(finding.detail, Update):
            update = finding.detail
            if update.update_type.value not in seen:
                seen.add(update.update_type.value)
                result.extend(with_impact(finding, update, assessor, old))
                continue
        result.append(finding)
    return result


def enrich_security(finding: Finding, assessor: ImpactAssessor) -> list[Finding | ScanError]:
    """A security fix assessed like an update, from the audited version to the fixed one."""
    fix = finding.detail
    if not isinstance(fix, SecurityFix):
        return [finding]
    return with_impact(
        finding,
        fix.update,
        assessor,
        fix.audited_version,
        lambda update: replace(fix, update=update),
    )


def with_impact(
    finding: Finding,
    update: Update,
    assessor: ImpactAssessor,
    old: str | None,
    rebuild: Callable[[Update], Detail] | None = None,
) -> list[Finding | ScanError]:
    """``rebuild`` puts the assessed update back into a detail that wraps it."""
    impact = assessor.assess(update.package, old, update.to_version)
    edits = finding.edits
    errors: list[Finding | ScanError] = []
    migration = impact.migration
    if migration is not None:
        errors.extend(migration.errors)
        touched = {edit.path for edit in edits}
        if any(edit.path in touched for edit in migration.edits):
            errors.append(
                ScanError(update.manifest, update.line, "migration skipped: it edits the manifest")
            )
            impact = replace(impact, migration=None)
        else:
            edits = (*edits, *migration.edits)
    assessed = replace(update, impact=impact)
    detail: Detail = rebuild(assessed) if rebuild is not None else assessed
    factors = (*finding.risk_factors, *impact.risk_factors())
    try:
        locks = _lock_edits(assessor, update, edits)
        # A relocked file replaces the bump's own edits of it (pip-compile outputs).
        relocked = {lock.path for lock in locks}
        edits = (*(e for e in edits if e.path not in relocked), *locks)
    except LockError as exc:
        message = (
            f"{update.package} {update.to_version}: {exc}; no PR until the lock file can follow"
        )
        held = replace(finding, detail=detail, edits=(), risk_factors=factors)
        return [held, ScanError(update.manifest, update.line, message), *errors]
    enriched = replace(finding, detail=detail, edits=edits, risk_factors=factors)
    return [enriched, *errors]


def _lock_edits(assessor: ImpactAssessor, update: Update, edits: Sequence[Edit]) -> list[Edit]:
    """The lock files beside the edited manifest, relocked by their tools (all or nothing)."""
    found = []
    # A pin only a lock holds: its tool moves just that package, the manifest stays as it is.
    lock_only = is_lock(update.manifest)
    manifest = manifest_of(update.manifest) if lock_only else update.manifest
    for tool in tools():
        lock = tool.lock_for(assessor.root, manifest)
        if lock is None or (lock_only and lock != update.manifest):
            continue
        request = LockRequest(
            root=assessor.root,
            manifest=manifest,
            lock=lock,
            edits=edits,
            package=update.package,
            version=update.to_version,
            index_url=assessor.distributions.index_url,
            cache_dir=assessor.distributions.cache_dir,
        )
        relocked = tool.relock(request)
        locked = locked_versions(relocked.new or "").get(canonical(update.package))
        if (locked is None and lock_only) or (
            locked is not None and not _same_version(locked, update.to_version)
        ):
            raise LockError(
                f"{tool.name} locked {update.package} {locked or '(not at all)'} in {lock}, "
                f"not {update.to_version}: the declared constraints do not allow it"
            )
        found.append(relocked)
    if lock_only and not found:
        raise LockError(f"no lock tool for {update.manifest}")
    return found


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def reconcile(batches: Sequence[Batch]) -> list[Batch]:
    """Planned batches made consistent with the migrations riding on version bumps.

    The deprecation PR of a family a bump migrates is left out (`superseded`), and within one
    batch (a group of updates) only the first migration of a file is kept: whole-file rewrites
    computed separately cannot be combined. A later update loses its migration and its call
    sites stay listed for a human.
    """
    if not any(batch.kind in _CHANGES_VERSIONS for batch in batches):
        return list(batches)  # a migration only rides on a version change
    from app.apidiff.migration import superseded

    return [_one_migration_per_file(batch) for batch in superseded(batches)]


def _one_migration_per_file(batch: Batch) -> Batch:
    from app.apidiff.migration import migration_of

    taken: set[str] = set()
    findings: list[Finding] = []
    for finding in batch.findings:
        migration = migration_of(finding.detail)
        if migration is None:
            findings.append(finding)
            continue
        paths = {edit.path for edit in migration.edits}
        if paths & taken:
            findings.append(_without_migration(finding, migration))
        else:
            taken |= paths
            findings.append(finding)
    if all(a is b for a, b in zip(findings, batch.findings, strict=True)):
        return batch
    return replace(batch, findings=tuple(findings))


def _without_migration(finding: Finding, migration: Migration) -> Finding:
    detail = finding.detail
    update = detail.update if isinstance(detail, SecurityFix) else detail
    assert isinstance(update, Update) and update.impact is not None
    before = update.impact
    after = replace(
        before,
        migration=None,
        breaking=tuple(
            replace(b, call_sites=tuple(replace(s, rewritten_by=None) for s in b.call_sites))
            for b in before.breaking
        ),
    )
    assessed = replace(update, impact=after)
    stale = set(before.risk_factors())
    return replace(
        finding,
        detail=replace(detail, update=assessed) if isinstance(detail, SecurityFix) else assessed,
        edits=tuple(e for e in finding.edits if e not in migration.edits),
        risk_factors=(*(f for f in finding.risk_factors if f not in stale), *after.risk_factors()),
    )
