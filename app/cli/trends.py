"""`maintainer trends`: forecast the `.maintainer.yml` monitors from a Prometheus."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from app.cli import EXIT_FATAL, EXIT_FINDINGS_WITH_ERRORS, EXIT_OK
from app.config import (
    ConfigError,
    ConfigProblem,
    RepoConfig,
    find_config,
    parse_config,
    read_config_file,
)


@click.command()
@click.option(
    "--prometheus",
    "url",
    metavar="URL",
    help="Prometheus base URL; default: MAINTAINER_PROMETHEUS_URL. Credentials come from "
    "MAINTAINER_PROMETHEUS_TOKEN or MAINTAINER_PROMETHEUS_USERNAME/PASSWORD.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The config file naming the monitors; default: .maintainer.yml of the current folder.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
)
@click.option("--monitor", "only", multiple=True, help="Only this monitor (repeatable).")
@click.option("--now", "now", type=click.DateTime(), hidden=True, help="Pretend it is this time.")
def trends(
    url: str | None,
    config_path: Path | None,
    output_format: str,
    only: tuple[str, ...],
    now: datetime | None,
) -> None:
    """Forecast when each monitor crosses its threshold; alert within lead time + margin.

    Exit status: 0 when every monitor was read (alerting or not), 1 when some query failed,
    2 when Prometheus or the config cannot be used.
    """
    from app.ops.prometheus import PrometheusClient, PrometheusError, settings_auth
    from app.ops.trends import collect, summary, trend_json
    from app.settings import Settings

    settings = Settings()
    try:
        config = _config(config_path)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FATAL)
    monitors = [m for m in config.monitors if not only or m.name in only]
    unknown = sorted(set(only) - {m.name for m in config.monitors})
    if unknown:
        click.echo(f"error: no monitor named {', '.join(unknown)} in the config", err=True)
        sys.exit(EXIT_FATAL)
    if not monitors:
        click.echo("error: the config names no monitors (`monitors:` in .maintainer.yml)", err=True)
        sys.exit(EXIT_FATAL)
    address = url or settings.prometheus_url
    if not address:
        click.echo(
            "error: no Prometheus: pass --prometheus URL or set MAINTAINER_PROMETHEUS_URL", err=True
        )
        sys.exit(EXIT_FATAL)
    auth = settings_auth(settings)
    moment = (now.replace(tzinfo=UTC) if now and now.tzinfo is None else now) or datetime.now(UTC)
    try:
        with PrometheusClient(address, auth) as client:
            results = collect(client, monitors, moment)
    except PrometheusError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FATAL)

    if output_format == "json":
        document = {
            "prometheus": client.url,
            "at": moment.isoformat(),
            "summary": summary(results),
            "monitors": [trend_json(t) for t in results],
        }
        click.echo(json.dumps(document, indent=2))
    elif output_format == "markdown":
        from app.ops.render import trends_markdown

        click.echo(trends_markdown(results), nl=False)
    else:
        from app.ops.render import trends_table

        click.echo(trends_table(results), nl=False)
    failed = [t for t in results if t.status == "error"]
    for trend in failed:
        click.echo(f"error: monitor {trend.monitor.name}: {trend.reason}", err=True)
    sys.exit(EXIT_FINDINGS_WITH_ERRORS if failed else EXIT_OK)


def _config(path: Path | None) -> RepoConfig:
    if path is None:
        root = Path.cwd()
        found = find_config(root)
        if found is None:
            problem = ConfigProblem("(file)", None, "not found here: pass --config FILE")
            raise ConfigError(".maintainer.yml", [problem])
        path = found
        shown = found.relative_to(root).as_posix()
        return parse_config(read_config_file(found, root, shown), shown)
    return parse_config(read_config_file(path), str(path))
