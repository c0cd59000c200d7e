"""The proof of a fix: the fixed test rerun N times for real (I/O edge).

The fix's tree (the base commit with the fix's edits) is checked out in a temporary detached
git worktree and the test runs there N times, each in its own pytest process, in the project's
environment (`app.flaky.runner.SuiteRunner`). The fix stands only when every run passed;
anything else (a failure, an error, the test not collected) is a failed proof.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.flaky.junit import JUnitError, Outcome, read_junit
from app.flaky.runner import SuiteError, SuiteRunner
from app.model import Edit


@dataclass(frozen=True)
class Proof:
    node: str
    runs: int
    """Reruns asked for."""
    passed: int
    failures: tuple[str, ...] = ()
    """Why a rerun did not pass (the reruns stop at the first that does not)."""

    @property
    def holds(self) -> bool:
        return self.runs > 0 and self.passed == self.runs


def node_id(file: str, test_id: str) -> str:
    """pytest's node id (``tests/test_a.py::TestB::test_c``); parameters are dropped so every
    parameter set runs."""
    if file.startswith("-"):  # never an option to pytest
        file = f"./{file}"
    classname, _, name = test_id.rpartition("::")
    name = name.split("[", 1)[0]
    module_parts = file.removeprefix("./").removesuffix(".py").replace("/", ".").split(".")
    owners = classname.split(".")
    # the classname is the module, then the classes: what follows the module is the class path
    classes = owners[len(module_parts) :] if owners[: len(module_parts)] == module_parts else []
    return "::".join([file, *classes, name])


def prove(
    top: Path,
    project: str,
    edits: Sequence[Edit],
    node: str,
    python: Path,
    arguments: Sequence[str],
    runs: int,
    base: str = "HEAD",
) -> Proof:
    """Run ``node`` ``runs`` times in ``base`` + ``edits`` (paths relative to the git top
    ``top``; ``project`` is the project folder relative to it, "" for the top itself)."""
    with tempfile.TemporaryDirectory(prefix="maintainer-proof-") as scratch:
        checkout = Path(scratch) / "tree"
        _git(top, "worktree", "add", "--detach", "--quiet", str(checkout), base)
        try:
            for edit in edits:
                if edit.offset != 0 or edit.new is None:
                    raise SuiteError(f"{edit.path}: only whole-file edits can be proved")
                (checkout / edit.path).write_text(edit.new, encoding="utf-8")
            runner = SuiteRunner(checkout / project, python, (*arguments, node))
            return _rerun(runner, node, runs, Path(scratch))
        finally:
            _git(top, "worktree", "remove", "--force", str(checkout))


def _rerun(runner: SuiteRunner, node: str, runs: int, folder: Path) -> Proof:
    """Rerun until ``runs`` passed or one did not (then the proof has failed already)."""
    passed = 0
    for index in range(runs):
        junit = folder / f"proof-{index:03d}.xml"
        try:
            runner.run(junit)
            results = read_junit(junit).results
        except (SuiteError, JUnitError) as exc:
            return Proof(node, runs, passed, (f"rerun {index + 1}: {exc}",))
        bad = [r for r in results if r.outcome is not Outcome.PASSED]
        if not results or bad:
            why = bad[0].message.splitlines()[0] if bad and bad[0].message else ""
            what = bad[0].outcome.value if bad else "not collected"
            return Proof(node, runs, passed, (f"rerun {index + 1}: {what} {why}".strip(),))
        passed += 1
    return Proof(node, runs, passed)


def _git(top: Path, *args: str) -> None:
    completed = subprocess.run(
        ["git", "-C", str(top), *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SuiteError(f"git {args[0]} {args[1]}: {completed.stderr.strip()}")
