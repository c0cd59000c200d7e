"""One health sample of a commit: every metric, the debt items and the score.

Files come from git objects (no checkout). Per-file results are kept by blob sha, so the
samples of a history backfill re-measure only the files that changed between them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from packaging.version import Version

from app.config import RepoConfig
from app.health.architecture import RawImport, Violation, imports_of, package_cycles
from app.health.blobs import BlobReader, BlobSnapshot, CommitRef
from app.health.churn import Churn, Commit, churn_at
from app.health.complexity import FileComplexity, Unmeasurable, analyse, code_lines
from app.health.contracts import CONTRACT_FILES, ContractError, find_contracts
from app.health.contracts import check as check_contracts
from app.health.coverage import Coverage, CoverageError, find_report, parse_report
from app.health.flaky import FlakyHealth, flaky_items
from app.health.inventory import (
    Item,
    VulnerablePin,
    architecture_items,
    complexity_items,
    coverage_items,
    dependency_items,
    security_items,
)
from app.health.maintenance import Maintenance
from app.health.score import Score, score
from app.health.staleness import Staleness, declared, staleness
from app.index.model import LookupFailure, PackageIndex, Project
from app.manifests import discover, is_manifest
from app.manifests.base import ManifestParse
from app.model import no_progress
from app.security.source import AdvisorySource, PackageVersion
from app.snapshot import path_selected

MAX_PYTHON_BYTES = 2_000_000


@dataclass(frozen=True)
class FileFacts:
    """What one blob says, whatever its path or commit."""

    complexity: FileComplexity | None
    imports: tuple[RawImport, ...]
    error: str | None = None


def facts_of(data: bytes, path: str) -> FileFacts:
    if len(data) > MAX_PYTHON_BYTES:
        return FileFacts(None, (), f"{path}: {len(data)} bytes, over {MAX_PYTHON_BYTES}: skipped")
    try:
        tree = ast.parse(data, path)
        text = data.decode("utf-8", "replace")
        complexity, imports = analyse(tree, code_lines(text))
        return FileFacts(complexity, imports_of(imports))
    except (SyntaxError, ValueError, RecursionError, MemoryError, Unmeasurable) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return FileFacts(None, (), f"{path}: cannot parse: {reason}")


@dataclass(frozen=True)
class Measurement:
    commit: CommitRef
    at: datetime
    complexity: Mapping[str, FileComplexity]
    churn: Churn
    coverage: Coverage | None
    staleness: Staleness | None
    vulnerable: tuple[VulnerablePin, ...] | None
    """``None``: not audited (no advisory source)."""
    violations: tuple[Violation, ...]
    items: tuple[Item, ...]
    score: Score
    errors: tuple[str, ...] = ()
    flake_rate: float | None = None
    """``None``: no JUnit results for this sample's time."""
    deprecated_uses: int | None = None
    dead_code_candidates: int | None = None
    """``None``: the analyzers' caches were not there (`app.health.maintenance`)."""

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.complexity.values())

    @property
    def complexity_mean(self) -> float:
        weight = sum(f.own_lines for c in self.complexity.values() for f in c.functions)
        if not weight:
            return 0.0
        total = sum(
            f.complexity * f.own_lines for c in self.complexity.values() for f in c.functions
        )
        return round(total / weight, 2)


Progress = Callable[[str, int, int], None]


@dataclass
class Collector:
    """Measures commits of one repository; adapters (index, advisories) are passed in."""

    root: Path
    config: RepoConfig
    index: PackageIndex | None = None
    advisories: AdvisorySource | None = None
    commits: Sequence[Commit] = ()
    coverage_elsewhere: Callable[[Sequence[str]], Coverage | None] | None = None
    """Where coverage comes from when the repository holds no report (the App: the newest
    successful CI run's coverage artifact, `app.health.ci_coverage`); given the repository's
    files, None when unknown."""
    """History for churn (one ``git log`` over every sample's window)."""
    progress: Progress = no_progress
    facts: dict[str, FileFacts] = field(default_factory=dict)
    projects: dict[str, Project | LookupFailure] = field(default_factory=dict)
    parsed_blobs: int = 0
    manifests: dict[tuple[tuple[str, str], ...], tuple[ManifestParse, ...]] = field(
        default_factory=dict
    )
    manifest_paths: dict[str, bool] = field(default_factory=dict)
    flaky: FlakyHealth | None = None
    """JUnit results (`maintainer health --junit`): the current sample's flaky tests and the
    weekly flake rates, which history samples take for their week."""
    maintenance: Maintenance | None = None
    """Deprecated uses and dead code of the current commit (`app.health.maintenance`)."""

    def measure(
        self,
        reader: BlobReader,
        commit: CommitRef,
        at: datetime,
        *,
        current: bool = True,
    ) -> Measurement:
        """The sample of ``commit`` as of ``at``; ``current`` also reads coverage and audits
        vulnerable pins (history samples keep what the repository's history can say)."""
        blobs = reader.tree_files(commit.sha)
        paths = self.config.paths
        python = sorted(
            p for p in blobs if p.endswith(".py") and path_selected(p, paths.include, paths.exclude)
        )
        complexity: dict[str, FileComplexity] = {}
        imports: dict[str, tuple[RawImport, ...]] = {}
        errors: list[str] = []
        for number, path in enumerate(python, 1):
            facts = self._facts(reader, blobs[path], path)
            if facts.complexity is not None:
                complexity[path] = facts.complexity
                imports[path] = facts.imports
            elif facts.error:
                errors.append(facts.error)
            if number % 200 == 0 or number == len(python):
                self.progress("measuring", number, len(python))
        snapshot = BlobSnapshot(self.root, tuple(sorted(blobs)), self.root.name, blobs, reader)
        manifests = self._manifests_of(snapshot)
        churn = churn_at(self.commits, at)
        coverage = self._coverage(snapshot, errors) if current else None
        stale = self._staleness(manifests, at, errors)
        vulnerable = self._vulnerable(stale, errors) if current else None
        violations = self._architecture(snapshot, imports, errors)
        threshold = self.config.health.function_complexity
        items = [
            *complexity_items(complexity, churn, coverage, threshold),
            *(coverage_items(complexity, coverage, churn) if coverage else []),
            *(dependency_items(stale.dependencies) if stale else []),
            *security_items(vulnerable or ()),
            *architecture_items([(v.contract, v.detail) for v in violations or ()]),
        ]
        flaky = self.flaky if current else None
        if flaky is not None:
            items += flaky_items(flaky)
        upkeep = self.maintenance if current else None
        if upkeep is not None:
            items += upkeep.items
        unknown = [] if coverage else ["coverage"]
        if flaky is None:
            unknown.append("flaky")
        if upkeep is None:
            unknown.append("maintenance")
        if violations is None:
            unknown.append("architecture")
        if stale is None:
            unknown.append("dependencies")
        if vulnerable is None:
            unknown.append("security")
        result = score(items, self.config.health.weights, unknown)
        return Measurement(
            commit=commit,
            at=at,
            complexity=complexity,
            churn=churn,
            coverage=coverage,
            staleness=stale,
            vulnerable=tuple(vulnerable) if vulnerable is not None else None,
            violations=violations or (),
            items=tuple(items),
            score=result,
            errors=tuple(errors),
            flake_rate=self._flake_rate(at, current),
            deprecated_uses=upkeep.deprecated_uses if upkeep else None,
            dead_code_candidates=upkeep.dead_code_candidates if upkeep else None,
        )

    def _flake_rate(self, at: datetime, current: bool) -> float | None:
        """The current sample: the rate over every run; a history sample: its week's."""
        if self.flaky is None:
            return None
        return self.flaky.flake_rate if current else self.flaky.rate_at(at)

    def _manifests_of(self, snapshot: BlobSnapshot) -> tuple[ManifestParse, ...]:
        """The commit's manifests, read again only when one of their blobs changed."""
        candidates = tuple(p for p in snapshot.files if self._may_be_manifest(p))
        key = tuple((p, snapshot.blobs[p]) for p in candidates)
        known = self.manifests.get(key)
        if known is None:
            narrowed = BlobSnapshot(
                snapshot.root, candidates, snapshot.name, snapshot.blobs, snapshot.reader
            )
            known = discover(narrowed, self.config.paths.ignore_manifests_in)
            self.manifests[key] = known
        return known

    def _may_be_manifest(self, path: str) -> bool:
        """A manifest, or a file a requirements file may include (``-r base.in``)."""
        verdict = self.manifest_paths.get(path)
        if verdict is None:
            verdict = is_manifest(path) or path.endswith((".txt", ".in"))
            self.manifest_paths[path] = verdict
        return verdict

    def _facts(self, reader: BlobReader, sha: str, path: str) -> FileFacts:
        known = self.facts.get(sha)
        if known is not None:
            return known
        try:
            data = reader.read(sha)
        except OSError as exc:
            found = FileFacts(None, (), f"{path}: {exc}")
        else:
            found = facts_of(data, path)
            self.parsed_blobs += 1
        self.facts[sha] = found
        return found

    def _architecture(
        self,
        snapshot: BlobSnapshot,
        imports: Mapping[str, tuple[RawImport, ...]],
        errors: list[str],
    ) -> tuple[Violation, ...] | None:
        """Broken import-linter contracts, or without contracts the package cycles; ``None``
        when the contracts cannot be checked."""
        try:
            files = {p: snapshot.read_bytes(p) for p in CONTRACT_FILES if p in snapshot.blobs}
            contracts = find_contracts(files)
            if contracts is None:
                return tuple(package_cycles(imports))
            return tuple(check_contracts(contracts, imports))
        except (OSError, ContractError) as exc:
            errors.append(f"architecture not scored: {exc}")
            return None

    def _coverage(self, snapshot: BlobSnapshot, errors: list[str]) -> Coverage | None:
        report = find_report(snapshot.files)
        if report is None:
            if self.coverage_elsewhere is None:
                return None
            return self.coverage_elsewhere(snapshot.files)
        try:
            return parse_report(report, snapshot.read_bytes(report), snapshot.files)
        except (OSError, CoverageError) as exc:
            errors.append(f"{report}: coverage not read: {exc}")
            return None

    def _staleness(
        self, manifests: Sequence[ManifestParse], at: datetime, errors: list[str]
    ) -> Staleness | None:
        dependencies = declared(manifests)
        if not dependencies:
            return Staleness((), ())
        if self.index is None:
            return None
        missing = sorted({d.name for d in dependencies} - set(self.projects))
        if missing:
            self.projects.update(self.index.fetch(missing, self.progress))
        from app.pipeline import target_python  # the analyzer stack: only with dependencies

        python = target_python(self.config, manifests)
        return staleness(dependencies, self.projects, at, python)

    def _vulnerable(self, stale: Staleness | None, errors: list[str]) -> list[VulnerablePin] | None:
        if self.advisories is None or stale is None:
            return None
        packages = sorted({PackageVersion(d.name, Version(d.in_use)) for d in stale.dependencies})
        report = self.advisories.audit(packages)
        if report.unaudited:
            # A partial audit would score the unaudited pins as safe: the component is unknown.
            names = ", ".join(sorted(u.package for u in report.unaudited))
            errors.append(f"security not scored: not audited: {names}")
            return None
        pins = []
        for audit in report.audited:
            if not audit.advisories:
                continue
            fixed = min(
                (v for a in audit.advisories for v in a.fix_versions if v > audit.package.version),
                default=None,
            )
            pins.append(
                VulnerablePin(
                    audit.package.name,
                    str(audit.package.version),
                    tuple(sorted(a.id for a in audit.advisories)),
                    str(fixed) if fixed else None,
                )
            )
        return pins
