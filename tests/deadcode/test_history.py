"""The gitpython evidence adapter, on a repository with dated commits."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.deadcode.history import GitPythonHistory
from tests.deadcode.support import git, repo_with


def test_last_change_per_line_range_and_per_file(tmp_path: Path) -> None:
    root = repo_with(tmp_path / "repo", {"mod.py": "a = 1\nb = 2\nc = 3\n"})
    (root / "mod.py").write_text("a = 1\nb = 20\nc = 3\n")
    git(root, "commit", "-qam", "change b", date="2026-07-15T08:00:00+00:00")
    (root / "mod.py").write_text("a = 1\nb = 20\nc = 3\nd = 4\n")  # uncommitted line
    history = GitPythonHistory(root)
    first = history.last_change("mod.py", 1, 1)
    both = history.last_change("mod.py", 1, 2)
    assert first is not None and first.date == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert both is not None and both.date == datetime(2026, 7, 15, 8, tzinfo=UTC)
    assert both.summary == "change b" and len(both.commit) == 12
    assert history.last_change("mod.py", 4, 4) is None
    whole = history.file_change("mod.py")
    assert whole is not None and whole.summary == "change b"


def test_unknown_files_and_empty_repositories_have_no_history(tmp_path: Path) -> None:
    root = repo_with(tmp_path / "repo", {"mod.py": "a = 1\n"})
    history = GitPythonHistory(root)
    assert history.file_change("missing.py") is None
    assert history.last_change("missing.py", 1, 3) is None
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    (empty / "new.py").write_text("x = 1\n")
    assert GitPythonHistory(empty).last_change("new.py", 1, 1) is None
