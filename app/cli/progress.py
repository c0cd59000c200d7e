"""Progress of long work on stderr, only when stderr is a terminal (scripts get clean output)."""

from __future__ import annotations

import sys

import click


def terminal_progress(stage: str, done: int, total: int) -> None:
    """``stage: done/total`` rewritten in place; the line ends when the stage is done."""
    if sys.stderr.isatty():
        click.echo(f"\r{stage}: {done}/{total}", err=True, nl=done >= total)
