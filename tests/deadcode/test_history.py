"""The gitpython evidence adapter, on a repository with dated commits."""

from __future__ import annotations

import marshal
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import pytest

from app.deadcode.cache import FactsCache
from app.deadcode.history import GitPythonHistory, decode_blame
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


def _no_git(*args: object) -> NoReturn:
    raise AssertionError("git was run although the answer was cached")


def test_cached_blame_and_log_are_reused_until_head_or_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo_with(tmp_path / "repo", {"mod.py": "a = 1\nb = 2\n", "old.py": "x = 1\n"})
    (root / "mod.py").write_text("a = 1\nb = 2\nc = 3\n")  # an uncommitted line
    cache = FactsCache(tmp_path / "cache")
    first = GitPythonHistory(root, cache)
    expected = [first.last_change("mod.py", n, n) for n in (1, 2, 3)]
    logged = first.file_change("old.py")
    assert expected[0] is not None and expected[2] is None and logged is not None

    with monkeypatch.context() as patched:  # a new scan: answered from the cache alone
        patched.setattr(GitPythonHistory, "_run_blame", _no_git)
        patched.setattr(GitPythonHistory, "_run_log", _no_git)
        again = GitPythonHistory(root, cache)
        assert [again.last_change("mod.py", n, n) for n in (1, 2, 3)] == expected
        assert again.file_change("old.py") == logged

    (root / "mod.py").write_text("a = 10\nb = 2\nc = 3\n")  # the work tree changed: blamed again
    edited = GitPythonHistory(root, cache)
    assert edited.last_change("mod.py", 1, 1) is None
    assert edited.last_change("mod.py", 2, 2) == expected[1]

    git(root, "commit", "-qam", "later", date="2026-08-01T00:00:00+00:00")  # HEAD moved
    later = GitPythonHistory(root, cache)
    change = later.last_change("mod.py", 1, 1)
    assert change is not None and change.summary == "later"
    moved = later.file_change("old.py")
    assert moved == logged  # asked git again (new HEAD), same answer: old.py did not change
    assert later.file_change("mod.py") == change


def test_a_damaged_cached_blame_is_a_miss(tmp_path: Path) -> None:
    root = repo_with(tmp_path / "repo", {"mod.py": "a = 1\n"})
    cache = FactsCache(tmp_path / "cache")
    expected = GitPythonHistory(root, cache).last_change("mod.py", 1, 1)
    for entry in (tmp_path / "cache" / "blames").rglob("*.bin"):
        entry.write_bytes(marshal.dumps(((("abc", "not a time", "x"),), (0,))))
    assert GitPythonHistory(root, cache).last_change("mod.py", 1, 1) == expected
    assert decode_blame(((("abc", 0, "x"),), (1,))) is None  # a line naming no commit
    assert decode_blame("garbage") is None
