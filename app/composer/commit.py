"""One commit from edits, built with git plumbing in a scratch index, for both composers.

The user's (or the clone's) current branch, index and work tree are never touched. Files go in
as the bytes the edits make of the committed blob: no clean filter, `text` attribute or
`core.autocrlf` applies (`hash-object --stdin` without `--path`), so a CRLF file keeps its CRLF
and a file without a final newline stays without one.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.model import Edit, apply_edits, edits_by_path


@dataclass(frozen=True)
class Identity:
    """Who a commit is by (author and committer)."""

    name: str
    email: str


class GitFailed(Exception):
    """A git command failed; `stderr` is what git said."""

    def __init__(self, command: str, stderr: str) -> None:
        super().__init__(f"git {command} failed: {stderr}")
        self.command = command
        self.stderr = stderr

    @property
    def reason(self) -> str:
        """git's first `error:` or `fatal:` line, else its last."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        for line in lines:
            if line.startswith(("error:", "fatal:")):
                return line
        return lines[-1] if lines else "no reason given"


class NotCommitted(GitFailed):
    """An edited file is not in the base commit."""

    def __init__(self, path: str, stderr: str) -> None:
        super().__init__("show", stderr)
        self.path = path


def tree_with_edits(root: Path, base: str, edits: Sequence[Edit]) -> str:
    """The tree of `base` with `edits` applied (a file edited to None is removed, a file
    absent from `base` whose edits all insert at offset 0 is created).

    Raises `NotCommitted`, `GitFailed`, or `EditConflict` when an edit does not fit the blob."""
    with tempfile.TemporaryDirectory() as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        git(root, "read-tree", base, env=index)
        for path, file_edits in edits_by_path(edits).items():
            try:
                original = git(root, "show", f"{base}:{path}")
            except GitFailed as exc:
                if not all(e.offset == 0 and e.old == "" and e.new for e in file_edits):
                    raise NotCommitted(path, exc.stderr) from None
                original = ""  # a new file (`Edit.create_file`)
            updated = apply_edits(original, file_edits)
            if updated is None:
                git(root, "update-index", "--force-remove", "--", path, env=index)
                continue
            listing = git(root, "ls-tree", base, "--", path).split()
            mode = listing[0] if listing else "100644"
            blob = git(root, "hash-object", "-w", "--stdin", stdin=updated).strip()
            git(root, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}", env=index)
        return git(root, "write-tree", env=index).strip()


def commit_tree(root: Path, tree: str, parent: str, message: str, author: Identity) -> str:
    """A commit of `tree` on `parent` by `author`; returns its sha (no ref moves)."""
    identity = {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
    }
    return git(root, "commit-tree", tree, "-p", parent, "-m", message, env=identity).strip()


def commit_edits(
    root: Path, base: str, edits: Sequence[Edit], message: str, author: Identity
) -> str:
    """One commit on top of `base` holding `edits`; returns its sha."""
    return commit_tree(root, tree_with_edits(root, base, edits), base, message, author)


def git(root: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    """Run git in `root`; its output as text, undecodable bytes kept (surrogateescape)."""
    # Bytes, not text mode: universal newlines would turn CRLF files into LF ones.
    completed = subprocess.run(
        ["git", "-C", str(root), *args],
        input=stdin.encode("utf-8", "surrogateescape") if stdin is not None else None,
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if completed.returncode != 0:
        raise GitFailed(args[0], completed.stderr.decode("utf-8", "replace").strip())
    return completed.stdout.decode("utf-8", "surrogateescape")
