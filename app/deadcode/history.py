"""Git evidence: when a symbol or a whole module last changed, and in which commit.

The analyzer sees only the `GitHistory` protocol; `GitPythonHistory` answers it from a local
repository with ``git blame`` (per line range) and ``git log`` (per file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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
    def __init__(self, root: Path) -> None:
        self.root = root
        self._blames: dict[str, list[LastCommit | None]] = {}
        self._files: dict[str, LastCommit | None] = {}

    @cached_property
    def repo(self) -> git.Repo:
        """Opened when history is first asked for: a scan that proposes nothing needs none
        (and skips importing gitpython)."""
        import git

        return git.Repo(self.root, search_parent_directories=True)

    def last_change(self, path: str, first_line: int, end_line: int) -> LastCommit | None:
        lines = self._blame(path)
        touched = [c for c in lines[max(first_line - 1, 0) : end_line] if c is not None]
        return max(touched, key=lambda c: c.date, default=None)

    def file_change(self, path: str) -> LastCommit | None:
        if path not in self._files:
            import git

            try:
                commits = list(self.repo.iter_commits(paths=path, max_count=1))
            except (git.GitCommandError, ValueError):
                commits = []
            self._files[path] = _change(commits[0]) if commits else None
        return self._files[path]

    def _blame(self, path: str) -> list[LastCommit | None]:
        """One ``LastCommit`` (or ``None`` for uncommitted lines) per line of the work-tree file."""
        if path not in self._blames:
            self._blames[path] = self._run_blame(path)
        return self._blames[path]

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
