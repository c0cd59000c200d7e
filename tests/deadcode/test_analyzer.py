"""The analyzer on repositories with bad input and with code the codemod must refuse to edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analyzers import ANALYZERS
from app.analyzers.dead_code import DeadCodeAnalyzer
from app.config import parse_config
from app.model import Kind
from tests.deadcode.support import proposed, removed_names, repo_with, run_scan

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
    assert result.proposals == []  # the failing file's whole batch is left out...
    reason = {e.file: e.message for e in result.errors}["pkg"]  # ...and that is an error
    assert reason.startswith("removal failed in pkg/mod.py: dead code left in place")
    assert "does not compile" in reason


def test_a_batch_that_cannot_be_edited_leaves_its_room_to_the_next(tmp_path: Path) -> None:
    """Edits are built for admitted batches only; a failing one frees its place."""
    root = repo_with(
        tmp_path / "repo",
        {
            ".maintainer.yml": CONFIG + "open_pr_limit: 1\n",
            "main.py": "import a.broken, b.fine, c.fine\n\nif __name__ == '__main__':\n"
            "    a.broken.f()\n",
            "a/__init__.py": "",
            "a/broken.py": "def unused(): pass\n\n\ndef f():\n    nonlocal missing\n",
            "b/__init__.py": "",
            "b/fine.py": "def unused(): pass\n",
            "c/__init__.py": "",
            "c/fine.py": "def unused(): pass\n",
        },
    )
    result = run_scan(root)
    assert removed_names(result) == {"b/fine.py::unused"}
    errors = {e.file: e.message for e in result.errors}
    assert errors["a"].startswith("removal failed in a/broken.py")
    deferred = {d.subject: d.reason for d in result.deferred}
    assert deferred["c"].startswith("open_pr_limit of 1 reached")
    # Only the admitted batch was built: the others carry no edits.
    unbuilt = [f for f in result.findings if f.detail.file != "b/fine.py"]  # type: ignore[attr-defined]
    assert all(f.edits == () for f in unbuilt)


def test_edits_are_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = "def used(): pass\n\n\ndef unused(): pass\n"
    files: dict[str, str | bytes] = {
        ".maintainer.yml": CONFIG,
        "main.py": MAIN,
        "pkg/__init__.py": "",
        "pkg/mod.py": source,
    }
    root = repo_with(tmp_path / "repo", files)
    first = proposed(run_scan(root))
    assert [e.new for f in first for e in f.edits] == ["def used(): pass\n"]

    def refuse(*args: object) -> str:
        raise AssertionError("the codemod ran again for the same text")

    monkeypatch.setattr("app.analyzers.dead_code.remove", refuse)
    assert proposed(run_scan(root)) == first  # same text, same targets: from the cache
    (root / "pkg/mod.py").write_text(source + "\n\ndef another(): pass\n")
    with pytest.raises(AssertionError, match="ran again"):
        run_scan(root)  # the text changed: the edit is made anew


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
