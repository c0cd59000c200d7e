"""Git evidence: when a symbol or a whole module last changed, and in which commit.

The analyzer sees only the `GitHistory` protocol; `GitPythonHistory` answers it from a local
repository with ``git blame`` (per line range) and ``git log`` (per file). Given a cache, a
file's blame is kept by the HEAD commit, the path and the work-tree content (the only inputs of
``git blame`` of a work-tree file), and a file's last commit by HEAD and the path: a rescan
blames only the files that changed, and when every answer is cached it never imports gitpython.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from app.deadcode.cache import FactsCache, content_key

if TYPE_CHECKING:
    import git


@dataclass(frozen=True)
class LastCommit:
    commit: str
    """Abbreviated commit id."""
    date: datetime
    summary: str


class GitHistory(Protocol):
    def last_change(self, path: str, first_line: int, end_line: int) -> LastCommit | None:
        """The newest commit touching those lines; ``None`` when uncommitted or unknown."""
        ...

    def file_change(self, path: str) -> LastCommit | None:
        """The newest commit touching the file."""
        ...


class GitPythonHistory:
    def __init__(self, root: Path, cache: FactsCache | None = None) -> None:
        self.root = root
        self.cache = cache
        self._blames: dict[str, list[LastCommit | None]] = {}
        self._files: dict[str, LastCommit | None] = {}

    @cached_property
    def repo(self) -> git.Repo:
        """Opened when history is first asked for: a scan that proposes nothing needs none
        (and skips importing gitpython)."""
        import git

        return git.Repo(self.root, search_parent_directories=True)

    @cached_property
    def head(self) -> str | None:
        """The HEAD commit id (``None`` without commits, or when git cannot tell)."""
        try:
            completed = subprocess.run(
                ["git", "-C", str(self.root), "rev-parse", "--verify", "--quiet", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError:
            return None
        head = completed.stdout.strip()
        return head if completed.returncode == 0 and head else None

    def last_change(self, path: str, first_line: int, end_line: int) -> LastCommit | None:
        lines = self._blame(path)
        touched = [c for c in lines[max(first_line - 1, 0) : end_line] if c is not None]
        return max(touched, key=lambda c: c.date, default=None)

    def file_change(self, path: str) -> LastCommit | None:
        if path not in self._files:
            self._files[path] = self._cached_log(path)
        return self._files[path]

    def _cached_log(self, path: str) -> LastCommit | None:
        """The newest commit touching a path depends on HEAD and the path alone."""
        cache = self.cache
        head = self.head if cache is not None else None
        if cache is None or head is None:
            return self._run_log(path)
        key = content_key(b"", f"log:{head}:{path}")
        stored = decode_blame(cache.load_blame(key))
        if stored is not None and len(stored) == 1:
            return stored[0]
        change = self._run_log(path)
        cache.store_blame(key, encode_blame([change]))
        return change

    def _run_log(self, path: str) -> LastCommit | None:
        import git

        try:
            commits = list(self.repo.iter_commits(paths=path, max_count=1))
        except (git.GitCommandError, ValueError):
            commits = []
        return _change(commits[0]) if commits else None

    def _blame(self, path: str) -> list[LastCommit | None]:
        """One ``LastCommit`` (or ``None`` for uncommitted lines) per line of the work-tree file."""
        if path not in self._blames:
            self._blames[path] = self._cached_blame(path)
        return self._blames[path]

    def _cached_blame(self, path: str) -> list[LastCommit | None]:
        """What ``git blame`` of the work-tree file depends on: HEAD, the path, its bytes."""
        cache = self.cache
        head = self.head if cache is not None else None
        if cache is None or head is None:
            return self._run_blame(path)
        try:
            data = (self.root / path).read_bytes()
        except OSError:
            return self._run_blame(path)
        key = content_key(data, f"blame:{head}:{path}")
        stored = decode_blame(cache.load_blame(key))
        if stored is not None:
            return stored
        lines = self._run_blame(path)
        cache.store_blame(key, encode_blame(lines))
        return lines

    def _run_blame(self, path: str) -> list[LastCommit | None]:
        import git

        try:
            if not self.repo.head.is_valid():
                return []
            entries: Any = self.repo.blame(None, path)
        except (git.GitCommandError, ValueError):
            return []
        lines: list[LastCommit | None] = []
        for commit, text in entries or []:
            change = None if set(str(commit.hexsha)) == {"0"} else _change(commit)
            lines.extend([change] * len(text))
        return lines


def _change(commit: Any) -> LastCommit:
    return LastCommit(
        commit=str(commit.hexsha)[:12],
        date=datetime.fromtimestamp(int(commit.committed_date), UTC),
        summary=str(commit.summary),
    )


def encode_blame(lines: list[LastCommit | None]) -> tuple[Any, ...]:
    """Plain values for the cache: the distinct commits, and each line's commit (-1: none)."""
    commits: dict[LastCommit, int] = {}
    per_line = tuple(-1 if c is None else commits.setdefault(c, len(commits)) for c in lines)
    distinct = tuple((c.commit, int(c.date.timestamp()), c.summary) for c in commits)
    return distinct, per_line


def decode_blame(value: Any) -> list[LastCommit | None] | None:
    """`encode_blame`'s value back; ``None`` when it is not in that layout."""
    try:
        distinct, per_line = value
        commits = [
            LastCommit(str(commit), datetime.fromtimestamp(int(stamp), UTC), str(summary))
            for commit, stamp, summary in distinct
        ]
        if not all(isinstance(i, int) and -1 <= i < len(commits) for i in per_line):
            return None
        return [None if i == -1 else commits[i] for i in per_line]
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None
