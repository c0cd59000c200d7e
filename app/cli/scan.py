"""`maintainer scan`: the pipeline on a local checkout."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NoReturn

import click

from app.caches import INDEX, Caches, cache_options, caches_for
from app.cli import EXIT_FATAL, EXIT_FINDINGS_WITH_ERRORS, EXIT_OK, Finished
from app.cli.progress import terminal_progress
from app.model import Kind
from app.snapshot import Listing, NotARepository, git_toplevel

# The pipeline and the analyzers are imported when the command runs, after it has started
# listing the work tree (`Listing`): git's part then runs on another core meanwhile.

INDEX_KINDS = (Kind.DEPENDENCY_UPDATE, Kind.SECURITY, Kind.LOCK_FILE_MAINTENANCE)
"""The kinds whose analyzers read the package index."""

if TYPE_CHECKING:
    from app.composer import Composed
    from app.index.model import PackageIndex
    from app.model import ScanResult
    from app.security.source import AdvisorySource


def _kinds(value: str | None) -> list[Kind] | None:
    if not value:
        return None
    kinds = []
    for name in value.split(","):
        try:
            kinds.append(Kind(name.strip()))
        except ValueError as exc:
            valid = ", ".join(k.value for k in Kind)
            raise click.BadParameter(f"unknown kind {name.strip()!r} (valid: {valid})") from exc
    return kinds


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
@click.option("--only", "only", metavar="KIND[,KIND]", help="Run only these analyzers.")
@click.option("--apply", is_flag=True, help="Create one local branch per proposal.")
@click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write each proposal body to DIR/<branch-slug>.md.",
)
@click.option("--index-url", help="Package index (PEP 691); default PIP_INDEX_URL or PyPI.")
@cache_options
@click.option(
    "--advisory-db",
    type=click.Path(path_type=Path, file_okay=False),
    help="Audit against this directory of OSV records (vulns/<package>/<ID>.yaml), offline.",
)
@click.option(
    "--vulnerability-service",
    type=click.Choice(["osv", "pypi"]),
    help="pip-audit's vulnerability service (default: .maintainer.yml security.service).",
)
@click.option("--osv-url", help="OSV API query URL for pip-audit (default: the public OSV).")
@click.option("--now", "now", type=click.DateTime(), hidden=True, help="Pretend it is this time.")
def scan(
    path: Path,
    output_format: str,
    only: str | None,
    apply: bool,
    output_dir: Path | None,
    index_url: str | None,
    cache_dir: Path | None,
    no_cache: bool,
    advisory_db: Path | None,
    vulnerability_service: Literal["osv", "pypi"] | None,
    osv_url: str | None,
    now: datetime | None,
) -> None:
    """Scan the git repository at PATH and print the maintenance it proposes.

    Exit status: 0 done, 1 done with errors listed, 2 nothing done (bad repository, invalid
    .maintainer.yml, package index unreachable).
    """
    kinds = _kinds(only)
    try:
        listing = Listing.start(path)
    except NotARepository as exc:
        _fatal(exc)
    try:
        from app import pipeline
        from app.analyzers.base import Adapters
        from app.config import ConfigError
        from app.index.model import IndexUnavailable

        with caches_for(cache_dir, no_cache) as caches:
            adapters = Adapters(
                index=_index(index_url, caches) if _may_read_index(kinds) else None,
                advisories=_advisory_source(advisory_db, vulnerability_service, osv_url),
                caches=caches,
            )
            try:
                moment = now.replace(tzinfo=UTC) if now else datetime.now(UTC)
                result = pipeline.scan(
                    path,
                    adapters,
                    only=kinds,
                    now=moment,
                    progress=terminal_progress,
                    listing=listing,
                )
            except (NotARepository, ConfigError, IndexUnavailable) as exc:
                _fatal(exc)
    finally:
        listing.close()
    from app.output import scan_json, scan_table

    composed: list[Composed] | None = None
    if apply:
        from app.composer.local import LocalComposer

        composed = LocalComposer(git_toplevel(path)).compose(result.proposals)
    if output_dir is not None:
        _write_bodies(result, output_dir)
    if output_format == "json":
        click.echo(scan_json(result, composed))
    else:
        click.echo(scan_table(result, composed))
    # Unaudited dependencies are not known to be safe: say so in the exit status too.
    raise Finished(EXIT_FINDINGS_WITH_ERRORS if result.errors or result.unaudited else EXIT_OK)


def _fatal(error: Exception) -> NoReturn:
    """Nothing was done: say why, and exit with `EXIT_FATAL`."""
    click.echo(f"error: {error}", err=True)
    sys.exit(EXIT_FATAL)


def _may_read_index(kinds: list[Kind] | None) -> bool:
    """Whether the scan may look up releases: without ``--only``, `.maintainer.yml` decides."""
    return kinds is None or any(kind in INDEX_KINDS for kind in kinds)


def _index(index_url: str | None, caches: Caches) -> PackageIndex:
    """The package index client (its modules are imported only when a scan may need it)."""
    from app.index.cache import HttpCache
    from app.index.client import SimpleIndex

    return SimpleIndex(index_url, cache=HttpCache(caches.folder(INDEX)))


def _advisory_source(
    advisory_db: Path | None, service: Literal["osv", "pypi"] | None, osv_url: str | None
) -> AdvisorySource | None:
    """The command line's choice, overriding `.maintainer.yml`; ``None`` leaves it to the file
    (the advisory modules are imported only when asked for: a dead-code scan needs none)."""
    if advisory_db is not None:
        from app.security.directory import AdvisoryDirectory

        return AdvisoryDirectory(advisory_db)
    if service is not None or osv_url is not None:
        from app.security.pip_audit import PipAuditSettings, PipAuditSource

        return PipAuditSource(PipAuditSettings(service=service or "osv", osv_url=osv_url))
    return None


def _write_bodies(result: ScanResult, directory: Path) -> None:
    from app.proposals import slugify

    directory.mkdir(parents=True, exist_ok=True)
    for proposal in result.proposals:
        name = slugify(proposal.branch.replace("/", "-"))
        (directory / f"{name}.md").write_text(proposal.body, encoding="utf-8")
