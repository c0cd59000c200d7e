"""A commit's files read from git objects (``git ls-tree`` + one ``git cat-file --batch``),
without checking anything out, and a `Snapshot` over them for the manifest readers."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from app.snapshot import Snapshot

REGULAR_MODES = (b"100644", b"100755")
MAX_BLOB_BYTES = 5_000_000
MAX_HISTORY = 100_000
GIT_TIMEOUT_SECONDS = 120.0


class GitError(Exception):
    """git could not answer (unknown revision, damaged repository, timeout)."""


def git_output(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} took over {GIT_TIMEOUT_SECONDS:.0f} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {args[0]}: {message}")
    return done.stdout


@dataclass(frozen=True)
class CommitRef:
    sha: str
    when: datetime


def resolve_commit(root: Path, revision: str = "HEAD") -> CommitRef:
    out = git_output(root, "log", "-1", "--format=%H %ct", revision, "--").decode().split()
    if len(out) != 2:
        raise GitError(f"{revision}: no commit")
    return CommitRef(out[0], datetime.fromtimestamp(int(out[1]), UTC))


def first_parent_history(root: Path, revision: str, since: datetime) -> list[CommitRef]:
    """First-parent commits of ``revision`` (newest first) back to the first one made at or
    before ``since`` (one ``git log``: the commit of every sample date is picked from it)."""
    lines = git_output(
        root,
        "log",
        "--first-parent",
        "--format=%H %ct",
        f"--max-count={MAX_HISTORY}",
        revision,
        "--",
    ).split(b"\n")
    found: list[CommitRef] = []
    for line in lines:
        parts = line.split()
        if len(parts) != 2:
            continue
        ref = CommitRef(parts[0].decode(), datetime.fromtimestamp(int(parts[1]), UTC))
        found.append(ref)
        if ref.when <= since:
            break
    return found


def commit_at(history: list[CommitRef], at: datetime) -> CommitRef | None:
    """The newest commit of a first-parent ``history`` made at or before ``at``."""
    return next((ref for ref in history if ref.when <= at), None)


class BlobReader:
    """One long-lived ``git cat-file --batch`` process; blobs over the size bound are refused."""

    def __init__(self, root: Path) -> None:
        self._process = subprocess.Popen(
            ["git", "-C", str(root), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._trees: dict[str, dict[str, str]] = {}

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        if self._process.stdout:
            self._process.stdout.close()
        self._process.wait(timeout=GIT_TIMEOUT_SECONDS)

    def read(self, sha: str) -> bytes:
        """The blob's bytes (raises `OSError` when missing or over `MAX_BLOB_BYTES`)."""
        stdin, stdout = self._pipes()
        stdin.write(sha.encode() + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3:
            raise OSError(f"blob {sha}: missing")
        size = int(header[2])
        data = _read_exactly(stdout, size)
        stdout.read(1)
        if size > MAX_BLOB_BYTES:
            raise OSError(f"blob {sha}: {size} bytes, over {MAX_BLOB_BYTES}")
        return data

    def tree_files(self, commit: str) -> dict[str, str]:
        """Regular files of a commit (symbolic links and submodules left out): path → blob
        sha. Trees are read through the same process and kept by sha, so the unchanged
        folders of the next commit cost nothing."""
        header = self.read(commit).split(b"\n\n", 1)[0]
        for line in header.split(b"\n"):
            if line.startswith(b"tree "):
                return dict(self._tree(line[5:].decode().strip()))
        raise OSError(f"commit {commit}: no tree")

    def _tree(self, sha: str) -> dict[str, str]:
        known = self._trees.get(sha)
        if known is not None:
            return known
        files: dict[str, str] = {}
        data = self.read(sha)
        position = 0
        while position < len(data):
            space = data.index(b" ", position)
            nul = data.index(b"\0", space)
            mode = data[position:space]
            name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
            child = data[nul + 1 : nul + 21].hex()
            position = nul + 21
            if mode in (b"40000", b"040000"):
                for path, blob in self._tree(child).items():
                    files[f"{name}/{path}"] = blob
            elif mode in REGULAR_MODES:
                files[name] = child
        self._trees[sha] = files
        return files

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        stdin, stdout = self._process.stdin, self._process.stdout
        if stdin is None or stdout is None:
            raise OSError("git cat-file is closed")
        return stdin, stdout


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    remaining = size
    while remaining:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            raise OSError("git cat-file ended early")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class BlobSnapshot(Snapshot):
    """A `Snapshot` whose files are a commit's blobs (what the manifest readers take)."""

    blobs: dict[str, str] = field(default_factory=dict)
    reader: BlobReader | None = None

    def read_bytes(self, path: str) -> bytes:
        sha = self.blobs.get(path)
        if sha is None or self.reader is None:
            raise FileNotFoundError(2, "not in the commit", path)
        return self.reader.read(sha)

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8")
