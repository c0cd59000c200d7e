"""`maintainer queries`: slow PostgreSQL statements, hypothetical indexes, migration branches."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.caches import cache_options, caches_for
from app.cli import EXIT_FATAL, EXIT_FINDINGS_WITH_ERRORS, EXIT_OK
from app.config import ConfigError, load_config

if TYPE_CHECKING:
    from app.queries.history import Trend
    from app.queries.proposals import IndexPlan


@click.command()
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False), default=".")
@click.option(
    "--database-url",
    "database_url",
    required=True,
    help="PostgreSQL URL or DSN of the application's database (a read-only role is enough).",
)
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json", "markdown"]), default="table"
)
@click.option(
    "--apply",
    is_flag=True,
    help="Put each index in its model with a migration on a local branch "
    "(maintainer/performance/...).",
)
@cache_options
@click.option("--now", "now", type=click.DateTime(), hidden=True, help="Pretend it is this time.")
def queries(
    path: Path,
    database_url: str,
    output_format: str,
    apply: bool,
    cache_dir: Path | None,
    no_cache: bool,
    now: datetime | None,
) -> None:
    """Slow statements of the PostgreSQL database behind the project at PATH, and the indexes
    that cut their cost (proven with HypoPG hypothetical indexes; no real index is created).

    Needs pg_stat_statements and hypopg in the database (pg_qualstats if present gives real
    parameter values). Exit status: 0 done, 1 done but some index could not be put on a
    branch (said on stderr), 2 nothing done (database, extension, permission or config problem).
    """
    from app.queries.access import Database, QueriesError
    from app.queries.advisor import advise
    from app.queries.evidence import columns, foreign_keys
    from app.queries.history import FILENAME, FOLDER, History, HistoryError, trends
    from app.queries.models import find_models
    from app.queries.nplusone import hints
    from app.queries.proposals import plan_index
    from app.queries.report import Report, report_text

    root = path.resolve()
    day = (now.replace(tzinfo=UTC) if now else datetime.now(UTC)).date()
    try:
        settings = load_config(root).config.queries
        with Database.connect(database_url) as db, caches_for(cache_dir, no_cache) as caches:
            capabilities = db.check()
            advice = advise(db, capabilities, settings)
            table_columns = columns(db)
            keys = foreign_keys(db)
            with History(caches.folder(FOLDER) / FILENAME) as history:
                history.record(db.where, day, advice.top, advice.tables.values())
                found_trends = trends(
                    history, db.where, advice.top, advice.tables, settings.mean_ms_threshold
                )
    except (QueriesError, ConfigError, HistoryError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FATAL)
    models = find_models(root)
    plans = tuple(plan_index(root, index, models) for index in advice.indexes)
    found_hints = tuple(hints(advice.top, table_columns, keys, models, settings.n_plus_one_calls))
    branches: dict[str, str] = {}
    failed = 0
    if apply:
        branches, failed = _apply(root, plans, found_trends)
    report = Report(db.where, advice, plans, found_trends, found_hints, branches)
    click.echo(report_text(report, output_format))
    sys.exit(EXIT_FINDINGS_WITH_ERRORS if failed else EXIT_OK)


def _apply(
    root: Path, plans: tuple[IndexPlan, ...], found_trends: Mapping[str, Trend]
) -> tuple[dict[str, str], int]:
    """One local branch per index that has a model; how many could not get one."""
    from app.composer.local import LocalComposer
    from app.queries.proposals import proposal
    from app.snapshot import NotARepository, git_toplevel

    try:
        top = git_toplevel(root).resolve()
    except NotARepository as exc:
        click.echo(f"error: --apply: {exc}", err=True)
        sys.exit(EXIT_FATAL)
    if top != root:
        click.echo("error: --apply: PATH must be the top of its git repository", err=True)
        sys.exit(EXIT_FATAL)
    failed = 0
    ready = []
    for plan in plans:
        if plan.problem:
            click.echo(f"no branch for {plan.advice.name}: {plan.problem}", err=True)
            failed += 1
        else:
            ready.append((plan.advice.name, proposal(plan, found_trends)))
    branches = {}
    composed = LocalComposer(top).compose([made for _, made in ready])
    for (name, _), done in zip(ready, composed, strict=True):
        detail = f" ({done.detail})" if done.detail else ""
        click.echo(f"{done.branch}: {done.action}{detail}", err=True)
        if done.action == "skipped":
            failed += 1
        else:
            branches[name] = done.branch
    return branches, failed
