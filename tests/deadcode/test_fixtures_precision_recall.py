"""Precision and recall at the default settings, on two fixture repositories.

``traps``: an application whose code runs although nothing names it (add-on hooks called by a
name made from an event class, a build tool's hook file, modules imported by computed names,
registries fed by ``__init_subclass__`` and a metaclass, test helpers shipped in the package):
nothing may be removed. ``ledger``: a library with dead clusters, a dead class whose method
names are used elsewhere, a dead nested class and nested function, and public but internal
names: every one of them is removed, and the library still works.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.deadcode.support import (
    apply,
    compile_all,
    proposed,
    removed_names,
    repo_from,
    reported_names,
    run_pytest,
    run_scan,
)
from tests.support import FIXTURES

TRAPS = FIXTURES / "deadcode" / "traps"
LEDGER = FIXTURES / "deadcode" / "ledger"


def test_traps_zero_removals(tmp_path: Path) -> None:
    result = run_scan(repo_from(TRAPS, tmp_path / "traps"))
    assert removed_names(result) == set()
    assert result.errors == []
    # Dead by every reference, but a computed getattr may call them: reported, not proposed.
    assert reported_names(result) == {
        "relay/addons/greeter.py::Greeter.shutdown",  # `Shutdown` -> "shutdown"
        "relay/backends/disk.py::Backend.store",  # also defined by another class
        "relay/backends/memory.py::Backend.store",
    }
    summaries = " ".join(f.summary for f in result.findings)
    assert "possibly dispatched by name" in summaries


def test_traps_fixture_program_runs(tmp_path: Path) -> None:
    """The fixture is a real program: what the scan keeps is what it runs."""
    root = repo_from(TRAPS, tmp_path / "traps")
    completed = subprocess.run(
        [sys.executable, "-m", "relay"], cwd=root, capture_output=True, text=True, check=True
    )
    assert completed.stdout.splitlines()[-3:] == ["['built', 'cleaned']", "['a,b']", "bye"]


LEDGER_DEAD = {
    "ledger/book.py::Book._Snapshot",  # nested class
    "ledger/book.py::open_book._audit",  # function nested in a function
    "ledger/money.py::LegacyCache",  # `.get`/`.add`/`__init__` elsewhere do not keep it
    "ledger/money.py::_round_half",  # a dead cluster: found together...
    "ledger/money.py::_towards_even",  # ...at full confidence
    "ledger/money.py::format_amount",  # public, but not exported: internal
}


@pytest.mark.slow
def test_ledger_everything_dead_is_found_at_default_settings(tmp_path: Path) -> None:
    root = repo_from(LEDGER, tmp_path / "ledger")
    result = run_scan(root)
    assert removed_names(result) == LEDGER_DEAD
    assert reported_names(result) == set()
    apply(root, (e for f in proposed(result) for e in f.edits))
    compile_all(root)
    book = (root / "ledger/book.py").read_text()
    assert "_Snapshot" not in book and "_audit" not in book and "_label" in book
    outcome = run_pytest(root)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    example = subprocess.run(
        [sys.executable, "examples/quickstart.py"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root)},
        check=True,
    )
    assert example.stdout.strip() == "1200"
    assert removed_names(run_scan(root)) == set()
