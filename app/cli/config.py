"""`maintainer config validate|schema`: check `.maintainer.yml`, print its JSON Schema."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.cli import EXIT_FATAL
from app.config import (
    ConfigError,
    find_config,
    json_schema,
    load_config,
    parse_config,
    read_config_file,
)


@click.group()
def config() -> None:
    """Check `.maintainer.yml` or print its JSON Schema."""


@config.command("validate")
@click.argument("path", type=click.Path(path_type=Path, exists=True), default=".")
def config_validate(path: Path) -> None:
    """Validate PATH (a repository or a config file)."""
    try:
        if path.is_file():
            parse_config(read_config_file(path), str(path))
            shown = str(path)
        else:
            loaded = load_config(path)
            if loaded.path is None:
                click.echo(f"no .maintainer.yml in {path}: the defaults apply")
                return
            shown = str(find_config(path))
    except ConfigError as exc:
        click.echo(f"{exc.path}: invalid configuration", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(EXIT_FATAL)
    click.echo(f"{shown}: valid")


@config.command("schema")
def config_schema() -> None:
    """Print the JSON Schema of `.maintainer.yml`."""
    click.echo(json_schema())
