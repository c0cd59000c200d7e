"""The codemod migration that travels with a version bump.

A rule belongs to an update when its library is the updated package and the update crosses the
rule's gate: the version that removed (else deprecated) the old API lies in ``(old, new]``, or
the rule's version range (``pass_context`` needs Jinja >= 3.0) admits the new version and not
the old one. Those rules run over the repository in the dependency PR's branch; the
deprecation analyzer's own PR for the same family is then left out (`superseded`), so no two
PRs edit the same lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from app.deprecations.runner import Runner
from app.manifests.base import canonical
from app.model import Edit, Kind, ScanError
from app.planner import Batch
from codemods.catalog import registered
from codemods.info import RuleInfo, Safety

_VERSION = re.compile(r"\d+(?:\.\d+)+")
BATCH = "migration"


@dataclass(frozen=True)
class RewrittenSite:
    file: str
    line: int
    before: str
    after: str


@dataclass(frozen=True)
class AppliedRule:
    info: RuleInfo
    sites: tuple[RewrittenSite, ...]

    @property
    def lines(self) -> list[tuple[str, int]]:
        """The distinct ``(file, line)`` pairs rewritten (a line may hold several hits)."""
        return list(dict.fromkeys((s.file, s.line) for s in self.sites))


@dataclass(frozen=True)
class Migration:
    rules: tuple[AppliedRule, ...]
    edits: tuple[Edit, ...]
    errors: tuple[ScanError, ...] = ()

    @property
    def families(self) -> frozenset[str]:
        return frozenset(r.info.family for r in self.rules)

    @property
    def count(self) -> int:
        """Distinct lines rewritten."""
        return len(
            {
                (s.file, s.line)
                for r in self.rules
                if r.info.safety is not Safety.REPORT_ONLY
                for s in r.sites
            }
        )

    def rewrote(self, file: str, line: int) -> str | None:
        """The id of the rule that rewrote this line, if one did."""
        for rule in self.rules:
            if rule.info.safety is Safety.REPORT_ONLY:
                continue
            if any(s.file == file and s.line == line for s in rule.sites):
                return rule.info.id
        return None


def _gate(text: str | None) -> Version | None:
    match = _VERSION.search(text or "")
    try:
        return Version(match.group(0)) if match else None
    except InvalidVersion:
        return None


def crossing_rules(package: str, old: Version, new: Version) -> list[RuleInfo]:
    """Rules gated on a version of ``package`` that the update from ``old`` to ``new`` crosses."""
    chosen = []
    for rule in registered().rules:
        applies = rule.applies
        if applies.library is None or canonical(applies.library) != canonical(package):
            continue
        allowed: SpecifierSet | None = None
        if applies.versions:
            try:
                allowed = SpecifierSet(applies.versions)
            except InvalidSpecifier:
                continue
            if not allowed.contains(new, prereleases=True):
                continue
        gate = _gate(rule.removed_in) or _gate(rule.deprecated_since)
        crosses_gate = gate is not None and old < gate <= new
        enters_range = allowed is not None and not allowed.contains(old, prereleases=True)
        if crosses_gate or enters_range:
            chosen.append(rule)
    return chosen


def migrate(
    root: Path, paths: Sequence[str], rules: Sequence[RuleInfo], workers: int | None = None
) -> Migration:
    """Run ``rules`` over ``paths`` in one batch; edits are whole-file replacements."""
    if not rules:
        return Migration((), ())
    report = Runner(root, {BATCH: list(rules)}, workers=workers).run(paths)
    edits = tuple(
        Edit.replace_file(r.path, r.original, r.outputs[BATCH])
        for r in report.results
        if BATCH in r.outputs
    )
    changed = {edit.path for edit in edits}
    applied = []
    for rule in rules:
        sites = tuple(
            dict.fromkeys(
                RewrittenSite(result.path, hit.line, hit.before, hit.after)
                for result in report.results
                for hit in result.hits
                if hit.rule_id == rule.id
                and (result.path in changed or rule.safety is Safety.REPORT_ONLY)
            )
        )
        if sites:
            applied.append(AppliedRule(rule, sites))
    return Migration(tuple(applied), edits, tuple(report.errors))


def migration_of(detail: object) -> Migration | None:
    """The migration riding on an update or a security fix, if any."""
    update = getattr(detail, "update", detail)
    migration = getattr(getattr(update, "impact", None), "migration", None)
    return migration if isinstance(migration, Migration) else None


def superseded(batches: Sequence[Batch]) -> list[Batch]:
    """The batches without deprecation batches whose family a version bump already migrates."""
    migrated: set[str] = set()
    for batch in batches:
        if batch.kind not in (Kind.DEPENDENCY_UPDATE, Kind.SECURITY):
            continue
        for finding in batch.findings:
            migration = migration_of(finding.detail)
            if migration is not None:
                migrated |= migration.families
    return [
        batch for batch in batches if not (batch.kind is Kind.DEPRECATION and batch.key in migrated)
    ]
