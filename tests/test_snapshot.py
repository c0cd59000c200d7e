"""The work-tree listing: regular files only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.snapshot import Listing, NotARepository, snapshot_of
from tests.support import git, make_repo


def test_lists_regular_files_not_symlinks_nor_deleted_files(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", files={"pkg/mod.py": "x = 1\n", "gone.py": "y = 2\n"})
    os.symlink("/etc/passwd", root / "outside.py")
    os.symlink("pkg/mod.py", root / "inside.py")
    os.mkdir(root / "sub")
    git(root, "add", "-A")
    (root / "gone.py").unlink()
    (root / "untracked.py").write_text("z = 3\n", encoding="utf-8")
    assert snapshot_of(root).files == ("pkg/mod.py", "untracked.py")


def test_untracked_files_are_listed_once_and_ignored_ones_not_at_all(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "repo", files={".gitignore": "build/\n*.log\n", "app/main.py": "x = 1\n"}
    )
    (root / "app" / "new.py").write_text("n = 1\n", encoding="utf-8")
    (root / "build").mkdir()
    (root / "build" / "out.py").write_text("o = 1\n", encoding="utf-8")
    (root / "debug.log").write_text("log\n", encoding="utf-8")
    os.symlink("/etc/passwd", root / "app" / "link.py")  # untracked and a symlink: left out
    git(root, "add", "app/new.py")  # staged: tracked, and no longer "other"
    (root / "app" / "later.py").write_text("l = 1\n", encoding="utf-8")
    listed = snapshot_of(root / "app")  # from a folder inside: the whole work tree
    assert listed.files == (".gitignore", "app/later.py", "app/main.py", "app/new.py")
    assert listed.root == root


def test_a_folder_outside_any_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(NotARepository):
        snapshot_of(tmp_path / "plain")
    with pytest.raises(NotARepository):
        snapshot_of(tmp_path / "missing")


def test_a_listing_runs_while_the_caller_works_and_closing_it_unread_stops_git(
    tmp_path: Path,
) -> None:
    root = make_repo(tmp_path / "repo", files={"a.py": "a = 1\n"})
    listing = Listing.start(root)
    (root / "b.py").write_text("b = 2\n", encoding="utf-8")  # after the start: may be missed
    assert set(listing.snapshot().files) <= {"a.py", "b.py"}
    assert "a.py" in Listing.start(root).snapshot().files
    unread = Listing.start(root)
    unread.close()
    unread.close()  # idempotent
    assert all(process.returncode is not None for process in unread._running)
    with pytest.raises(NotARepository):
        Listing.start(tmp_path / "missing")
