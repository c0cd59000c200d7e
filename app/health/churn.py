"""Churn from git: commits and changed lines per file over a window (90 days by default).

One bounded ``git log --numstat`` over the whole window; the per-sample windows of a history
backfill are cut from the same list of commits in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.health.blobs import git_output

WINDOW_DAYS = 90
MAX_COMMITS = 20_000


@dataclass(frozen=True)
class Change:
    path: str
    lines: int
    """Added plus deleted lines (0 for binary files)."""


@dataclass(frozen=True)
class Commit:
    sha: str
    when: datetime
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class FileChurn:
    commits: int = 0
    lines: int = 0


@dataclass(frozen=True)
class Churn:
    files: dict[str, FileChurn] = field(default_factory=dict)

    def of(self, path: str) -> FileChurn:
        return self.files.get(path, FileChurn())


def parse_log(output: bytes) -> list[Commit]:
    """Parse ``git log -z --numstat --format=%x01%H%x02%ct`` output."""
    commits: list[Commit] = []
    sha = ""
    when = datetime.min.replace(tzinfo=UTC)
    changes: list[Change] = []
    for record in output.split(b"\0"):
        record = record.lstrip(b"\n")
        if not record:
            continue
        if record.startswith(b"\x01"):
            if sha:
                commits.append(Commit(sha, when, tuple(changes)))
            head, _, stamp = record[1:].partition(b"\x02")
            sha = head.decode("ascii", "replace")
            when = datetime.fromtimestamp(int(stamp.strip() or b"0"), UTC)
            changes = []
            continue
        parts = record.split(b"\t", 2)
        if len(parts) != 3 or not sha:
            continue
        added, deleted, path = parts
        lines = int(added) + int(deleted) if added.isdigit() and deleted.isdigit() else 0
        changes.append(Change(path.decode("utf-8", "surrogateescape"), lines))
    if sha:
        commits.append(Commit(sha, when, tuple(changes)))
    return commits


def read_commits(root: Path, revision: str, since: datetime) -> list[Commit]:
    """Non-merge commits reachable from ``revision`` since ``since``, newest first (bounded;
    raises `GitError`)."""
    output = git_output(
        root,
        "log",
        "-z",
        "--no-merges",
        "--no-renames",
        "--numstat",
        "--format=%x01%H%x02%ct",
        f"--max-count={MAX_COMMITS}",
        f"--since={int(since.timestamp())}",
        revision,
        "--",
    )
    return parse_log(output)


def churn_at(commits: Iterable[Commit], at: datetime, days: int = WINDOW_DAYS) -> Churn:
    """Per-file churn of the commits made in the ``days`` before ``at`` (inclusive of ``at``)."""
    start = at - timedelta(days=days)
    commit_counts: dict[str, int] = {}
    line_counts: dict[str, int] = {}
    for commit in commits:
        if not start < commit.when <= at:
            continue
        for change in commit.changes:
            commit_counts[change.path] = commit_counts.get(change.path, 0) + 1
            line_counts[change.path] = line_counts.get(change.path, 0) + change.lines
    files = {p: FileChurn(commit_counts[p], line_counts[p]) for p in commit_counts}
    return Churn(files)
