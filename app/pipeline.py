"""The one pipeline behind both front doors: snapshot → config → analyzers → planner →
proposals. Composing (local branches or GitHub PRs) is the caller's next step."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from app.analyzers import ANALYZERS, analyzer_for
from app.analyzers.base import Adapters, ScanContext
from app.caches import CONFIG, DEAD_CODE, DISTRIBUTIONS, TEMPLATES
from app.config import IgnoreRule, RepoConfig, load_config
from app.manifests import discover, ignored_manifests
from app.manifests.base import ManifestParse
from app.model import Kind, Progress, ScanError, ScanResult, Unaudited, no_progress
from app.planner import Budget, plan
from app.proposals import branch_for, build
from app.snapshot import Listing, Snapshot, snapshot_of
from app.templates import keep_compiled

DEFAULT_TARGET_PYTHON = "3.10"
NO_API_DIFF = "MAINTAINER_NO_API_DIFF"
"""Set (to anything) on the bot's host: no distribution downloads, API diffs or lock files."""
DECLARABLE_PYTHONS = (*(f"2.{minor}" for minor in range(8)), *(f"3.{minor}" for minor in range(16)))
"""Every Python a project may declare as its floor, however old: ``>=3.6.1`` is 3.6, never
rounded up to a newer Python (which would let a rule needing 3.8 rewrite the code)."""


def scan(
    path: Path,
    adapters: Adapters,
    *,
    only: Sequence[Kind] | None = None,
    now: datetime | None = None,
    progress: Progress = no_progress,
    config: RepoConfig | None = None,
    budget: Budget | None = None,
    stored_ignores: Sequence[IgnoreRule] = (),
    ci_results: Mapping[str, str] | None = None,
    listing: Listing | None = None,
) -> ScanResult:
    """Scan the git work tree at ``path`` (listed by ``listing`` when the caller started one).

    Raises `NotARepository`, `ConfigError` and `IndexUnavailable` for problems that stop the
    whole scan; everything else lands in the result's ``errors``.
    """
    snapshot = listing.snapshot() if listing is not None else snapshot_of(path)
    if config is None:
        config = load_config(snapshot.root, adapters.caches.folder(CONFIG)).config
    now = now or datetime.now(UTC)
    if only:
        config = config.model_copy(update={"enabled": list(only)})
    snapshot = snapshot.filtered(config.paths)
    ignored = config.paths.ignore_manifests_in
    manifests = discover(snapshot, ignored)
    result = ScanResult(repository=snapshot.name)
    for manifest in manifests:
        result.errors.extend(manifest.errors)
    skipped = ignored_manifests(snapshot, ignored)
    if skipped:
        result.notes.append(_skipped_note(skipped))
    if not any(m.dependencies for m in manifests):
        result.notes.append("no dependency manifests with dependencies found")
    context = ScanContext(
        snapshot=snapshot,
        config=config,
        manifests=manifests,
        target_python=target_python(config, manifests),
        now=now,
        adapters=adapters,
        progress=progress,
    )
    kinds = selected_kinds(config, only)
    context = replace(context, adapters=_default_adapters(adapters, kinds, config, snapshot))
    for kind in kinds:
        analysis = analyzer_for(kind).analyze(context)
        result.unaudited.extend(
            f.detail for f in analysis.findings if isinstance(f.detail, Unaudited)
        )
        result.findings.extend(f for f in analysis.findings if not isinstance(f.detail, Unaudited))
        result.errors.extend(analysis.errors)
        result.notes.extend(analysis.notes)
    decided = plan(result.findings, config, now, budget, stored_ignores, branch_for)
    result.deferred.extend(decided.held)
    result.errors.extend(ScanError(f.subject, None, f.reason) for f in decided.failed)
    batches = decided.batches
    if any(batch.kind in (Kind.DEPENDENCY_UPDATE, Kind.SECURITY) for batch in batches):
        from app.apidiff.enrich import reconcile  # loaded only for version bumps

        batches = reconcile(batches)
    if batches:
        keep_compiled(adapters.caches.folder(TEMPLATES))
    result.proposals.extend(
        build(batch, config, snapshot.read_text, ci_results) for batch in batches
    )
    return result


def _skipped_note(skipped: Sequence[str], shown: int = 10) -> str:
    listed = ", ".join(skipped[:shown])
    if len(skipped) > shown:
        listed += f" and {len(skipped) - shown} more"
    noun = "manifest" if len(skipped) == 1 else "manifests"
    return (
        f"{len(skipped)} {noun} in test data or vendored code skipped (no dependency or "
        f"security updates; .maintainer.yml paths.ignore_manifests_in): {listed}"
    )


def _default_adapters(
    adapters: Adapters, kinds: Sequence[Kind], config: RepoConfig, snapshot: Snapshot
) -> Adapters:
    """Adapters the caller left out that follow from the repository itself (each module
    imported only when its adapter is wanted: a dead-code scan loads no HTTP client)."""
    if Kind.SECURITY in kinds and adapters.advisories is None:
        from app.security import source_for

        adapters = replace(adapters, advisories=source_for(config.security, snapshot.root))
    if Kind.DEAD_CODE in kinds and adapters.history is None:
        from app.deadcode.cache import FactsCache
        from app.deadcode.history import GitPythonHistory

        cache = FactsCache(adapters.caches.folder(DEAD_CODE))
        adapters = replace(adapters, history=GitPythonHistory(snapshot.root, cache))
    versioned = Kind.DEPENDENCY_UPDATE in kinds or Kind.SECURITY in kinds
    wanted = versioned and not os.environ.get(NO_API_DIFF)
    if wanted and adapters.distributions is None:
        from app.index.client import SimpleIndex  # loaded only for version bumps

        index = adapters.index
        if isinstance(index, SimpleIndex):
            from app.apidiff.distributions import Distributions

            # The same index as the release data (a mirror or a local index serves both).
            distributions = Distributions(
                index.index_url,
                cache_dir=adapters.caches.folder(DISTRIBUTIONS),
                transport=index.transport,
            )
            adapters = replace(adapters, distributions=distributions)
    return adapters


def selected_kinds(config: RepoConfig, only: Sequence[Kind] | None) -> list[Kind]:
    wanted = only or config.enabled_kinds()
    return [kind for kind in ANALYZERS if kind in wanted]


def target_python(config: RepoConfig, manifests: Sequence[ManifestParse]) -> str:
    """The oldest Python the code must support: configured, else the floor the shallowest
    manifest declares (``requires-python``, ``python_requires``, classifiers)."""
    if config.target_python:
        return config.target_python
    for manifest in sorted(manifests, key=lambda m: m.path.count("/")):
        if manifest.requires_python:
            lowest = oldest_python(manifest.requires_python)
            if lowest:
                return lowest
    return DEFAULT_TARGET_PYTHON


def oldest_python(requires_python: str) -> str | None:
    try:
        specifier = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return None
    for candidate in DECLARABLE_PYTHONS:
        if specifier.contains(Version(candidate)) or specifier.contains(Version(candidate + ".99")):
            return candidate
    return None
