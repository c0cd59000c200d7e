"""`maintainer stats`: what became of the bot's PRs (the approval rate), from the store."""

from __future__ import annotations

import json

import click

from app.outcomes import OutcomeStats, summarize
from app.settings import load_settings
from app.store import open_store

COLUMNS = (
    "repository",
    "kind",
    "opened",
    "open",
    "merged",
    "untouched",
    "edited",
    "closed",
    "superseded",
    "approval",
    "median to merge",
)


@click.command("stats")
@click.option("--repo", "repository", help="Only this repository (owner/name).")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
def stats(repository: str | None, output_format: str) -> None:
    """PRs opened, merged untouched or with human edits, closed, and time to merge, per
    repository and kind."""
    try:
        settings = load_settings()
    except ValueError as exc:
        raise click.ClickException(f"invalid settings: {exc}") from None
    store = open_store(settings.database())
    try:
        rows = summarize(store.outcomes(repository))
    finally:
        store.engine.dispose()
    if output_format == "json":
        click.echo(json.dumps({"rows": [r.to_json() for r in rows]}, sort_keys=True))
        return
    if not rows:
        click.echo(f"no pull requests recorded{f' for {repository}' if repository else ''}")
        return
    click.echo(_table(rows))


def _table(rows: list[OutcomeStats]) -> str:
    cells = [COLUMNS, *(_cells(r) for r in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cells(row: OutcomeStats) -> tuple[str, ...]:
    rate = "—" if row.approval_rate is None else f"{row.approval_rate:.0%}"
    median = "—" if row.median_hours_to_merge is None else f"{row.median_hours_to_merge:g} h"
    return (
        row.repository,
        row.kind,
        str(row.opened),
        str(row.still_open),
        str(row.merged),
        str(row.merged_untouched),
        str(row.merged_with_edits),
        str(row.closed),
        str(row.superseded),
        rate,
        median,
    )
