"""`maintainer stats`: what became of the bot's PRs (the approval rate), and the incident
figures (incidents, time to resolve, predictions, incidents prevented), from the store."""

from __future__ import annotations

import json

import click

from app.incidents.figures import IncidentFigures, incident_figures
from app.outcomes import OutcomeStats, summarize
from app.settings import load_settings
from app.store import Store, open_store

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
    repository and kind; incidents, time to resolve, predictions and incidents prevented."""
    try:
        settings = load_settings()
    except ValueError as exc:
        raise click.ClickException(f"invalid settings: {exc}") from None
    store = open_store(settings.database())
    try:
        outcomes = store.outcomes(repository)
        rows = summarize(outcomes)
        figures = _incident_figures(store, repository)
    finally:
        store.engine.dispose()
    if output_format == "json":
        document = {"rows": [r.to_json() for r in rows], "incidents": figures.to_json()}
        click.echo(json.dumps(document, sort_keys=True))
        return
    if not rows:
        click.echo(f"no pull requests recorded{f' for {repository}' if repository else ''}")
    else:
        click.echo(_table(rows))
    click.echo("")
    click.echo(_figures_table(figures))


def _incident_figures(store: Store, repository: str | None) -> IncidentFigures:
    """Incidents whose issue is in `repository` (all without it), and trend alerts kept there."""
    everywhere = store.incidents()
    names = {r.id: r.full_name for r in store.repositories(active_only=False)}
    alerts = [
        (names[a.repository_id], a)
        for a in store.trend_alerts()
        if a.repository_id in names and repository in (None, names[a.repository_id])
    ]
    incidents = [i for i in everywhere if repository in (None, i.repository)]
    return incident_figures(incidents, alerts, store.outcomes(), every_incident=everywhere)


def _figures_table(figures: IncidentFigures) -> str:
    def minutes(value: float | None) -> str:
        return "—" if value is None else f"{value:g} min"

    cells = (
        ("incidents", str(figures.incidents)),
        ("resolved", str(figures.resolved)),
        ("time to resolve, median", minutes(figures.median_minutes_to_resolve)),
        ("time to resolve, p90", minutes(figures.p90_minutes_to_resolve)),
        ("predictions made", str(figures.predictions)),
        ("incidents prevented", str(figures.prevented)),
    )
    width = max(len(name) for name, _ in cells)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in cells)


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
