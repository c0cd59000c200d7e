"""The analyzer on repositories with bad input and with code the codemod must refuse to edit."""

from __future__ import annotations

from pathlib import Path

from app.analyzers import ANALYZERS
from app.analyzers.dead_code import DeadCodeAnalyzer
from app.config import parse_config
from app.model import Kind
from tests.deadcode.support import removed_names, repo_with, reported_names, run_scan

CONFIG = "enabled: [dead-code]\ndead_code:\n  library_public_api: false\n"
MAIN = "from pkg.mod import used\n\nif __name__ == '__main__':\n    used()\n"


def test_registered_for_its_kind() -> None:
    assert ANALYZERS[Kind.DEAD_CODE] is DeadCodeAnalyzer


def test_bad_files_are_reported_and_the_rest_is_analyzed(tmp_path: Path) -> None:
    root = repo_with(
        tmp_path / "repo",
        {
            ".maintainer.yml": CONFIG,
            "main.py": MAIN,
            "pkg/__init__.py": "",
            "pkg/mod.py": "def used(): pass\n\n\ndef unused(): pass\n\n\ndef named(): pass\n",
            "pkg/broken.py": "def broken(:\n    named()\n",
            "pkg/binary.py": b"\xff\xfe\x00garbage",
        },
    )
    result = run_scan(root)
    assert {e.file for e in result.errors} == {"pkg/broken.py", "pkg/binary.py"}
    assert all(e.message.startswith("skipped") for e in result.errors)
    # The unparsable file still names `named`, so only `unused` goes.
    assert removed_names(result) == {"pkg/mod.py::unused"}


def test_a_file_the_codemod_cannot_compile_is_left_alone(tmp_path: Path) -> None:
    strange = "def unused(): pass\n\n\ndef used():\n    nonlocal missing\n"
    root = repo_with(
        tmp_path / "repo",
        {
            ".maintainer.yml": CONFIG,
            "main.py": MAIN,
            "pkg/__init__.py": "",
            "pkg/mod.py": strange,
            "pkg/other.py": "def unused_too(): pass\n",
        },
    )
    result = run_scan(root)
    assert result.proposals == []  # the failing file's whole batch is held back
    error = next(e for e in result.errors if e.file == "pkg/mod.py")
    assert "does not compile" in error.message
    assert reported_names(result) >= {"pkg/mod.py::unused"}
    summaries = " ".join(f.summary for f in result.findings if not f.edits)
    assert "removal failed in pkg/mod.py" in summaries


def test_no_history_adapter_is_a_note_not_an_error(tmp_path: Path) -> None:
    from app.analyzers.base import Adapters, ScanContext
    from app.analyzers.dead_code import DeadCodeAnalyzer
    from app.manifests import discover
    from app.pipeline import scan
    from app.snapshot import snapshot_of
    from tests.support import NOW

    root = repo_with(
        tmp_path / "repo",
        {
            ".maintainer.yml": CONFIG,
            "main.py": MAIN,
            "pkg/__init__.py": "",
            "pkg/mod.py": "def used(): pass\n",
        },
    )
    config = parse_config(CONFIG)
    snapshot = snapshot_of(root)
    context = ScanContext(
        snapshot=snapshot,
        config=config,
        manifests=discover(snapshot),
        target_python="3.11",
        now=NOW,
        adapters=Adapters(),
    )
    analysis = DeadCodeAnalyzer().analyze(context)
    assert analysis.errors == []
    assert any("no git history adapter" in note for note in analysis.notes)
    # The pipeline supplies the repository's own history when the caller does not.
    result = scan(root, Adapters(), only=[Kind.DEAD_CODE], now=NOW, config=config)
    assert result.errors == []
    assert not any("no git history adapter" in note for note in result.notes)


def test_problems_in_excluded_paths_are_not_reported(tmp_path: Path) -> None:
    config = CONFIG + "paths:\n  exclude: [vendor]\n"
    root = repo_with(
        tmp_path / "repo",
        {
            ".maintainer.yml": config,
            "main.py": MAIN,
            "pkg/__init__.py": "",
            "pkg/mod.py": "def used(): pass\n",
            "vendor/broken.py": "def broken(:\n",
        },
    )
    assert run_scan(root).errors == []
