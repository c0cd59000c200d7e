"""Security patches: every dependency audited against known advisories, fixed minimally.

Exact pins are audited as they are; a range is audited at the lowest release it allows, since
an install may resolve to it (a range admitting a vulnerable release gets its floor raised).
Anything that could not be audited becomes an `Unaudited` finding, never a clean result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.version import Version

from app.analyzers.base import Analysis, Description, ScanContext
from app.apidiff.enrich import assessor_for, enrich_security
from app.imports import ImportCounts
from app.index.model import LookupFailure, PackageIndex, Project
from app.lockfiles.pins import is_lock, locked_only
from app.manifests.base import Dependency
from app.model import Finding, Kind, RiskFactor, ScanError, Unaudited
from app.risk import update_factors
from app.security.advisory import Advisory
from app.security.detail import SecurityFix, Unfixable, advisory_ids
from app.security.fixes import FixChoice, choose_fixes
from app.security.floor import fixed_specifier
from app.security.source import AdvisorySource, PackageVersion
from app.updates import MissingDigest, Releases, make_update, update_edits, wants_prereleases

LABEL = "security"


@dataclass(frozen=True)
class Target:
    """A dependency and the exact version audited for it."""

    dependency: Dependency
    package: PackageVersion


class SecurityAnalyzer:
    kind = Kind.SECURITY

    def analyze(self, context: ScanContext) -> Analysis:
        analysis = Analysis()
        locked, unread = locked_only(context.snapshot, context.manifests)
        analysis.errors.extend(unread)
        dependencies = [d for m in context.manifests for d in m.dependencies] + locked
        if not dependencies:
            return analysis
        source = context.adapters.advisories
        if source is None:
            reason = "no advisory source configured (pip-audit or --advisory-db)"
            analysis.errors.append(ScanError("(security)", None, reason))
            analysis.findings.extend(
                _unaudited(Unaudited(d.name, _pin(d), reason), d) for d in dependencies
            )
            return analysis
        index = context.adapters.index
        projects = _fetch(index, [d for d in dependencies if d.pinned_version is None], context)
        targets: list[Target] = []
        for dependency in dependencies:
            target = _target(dependency, projects, context.target_python)
            if isinstance(target, Unaudited):
                analysis.findings.append(_unaudited(target, dependency))
            else:
                targets.append(target)
        audited = self._audit(source, targets, projects, context, analysis)
        _drop_repeated_unaudited(analysis.findings)
        missed = len(dependencies) - audited
        analysis.notes.append(
            f"security: {audited} of {len(dependencies)} dependencies audited with "
            f"{source.description}" + (f"; {missed} NOT audited" if missed else "")
        )
        return analysis

    def _audit(
        self,
        source: AdvisorySource,
        targets: Sequence[Target],
        projects: dict[str, Project | LookupFailure],
        context: ScanContext,
        analysis: Analysis,
    ) -> int:
        """Audit the targets into ``analysis``; the number of targets actually audited."""
        packages = sorted({t.package for t in targets})
        report = source.audit(packages)
        analysis.errors.extend(ScanError(w.file, w.line, w.message) for w in report.warnings)
        skipped = {(u.package, u.version): u for u in report.unaudited}
        vulnerable: dict[PackageVersion, tuple[Advisory, ...]] = {}
        audited = 0
        for target in targets:
            key = (target.package.name, str(target.package.version))
            advisories = report.advisories_of(target.package)
            if advisories is None:
                unaudited = skipped.get(key) or Unaudited(
                    *key, "no result from the advisory source"
                )
                analysis.findings.append(_unaudited(unaudited, target.dependency))
                continue
            audited += 1
            if advisories:
                vulnerable[target.package] = advisories
        if not vulnerable:
            return audited
        missing = [p.name for p in vulnerable if p.name not in projects]
        projects.update(_fetch_names(context.adapters.index, missing, context))
        releases = {p: _releases(p, projects, context.target_python) for p in vulnerable}
        choices = choose_fixes(source, vulnerable, releases)
        imports = context.import_counts
        assessor = assessor_for(context)
        for target in targets:
            if target.package in vulnerable:
                finding = self._finding(
                    target,
                    vulnerable[target.package],
                    choices[target.package],
                    releases[target.package],
                    context,
                    imports,
                )
                if assessor is None:
                    analysis.findings.append(finding)
                    continue
                for item in enrich_security(finding, assessor):
                    if isinstance(item, Finding):
                        analysis.findings.append(item)
                    else:
                        analysis.errors.append(item)
        return audited

    def _finding(
        self,
        target: Target,
        advisories: tuple[Advisory, ...],
        choice: FixChoice,
        releases: Releases | str,
        context: ScanContext,
        imports: ImportCounts,
    ) -> Finding:
        dependency = target.dependency
        if choice.release is None or isinstance(releases, str):
            return self._unfixable(target, advisories, choice.reason or "no fix found")
        fix = choice.release
        new_spec = fixed_specifier(dependency, fix.version, releases)
        try:
            # A pin only a lock holds moves in the lock alone, by its tool (`enrich_security`).
            edits = () if is_lock(dependency.manifest) else update_edits(dependency, fix, new_spec)
        except MissingDigest as exc:
            return self._unfixable(target, advisories, str(exc))
        current = releases.project.release(target.package.version)
        update = make_update(dependency, current, fix, new_spec, releases)
        factors = update_factors(
            update_type=update.update_type,
            old_major=target.package.version.major,
            released=fix.upload_time,
            now=context.now,
            development=dependency.development,
            importing_files=imports.files_importing(dependency.name),
        )
        staying = RiskFactor(
            f"staying on {target.package.version} is also a risk: "
            f"{_count(advisories)} ({advisory_ids(advisories)})",
            0,
        )
        detail = SecurityFix(update, str(target.package.version), advisories)
        return Finding(
            kind=self.kind,
            subject=_subject(dependency),
            summary=(
                f"{dependency.name} {update.from_label} has {_count(advisories)} "
                f"({advisory_ids(advisories)}); fixed in {fix.version}"
            ),
            detail=detail,
            edits=edits,
            risk_factors=(staying, *factors),
            labels=(LABEL,),
            batch="security" if context.config.security.group else dependency.name,
        )

    def _unfixable(self, target: Target, advisories: tuple[Advisory, ...], reason: str) -> Finding:
        dependency = target.dependency
        detail = Unfixable(
            dependency.name,
            str(target.package.version),
            dependency.manifest,
            dependency.line,
            reason,
            advisories,
        )
        return Finding(
            kind=self.kind,
            subject=_subject(dependency),
            summary=(
                f"{dependency.name} {target.package.version} ({dependency.located}) has "
                f"{_count(advisories)} ({advisory_ids(advisories)}) and no fix: {reason}"
            ),
            detail=detail,
            labels=(LABEL,),
        )

    def describe(self, findings: Sequence[Finding], group: str | None) -> Description:
        fixes = [f.detail for f in findings if isinstance(f.detail, SecurityFix)]
        packages = sorted({f.package for f in fixes})
        ids = sorted({a.id for f in fixes for a in f.advisories})
        trailer = f"\n\nFixes {', '.join(ids)}."
        if group is not None or len(packages) > 1:
            noun = "dependency" if len(packages) == 1 else "dependencies"
            title = f"[security] Fix {len(packages)} vulnerable {noun}"
            return Description(title, f"group-{group or 'security'}", title + trailer)
        pinned = [f for f in fixes if f.update.from_version]
        first = (pinned or fixes)[0]
        target = max((f.to_version for f in fixes), key=Version)
        title = f"[security] Bump {first.package} from {first.audited_version} to {target}"
        return Description(title, f"{first.package}-{target}", title + trailer)


def _fetch(
    index: PackageIndex | None, dependencies: Sequence[Dependency], context: ScanContext
) -> dict[str, Project | LookupFailure]:
    return _fetch_names(index, sorted({d.name for d in dependencies}), context)


def _fetch_names(
    index: PackageIndex | None, names: Sequence[str], context: ScanContext
) -> dict[str, Project | LookupFailure]:
    if not names:
        return {}
    if index is None:
        return {n: LookupFailure(n, "no package index configured") for n in names}
    return dict(index.fetch(sorted(set(names)), context.progress))


def _target(
    dependency: Dependency, projects: dict[str, Project | LookupFailure], python: str
) -> Target | Unaudited:
    pinned = dependency.pinned_version
    if pinned is not None:
        return Target(dependency, PackageVersion(dependency.name, pinned))
    spec = dependency.spec_text or "any version"
    project = projects.get(dependency.name)
    if not isinstance(project, Project):
        why = project.message if project else "no answer from the package index"
        reason = f"cannot find the lowest release {spec!r} allows: {why}"
        return Unaudited(dependency.name, None, reason)
    releases = Releases(project, python, wants_prereleases(dependency))
    allowed = sorted(
        r.version for r in releases.usable() if dependency.specifier.contains(r.version, True)
    )
    if not allowed:
        reason = f"no release on the index satisfies {spec!r} for Python {python}"
        return Unaudited(dependency.name, None, reason)
    return Target(dependency, PackageVersion(dependency.name, allowed[0]))


def _releases(
    package: PackageVersion, projects: dict[str, Project | LookupFailure], python: str
) -> Releases | str:
    project = projects.get(package.name)
    if isinstance(project, Project):
        return Releases(project, python, package.version.is_prerelease)
    why = project.message if project else "no answer from the package index"
    return f"cannot choose a fixed release of {package.name}: {why}"


def _unaudited(unaudited: Unaudited, dependency: Dependency) -> Finding:
    version = unaudited.version or dependency.spec_text or "any version"
    return Finding(
        kind=Kind.SECURITY,
        subject=f"unaudited:{_subject(dependency)}",
        summary=f"{dependency.name} {version} ({dependency.located}) was not audited: "
        f"{unaudited.reason}",
        detail=unaudited,
        labels=(LABEL,),
    )


def _drop_repeated_unaudited(findings: list[Finding]) -> None:
    """One entry per package version, however many manifests declare it."""
    seen: set[Unaudited] = set()
    kept: list[Finding] = []
    for finding in findings:
        if isinstance(finding.detail, Unaudited):
            if finding.detail in seen:
                continue
            seen.add(finding.detail)
        kept.append(finding)
    findings[:] = kept


def _subject(dependency: Dependency) -> str:
    # Distinct from the dependency-update subject: the planner treats equal subjects as
    # alternatives, and a security fix must never lose to a routine update.
    return f"security:{dependency.manifest}:{dependency.line}:{dependency.name}"


def _pin(dependency: Dependency) -> str | None:
    pinned = dependency.pinned_version
    return str(pinned) if pinned is not None else None


def _count(advisories: Iterable[Advisory]) -> str:
    number = len(list(advisories))
    return f"{number} known vulnerabilit{'y' if number == 1 else 'ies'}"
