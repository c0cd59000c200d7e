"""Dependency staleness: for each declared dependency, the newer releases it could move to."""

from __future__ import annotations

from collections.abc import Sequence

from app.analyzers.base import Analysis, Description, ScanContext
from app.apidiff.enrich import assessor_for, enrich
from app.imports import ImportCounts
from app.index.model import LookupFailure, Project
from app.manifests.base import Dependency
from app.model import Finding, Kind, ScanError
from app.risk import update_factors
from app.updates import (
    MissingDigest,
    Releases,
    Update,
    baseline,
    make_update,
    update_edits,
    wants_prereleases,
)
from app.versions import new_specifier

MAX_ALTERNATIVES = 30


class DependencyAnalyzer:
    kind = Kind.DEPENDENCY_UPDATE

    def analyze(self, context: ScanContext) -> Analysis:
        analysis = Analysis()
        dependencies = [d for m in context.manifests for d in m.dependencies]
        if not dependencies:
            return analysis
        index = context.adapters.index
        if index is None:
            analysis.errors.append(ScanError("(index)", None, "no package index configured"))
            return analysis
        projects = index.fetch(sorted({d.name for d in dependencies}), context.progress)
        libraries = {m.path for m in context.manifests if m.is_library}
        imports = context.import_counts
        assessor = assessor_for(context)
        for dependency in dependencies:
            project = projects.get(dependency.name)
            if isinstance(project, LookupFailure) or project is None:
                reason = project.message if project else "no answer from the index"
                analysis.errors.append(
                    ScanError(dependency.manifest, dependency.line, f"{dependency.name}: {reason}")
                )
                continue
            is_library = dependency.manifest in libraries
            found = self._alternatives(dependency, project, context, is_library, imports)
            if assessor is not None:
                old = baseline(dependency, Releases(project, context.target_python, True))
                found = enrich(found, assessor, str(old.version) if old else None)
            analysis.findings.extend(f for f in found if isinstance(f, Finding))
            analysis.errors.extend(f for f in found if isinstance(f, ScanError))
        return analysis

    def _alternatives(
        self,
        dependency: Dependency,
        project: Project,
        context: ScanContext,
        is_library: bool,
        imports: ImportCounts,
    ) -> list[Finding | ScanError]:
        prereleases = wants_prereleases(dependency)
        releases = Releases(project, context.target_python, prereleases)
        current = baseline(dependency, releases)
        floor = dependency.pinned_version or (current.version if current else None)
        newer = [r for r in releases.usable() if floor is None or r.version > floor]
        found: list[Finding | ScanError] = []
        for target in reversed(newer[-MAX_ALTERNATIVES:]):
            new_spec = new_specifier(
                dependency, target.version, context.config.range_strategy, is_library
            )
            if new_spec is None:
                continue
            try:
                edits = update_edits(dependency, target, new_spec)
            except MissingDigest as exc:
                found.append(ScanError(dependency.manifest, dependency.line, str(exc)))
                break
            update = make_update(dependency, current, target, new_spec, releases)
            factors = update_factors(
                update_type=update.update_type,
                old_major=floor.major if floor else None,
                released=target.upload_time,
                now=context.now,
                development=dependency.development,
                importing_files=imports.files_importing(dependency.name),
            )
            found.append(
                Finding(
                    kind=self.kind,
                    subject=f"{dependency.manifest}:{dependency.line}:{dependency.name}",
                    summary=_summary(update),
                    detail=update,
                    edits=edits,
                    risk_factors=factors,
                    batch=dependency.name,
                )
            )
        return found

    def describe(self, findings: Sequence[Finding], group: str | None) -> Description:
        updates = [f.detail for f in findings if isinstance(f.detail, Update)]
        packages = sorted({u.package for u in updates})
        if group is not None or len(packages) > 1:
            name = group or "dependencies"
            count = len(packages)
            noun = "dependency" if count == 1 else "dependencies"
            title = f"Update {count} {noun} in the {name} group"
            return Description(title, f"group-{name}", title)
        first = updates[0]
        targets = sorted({u.to_version for u in updates})
        if first.from_version:
            title = f"Bump {first.package} from {first.from_version} to {targets[-1]}"
        else:
            title = (
                f"Update {first.package} requirement from {first.from_spec or 'any'} "
                f"to {first.to_spec}"
            )
        slug = f"{first.package}-{targets[-1]}"
        return Description(title, slug, title)


def _summary(update: Update) -> str:
    return (
        f"{update.package} {update.from_label} → {update.to_version} "
        f"({update.update_type.value}, {update.releases_behind} releases behind)"
    )
