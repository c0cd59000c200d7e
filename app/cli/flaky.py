"""`maintainer flaky`: flaky and broken tests from JUnit files, or from running the suite."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import click

from app.cli import EXIT_FATAL, EXIT_FINDINGS_WITH_ERRORS, EXIT_OK
from app.config import ConfigError, FlakySettings, load_config
from app.flaky.detect import History, State, detect
from app.flaky.junit import JUnitError, junit_files, read_junit
from app.flaky.report import FlakyReport, build_report, report_json, report_table
from app.flaky.runner import (
    SuiteError,
    SuiteRunner,
    project_python,
    repeated_runs,
    suite_arguments,
)
from app.flaky.sources import read_source, uses_rerunfailures


class _SuiteArgumentsCommand(click.Command):
    """Everything after ``--`` goes to pytest untouched (``ctx.meta["pytest_args"]``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            split = args.index("--")
            ctx.meta["pytest_args"] = args[split + 1 :]
            args = args[:split]
        return super().parse_args(ctx, args)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        click.echo(f"\rrun {done}/{total}", err=True, nl=done >= total)


@click.command(cls=_SuiteArgumentsCommand)
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False), default=".")
@click.option(
    "--junit",
    "junit",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="A JUnit XML file, or a folder searched for *.xml (repeatable).",
)
@click.option("--runs", type=click.IntRange(2, 1000), help="Run the suite this many times.")
@click.option(
    "--python",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Interpreter to run the suite with (default: PATH/.venv/bin/python, else this one).",
)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--apply",
    is_flag=True,
    help="Quarantine each flaky test on a local branch (maintainer/flaky-test/...).",
)
@click.option("--now", "now", type=click.DateTime(), hidden=True, help="Pretend it is this time.")
@click.pass_context
def flaky(
    ctx: click.Context,
    path: Path,
    junit: tuple[Path, ...],
    runs: int | None,
    python: Path | None,
    output_format: str,
    apply: bool,
    now: datetime | None,
) -> None:
    """Find flaky and broken tests of the project at PATH.

    Either from JUnit XML files (--junit FILE_OR_DIR...; a commit sha in a file's path or a
    `commit` testsuite property groups runs by commit), or by running the suite N times
    (--runs N [-- PYTEST_ARGS]). Exit status: 0 done, 1 done but some JUnit files could not
    be read or some flaky tests could not be quarantined (listed on stderr), 2 nothing done.
    """
    pytest_args: list[str] = ctx.meta.get("pytest_args", [])
    if bool(junit) == bool(runs):
        raise click.UsageError("give either --junit FILE_OR_DIR... or --runs N")
    if pytest_args and not runs:
        raise click.UsageError("arguments after -- are for pytest, with --runs")
    root = path.resolve()
    try:
        settings = load_config(root).config.flaky
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FATAL)
    history = History(settings)
    unreadable: list[JUnitError] = []
    if junit:
        for file in junit_files(junit):
            try:
                history.add(read_junit(file))
            except JUnitError as exc:
                unreadable.append(exc)
        if not history.runs and not history.ignored:
            for problem in unreadable:
                click.echo(f"error: {problem}", err=True)
            click.echo("error: no readable JUnit file found", err=True)
            sys.exit(EXIT_FATAL)
    else:
        _run_suite(root, python, runs or 0, pytest_args, history)
    for ignored in history.ignored:
        click.echo(f"ignored {ignored.source}: {ignored.reason}", err=True)
    for problem in unreadable:
        click.echo(f"error: {problem}", err=True)
    today = (now.replace(tzinfo=UTC) if now else datetime.now(UTC)).date()
    rerunfailures = uses_rerunfailures(root)
    report = build_report(detect(history), root, settings, rerunfailures, today)
    branches, not_quarantined = (
        _quarantine(root, report, rerunfailures, settings, today) if apply else ({}, 0)
    )
    click.echo(report_json(report, branches) if output_format == "json" else report_table(report))
    sys.exit(EXIT_FINDINGS_WITH_ERRORS if unreadable or not_quarantined else EXIT_OK)


def _run_suite(
    root: Path, python: Path | None, runs: int, pytest_args: list[str], history: History
) -> None:
    try:
        runner = SuiteRunner(root, project_python(root, python), suite_arguments(pytest_args))
        if runner.has_module("pytest_randomly"):
            click.echo("pytest-randomly is installed: each run has its own order", err=True)
        with tempfile.TemporaryDirectory(prefix="maintainer-flaky-") as folder:
            for run in repeated_runs(runner, runs, Path(folder), _progress):
                history.add(run)
    except SuiteError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FATAL)


def _quarantine(
    root: Path,
    report: FlakyReport,
    rerunfailures: bool,
    settings: FlakySettings,
    today: date,
) -> tuple[dict[str, str], int]:
    """One local branch per flaky test: test id → its branch (made or up to date), and how
    many flaky tests could not be quarantined (each said on stderr)."""
    from app.composer.local import LocalComposer
    from app.flaky.branches import quarantine_proposal
    from app.flaky.edits import EditError
    from app.snapshot import NotARepository, git_toplevel

    try:
        top = git_toplevel(root).resolve()
    except NotARepository as exc:
        click.echo(f"error: --apply: {exc}", err=True)
        sys.exit(EXIT_FATAL)
    proposals = []
    failed = 0
    for finding in report.findings:
        if finding.verdict.state is not State.FLAKY or finding.proposal is None:
            continue
        file = finding.file or ""
        text = read_source(root, file)
        if text is None:
            click.echo(f"not quarantined: {finding.verdict.id}: cannot read {file}", err=True)
            failed += 1
            continue
        path = ((root / file).resolve()).relative_to(top).as_posix()
        try:
            proposals.append(
                (
                    finding.verdict.id,
                    quarantine_proposal(finding, path, text, rerunfailures, settings, today),
                )
            )
        except EditError as exc:
            click.echo(f"not quarantined: {finding.verdict.id}: {exc}", err=True)
            failed += 1
    composed = LocalComposer(top).compose([proposal for _, proposal in proposals])
    branches = {}
    for (test_id, _), done in zip(proposals, composed, strict=True):
        click.echo(
            f"{done.branch}: {done.action}{f' ({done.detail})' if done.detail else ''}", err=True
        )
        if done.action == "skipped":
            failed += 1
        else:
            branches[test_id] = done.branch
    return branches, failed
