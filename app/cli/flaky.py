"""`maintainer flaky`: flaky and broken tests from JUnit files, or from running the suite."""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import click

from app.cli import EXIT_FATAL, EXIT_FINDINGS_WITH_ERRORS, EXIT_OK
from app.config import ConfigError, FlakySettings, load_config
from app.flaky.detect import History, State, detect
from app.flaky.junit import JUnitError, junit_files, read_junit
from app.flaky.release import Quarantined, quarantined_tests
from app.flaky.report import FixResult, FlakyReport, build_report, report_json, report_table
from app.flaky.runner import (
    SuiteError,
    SuiteRunner,
    project_python,
    repeated_runs,
    suite_arguments,
)
from app.flaky.sources import read_source, uses_rerunfailures
from app.model import Proposal


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
    help="Interpreter to run the suite and the fixes' proofs with (default: "
    "PATH/.venv/bin/python, else this one).",
)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--apply",
    is_flag=True,
    help="Make the proposals as local branches (maintainer/flaky-test/...): a quarantine per "
    "flaky test, a fix proved by reruns where the cause has one, a release per quarantined test "
    "that passed often enough.",
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
    report = build_report(detect(history), root, settings, rerunfailures, today, history)
    quarantined = quarantined_tests(root, history, settings)
    applied = Applied()
    if apply:
        applied = _apply(
            root,
            report,
            quarantined,
            rerunfailures,
            settings,
            today,
            project_python(root, python),
            pytest_args,
        )
    click.echo(
        report_json(report, applied.branches, applied.fixes, quarantined, applied.releases)
        if output_format == "json"
        else report_table(report, applied.fixes, quarantined, applied.releases)
    )
    sys.exit(EXIT_FINDINGS_WITH_ERRORS if unreadable or applied.failed else EXIT_OK)


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


@dataclass
class Applied:
    """What ``--apply`` made: test id → its quarantine branch, its fix, its release branch."""

    branches: dict[str, str] = field(default_factory=dict)
    fixes: dict[str, FixResult] = field(default_factory=dict)
    releases: dict[str, str] = field(default_factory=dict)
    failed: int = 0
    """Proposals that could not be made (each said on stderr)."""


def _say(message: str) -> None:
    click.echo(message, err=True)


def _apply(
    root: Path,
    report: FlakyReport,
    quarantined: list[Quarantined],
    rerunfailures: bool,
    settings: FlakySettings,
    today: date,
    python: Path,
    pytest_args: list[str],
) -> Applied:
    """One local branch per proposal: a quarantine per flaky test, a fix where its cause has a
    mechanical one that passes its proof, a release per quarantined test that is due."""
    from app.composer.local import LocalComposer
    from app.flaky.branches import fix_proposal, quarantine_proposal, release_proposal
    from app.flaky.edits import EditError
    from app.flaky.fixing import try_fix
    from app.snapshot import NotARepository, git_toplevel

    try:
        top = git_toplevel(root).resolve()
    except NotARepository as exc:
        click.echo(f"error: --apply: {exc}", err=True)
        sys.exit(EXIT_FATAL)
    applied = Applied()
    made: list[tuple[str, str, Proposal]] = []  # (what, test id, proposal)
    for finding in report.findings:
        if finding.verdict.state is not State.FLAKY or finding.proposal is None:
            continue
        file = finding.file or ""
        text = read_source(root, file)
        if text is None:
            _say(f"not quarantined: {finding.verdict.id}: cannot read {file}")
            applied.failed += 1
            continue
        path = ((root / file).resolve()).relative_to(top).as_posix()
        try:
            made.append(
                (
                    "quarantine",
                    finding.verdict.id,
                    quarantine_proposal(finding, path, text, rerunfailures, settings, today),
                )
            )
        except EditError as exc:
            _say(f"not quarantined: {finding.verdict.id}: {exc}")
            applied.failed += 1
        outcome = try_fix(finding, root, top, text, python, pytest_args, settings.proof_runs, _say)
        if outcome.fixed is None or outcome.proof is None:
            _say(f"no fix: {finding.verdict.id}: {outcome.reason}")
            applied.fixes[finding.verdict.id] = FixResult(None, None, None, outcome.reason)
            continue
        proposal = fix_proposal(finding, path, text, outcome.fixed, outcome.proof, outcome.tried)
        made.append(("fix", finding.verdict.id, proposal))
        applied.fixes[finding.verdict.id] = FixResult(
            None, outcome.fixed.change, outcome.proof, "; ".join(outcome.tried)
        )
    for due in quarantined:
        if not due.due:
            continue
        text = read_source(root, due.file)
        path = ((root / due.file).resolve()).relative_to(top).as_posix()
        try:
            if text is None:
                raise EditError(f"cannot read {due.file}")
            proposal = release_proposal(
                due.test,
                path,
                due.line,
                text,
                due.quarantine,
                due.passes,
                settings.release_passes,
            )
        except EditError as exc:
            _say(f"not released: {due.test}: {exc}")
            applied.failed += 1
            continue
        made.append(("release", due.test, proposal))
    composed = LocalComposer(top).compose([proposal for _, _, proposal in made])
    for (what, test_id, _), done in zip(made, composed, strict=True):
        _say(f"{done.branch}: {done.action}{f' ({done.detail})' if done.detail else ''}")
        if done.action == "skipped":
            applied.failed += 1
        elif what == "quarantine":
            applied.branches[test_id] = done.branch
        elif what == "fix":
            applied.fixes[test_id] = replace(applied.fixes[test_id], branch=done.branch)
        else:
            applied.releases[test_id] = done.branch
    return applied
