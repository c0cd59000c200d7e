"""`maintainer resident`: the process that keeps the scan's modules imported (`app.resident`)."""

from __future__ import annotations

import json
import os
import time

import click

from app.cli import EXIT_FATAL, EXIT_OK
from app.resident.client import Resident
from app.resident.protocol import ProtocolError, Unavailable, enabled


@click.group()
def resident() -> None:
    """The resident process that runs `maintainer scan` with its modules already imported.

    The first scan starts it; it ends after MAINTAINER_RESIDENT_IDLE seconds without a scan
    (default 900), or when the code it imported changes. MAINTAINER_RESIDENT=off turns it off;
    under CI (CI set) it is off unless turned on.
    """


def _resident() -> Resident:
    try:
        return Resident(os.environ, os.getcwd())
    except (Unavailable, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_FATAL) from None


def _ask(found: Resident, command: str) -> dict[str, object] | None:
    try:
        return found.ask(command)
    except (ProtocolError, OSError) as exc:
        click.echo(f"error: the resident process at {found.path} did not answer: {exc}", err=True)
        raise SystemExit(EXIT_FATAL) from None


@resident.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def status(output_format: str) -> None:
    """Whether a resident process serves this Python, and what it has done."""
    found = _resident()
    reply = _ask(found, "status")
    state = reply.get("status") if reply else None
    document = {
        "socket": found.path,
        "enabled": _enabled(),
        "running": isinstance(state, dict),
        **(state if isinstance(state, dict) else {}),
    }
    if output_format == "json":
        click.echo(json.dumps(document, indent=2))
        return
    if not isinstance(state, dict):
        click.echo(f"no resident process at {found.path}")
        click.echo(f"scans start one: {'yes' if document['enabled'] else 'no'}")
        return
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(state["started"])))
    click.echo(f"resident process {state['pid']} at {found.path}, since {since}")
    click.echo(f"commands run: {state['served']} ({state['busy']} running now)")
    click.echo(
        f"modules imported: {state['modules']}; ends after {state['idle_seconds']:.0f} s idle"
    )
    click.echo(f"peak memory: {state['peak_mib']} MiB")
    last = state.get("last_command")
    if isinstance(last, dict):
        click.echo(
            f"last command: exit {last['exit']} after {last['seconds']} s, "
            f"peak {last['peak_mib']} MiB (pages shared with the resident process included)"
        )


@resident.command()
def stop() -> None:
    """End the resident process (after the scans it is running)."""
    found = _resident()
    reply = _ask(found, "stop")
    if reply is None:
        click.echo(f"no resident process at {found.path}")
    elif reply.get("stopping"):
        click.echo(f"the resident process at {found.path} is ending")
    else:
        click.echo(f"error: the resident process answered {reply}", err=True)
        raise SystemExit(EXIT_FATAL)
    raise SystemExit(EXIT_OK)


def _enabled() -> bool:
    try:
        return enabled(os.environ)
    except Unavailable:
        return False
