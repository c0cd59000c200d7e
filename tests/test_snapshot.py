"""The work-tree listing: regular files only."""

from __future__ import annotations

import os
from pathlib import Path

from app.snapshot import snapshot_of
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
