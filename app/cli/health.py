"""`maintainer health`: the health score, debt items and history of a local repository."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from app.caches import DEAD_CODE, DEPRECATIONS, HEALTH, INDEX, Caches, cache_options, caches_for
from app.cli import EXIT_FATAL, EXIT_OK
from app.cli.progress import terminal_progress
from app.config import ConfigError, RepoConfig, load_config
from app.health.blobs import GitError, resolve_commit
from app.health.churn import WINDOW_DAYS, read_commits
from app.health.document import document, stored_sample
from app.health.flaky import FlakyHealth, flaky_health
from app.health.history import collect
from app.health.maintenance import Maintenance, maintenance
from app.health.measure import Collector
from app.health.samples import FILENAME, SampleStore, SampleStoreError
from app.health.score import delta_reasons, item_moves
from app.health.table import table
from app.index.model import IndexUnavailable, LookupFailure, PackageIndex, Project
from app.model import Progress
from app.security.source import AdvisorySource, AuditReport, PackageVersion
from app.snapshot import NotARepository, git_toplevel


def render(
    doc: dict[str, Any],
    output_format: str,
    reasons: Sequence[str] = (),
    debt: int = 0,
    poor_share: float = 0.0,
) -> str:
    """The document in the asked format."""
    if output_format == "json":
        return json.dumps(doc, indent=2)
    if output_format == "table":
        return table(doc, reasons, debt, poor_share)
    if output_format == "markdown":
        from app.health.render_markdown import render_markdown

        return render_markdown(doc)
    from app.health.render_html import render_html

    return render_html(doc)


class _LazyIndex:
    """The package index client, built on first use (a repository without dependencies never
    loads the HTTP stack)."""

    def __init__(self, build: Callable[[], PackageIndex]) -> None:
        self._build = build
        self._index: PackageIndex | None = None

    def fetch(self, names: Sequence[str], progress: Progress) -> dict[str, Project | LookupFailure]:
        if self._index is None:
            self._index = self._build()
        return self._index.fetch(names, progress)


class _LazyAdvisories:
    """The advisory source, built on first use (pip-audit is heavy to import)."""

    def __init__(self, build: Callable[[], AdvisorySource]) -> None:
        self._build = build
        self._source: AdvisorySource | None = None

    def _get(self) -> AdvisorySource:
        if self._source is None:
            self._source = self._build()
        return self._source

    @property
    def description(self) -> str:
        return self._get().description

    def audit(self, packages: Sequence[PackageVersion]) -> AuditReport:
        return self._get().audit(packages)


def _flaky(junit: tuple[Path, ...], config: RepoConfig, root: Path) -> FlakyHealth:
    """The flake rate and flaky tests of the JUnit results; unreadable files are warned about."""
    from app.flaky.detect import History, detect
    from app.flaky.junit import JUnitError, junit_files, read_junit
    from app.flaky.sources import locate_test_file

    history = History(config.flaky)
    for file in junit_files(junit):
        try:
            history.add(read_junit(file))
        except JUnitError as exc:
            click.echo(f"warning: {exc}", err=True)
    return flaky_health(detect(history), lambda test, file: locate_test_file(root, test, file))


def _maintenance(root: Path, caches: Caches, moment: datetime) -> Maintenance | None:
    """Deprecated uses and dead code, from the deprecation and dead-code analyzers run over
    the scan's caches; ``None`` (unknown) when no scan filled those caches yet."""
    if not (caches.folder(DEPRECATIONS).is_dir() and caches.folder(DEAD_CODE).is_dir()):
        return None
    from app import pipeline
    from app.analyzers.base import Adapters
    from app.model import Kind

    result = pipeline.scan(
        root, Adapters(caches=caches), only=[Kind.DEPRECATION, Kind.DEAD_CODE], now=moment
    )
    return maintenance(result.findings, result.proposals)


def _index(index_url: str | None, cache: Path) -> PackageIndex:
    from app.index.cache import HttpCache
    from app.index.client import SimpleIndex

    return SimpleIndex(index_url, cache=HttpCache(cache))


def _advisories(advisory_db: Path | None, root: Path, config: RepoConfig) -> AdvisorySource:
    if advisory_db is not None:
        from app.security.directory import AdvisoryDirectory

        return AdvisoryDirectory(advisory_db)
    from app.security import source_for

    return source_for(config.security, root)


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "markdown", "html"]),
    default="table",
)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option(
    "--history",
    "weeks",
    type=click.IntRange(0, 260),
    help="Weekly samples to backfill from git (default .maintainer.yml health.history_weeks).",
)
@cache_options
@click.option("--index-url", help="Package index (PEP 691); default PIP_INDEX_URL or PyPI.")
@click.option(
    "--advisory-db",
    type=click.Path(path_type=Path, file_okay=False),
    help="Audit pins against this directory of OSV records, offline.",
)
@click.option(
    "--junit",
    "junit",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="JUnit XML results (a file, or a folder searched for *.xml; repeatable): the flake "
    "rate and the flaky tests (as `maintainer flaky --junit`).",
)
@click.option("--now", "now", type=click.DateTime(), hidden=True, help="Pretend it is this time.")
def health(
    path: Path,
    output_format: str,
    output: Path | None,
    weeks: int | None,
    cache_dir: Path | None,
    no_cache: bool,
    index_url: str | None,
    advisory_db: Path | None,
    junit: tuple[Path, ...],
    now: datetime | None,
) -> None:
    """Health score, debt items and history of the git repository at PATH (its HEAD commit).

    Exit status: 0 done, 2 nothing done (bad repository or configuration, index unreachable,
    damaged sample store).
    """
    moment = now.replace(tzinfo=UTC) if now else datetime.now(UTC)
    with caches_for(cache_dir, no_cache) as caches:
        try:
            if not path.exists():
                raise NotARepository(f"{path} does not exist")
            root = git_toplevel(path)
            config = load_config(root).config
            history_weeks = config.health.history_weeks if weeks is None else weeks
            head = resolve_commit(root)
            since = moment - timedelta(weeks=max(history_weeks, 1), days=WINDOW_DAYS)
            collector = Collector(
                root=root,
                config=config,
                index=_LazyIndex(lambda: _index(index_url, caches.folder(INDEX))),
                advisories=_LazyAdvisories(lambda: _advisories(advisory_db, root, config)),
                commits=read_commits(root, head.sha, since),
                progress=terminal_progress,
                flaky=_flaky(junit, config, root) if junit else None,
                maintenance=_maintenance(root, caches, moment),
            )
            with SampleStore(caches.folder(HEALTH) / FILENAME) as store:
                collected = collect(
                    root,
                    collector,
                    head,
                    moment,
                    history_weeks,
                    store,
                    str(root),
                    terminal_progress,
                )
            current = collected.current
            doc = document(
                root.name,
                current,
                collected.history,
                collected.previous,
                config.health.thresholds,
            )
            previous = collected.previous
            reasons = []
            if previous is not None:
                reasons = delta_reasons(current.score, previous.components)
                reasons += item_moves(stored_sample(current, moment.date()).items, previous.items)
            function_lines = sum(
                f.own_lines for c in current.complexity.values() for f in c.functions
            )
            poor = sum(c.poor_lines for c in current.complexity.values())
            share = 100.0 * poor / function_lines if function_lines else 0.0
            debt = sum(i.minutes for i in current.items)
            text = render(doc, output_format, reasons, debt, share)
        except (
            NotARepository,
            ConfigError,
            GitError,
            IndexUnavailable,
            SampleStoreError,
        ) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FATAL)
        for problem in current.errors:
            click.echo(f"warning: {problem}", err=True)
        if output is not None:
            output.write_text(text + "\n", encoding="utf-8")
            click.echo(f"wrote {output}", err=True)
        else:
            click.echo(text)
        sys.exit(EXIT_OK)
