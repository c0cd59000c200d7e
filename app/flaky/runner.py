"""Running a project's test suite several times, each run writing a JUnit file (I/O edge).

The suite runs in the project's environment: the interpreter given, else the project's
``.venv/bin/python`` when there is one, else the current interpreter. pytest writes
``xunit1`` (which records each test's file and line) into a temporary folder; the cache
provider is off so one run cannot reorder the next (``--lf``/``--ff``). When pytest-randomly
is installed there it shuffles the order of every run by itself.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from app.flaky.junit import JUnitError, Run, read_junit

# pytest's exit statuses that mean the tests ran (0 all passed, 1 some failed)
_RAN = {0, 1}


class SuiteError(Exception):
    """The suite could not be run at all (no pytest, nothing collected, a usage error)."""


@dataclass(frozen=True)
class SuiteRunner:
    root: Path
    python: Path
    arguments: tuple[str, ...] = ()
    timeout: float = 600.0

    def has_module(self, module: str) -> bool:
        completed = subprocess.run(
            [str(self.python), "-c", f"import {module}"],
            cwd=self.root,
            capture_output=True,
            check=False,
            timeout=60,
        )
        return completed.returncode == 0

    def commit(self) -> str:
        """HEAD's sha when ``root`` is in a git repository: every run shares it."""
        completed = subprocess.run(
            ["git", "-C", str(self.root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        return completed.stdout.strip() if completed.returncode == 0 else "working-tree"

    def run(self, junit: Path) -> None:
        command = [
            str(self.python),
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-o",
            "junit_family=xunit1",
            f"--junitxml={junit}",
            *self.arguments,
        ]
        try:
            completed = subprocess.run(
                command,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                check=False,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise SuiteError(f"the test suite ran longer than {self.timeout:.0f} s") from exc
        except OSError as exc:
            raise SuiteError(f"cannot start {self.python}: {exc.strerror}") from exc
        if completed.returncode not in _RAN:
            tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise SuiteError(
                f"pytest exited with status {completed.returncode}"
                + (f": {' / '.join(tail)}" if tail else "")
            )


def project_python(root: Path, given: Path | None) -> Path:
    if given is not None:
        return given
    venv = root / ".venv" / "bin" / "python"
    return venv if venv.exists() else Path(sys.executable)


def repeated_runs(
    runner: SuiteRunner,
    times: int,
    folder: Path,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Iterator[Run]:
    """Run the suite ``times`` times; each run's results, all on the same commit."""
    commit = runner.commit()
    for index in range(times):
        junit = folder / f"run-{index:04d}.xml"
        runner.run(junit)
        try:
            run = read_junit(junit)
        except JUnitError as exc:
            raise SuiteError(f"run {index + 1}: {exc.reason}") from exc
        progress(index + 1, times)
        yield replace(run, commit=commit, workflow="local", attempt=index + 1)


def suite_arguments(arguments: Sequence[str]) -> tuple[str, ...]:
    """Options that would fight ours (another JUnit file) are refused."""
    for argument in arguments:
        if argument.startswith("--junitxml") or argument.startswith("--junit-xml"):
            raise SuiteError("--junitxml is set by maintainer flaky itself")
    return tuple(arguments)
