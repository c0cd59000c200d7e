"""A read-only view of a repository's files at one moment: what analyzers read."""

from __future__ import annotations

import fnmatch
import os
import stat
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import Paths


class NotARepository(Exception):
    """The path is not inside a git work tree."""


@dataclass(frozen=True)
class Snapshot:
    """The files of a work tree (tracked and untracked-but-not-ignored), as relative paths."""

    root: Path
    files: tuple[str, ...]
    name: str

    def read_text(self, path: str) -> str:
        """Read a file as UTF-8 with line endings untouched (raises UnicodeDecodeError, OSError)."""
        return (self.root / path).read_bytes().decode("utf-8")

    def read_bytes(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

    def matching(self, *patterns: str) -> Iterator[str]:
        """Files whose base name matches one of the glob patterns."""
        for path in self.files:
            base = path.rsplit("/", 1)[-1]
            if any(fnmatch.fnmatch(base, pattern) for pattern in patterns):
                yield path

    def python_files(self) -> Iterator[str]:
        return (p for p in self.files if p.endswith(".py") or p.endswith(".pyi"))

    def filtered(self, paths: Paths) -> Snapshot:
        kept = tuple(p for p in self.files if path_selected(p, paths.include, paths.exclude))
        return Snapshot(self.root, kept, self.name)


def path_selected(path: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    def hit(pattern: str) -> bool:
        pattern = pattern.rstrip("/")
        return (
            fnmatch.fnmatch(path, pattern)
            or fnmatch.fnmatch(path, pattern + "/*")
            or path.startswith(pattern + "/")
        )

    if include and not any(hit(p) for p in include):
        return False
    return not any(hit(p) for p in exclude)


def git_toplevel(path: Path) -> Path:
    completed = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise NotARepository(f"{path} is not a git repository (no .git found at or above it)")
    return Path(completed.stdout.strip())


def snapshot_of(path: Path) -> Snapshot:
    """List the work tree of the git repository containing ``path``."""
    return Listing.start(path).snapshot()


class Listing:
    """A listing of a work tree under way: git lists the files while this process goes on.

    `start` finds the work tree's top and starts ``git ls-files`` for the tracked and for the
    untracked files (the second walks every folder: 20 ms on Django); `snapshot` waits for both
    and keeps the regular files. The scan command starts one before it imports the analyzers,
    so git's part runs on another core meanwhile. Importing this module loads neither the
    configuration models nor an analyzer."""

    def __init__(
        self, root: Path, tracked: subprocess.Popen[bytes], untracked: subprocess.Popen[bytes]
    ) -> None:
        self.root = root
        self._running = (tracked, untracked)

    @classmethod
    def start(cls, path: Path) -> Listing:
        """Raises `NotARepository` when ``path`` is not in a git work tree."""
        if not path.exists():
            raise NotARepository(f"{path} does not exist")
        root = git_toplevel(path)
        command = ["git", "-C", str(root), "ls-files", "-z"]
        tracked = _started([*command, "--cached"])
        try:
            untracked = _started([*command, "--others", "--exclude-standard"])
        except BaseException:
            _stop(tracked)
            raise
        return cls(root, tracked, untracked)

    def snapshot(self) -> Snapshot:
        """The listed regular files (raises `subprocess.CalledProcessError` when git fails)."""
        top = str(self.root)
        files: set[str] = set()
        try:
            for process in self._running:
                output, errors = process.communicate()
                if process.returncode != 0:
                    raise subprocess.CalledProcessError(
                        process.returncode, process.args, output, errors
                    )
                files.update(_regular_files(top, output))
        finally:
            self.close()
        return Snapshot(root=self.root, files=tuple(sorted(files)), name=self.root.name)

    def close(self) -> None:
        """Stop git if it still runs and release its pipes (also after `snapshot`)."""
        for process in self._running:
            _stop(process)


def _started(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.communicate()


def _regular_files(top: str, listed: bytes) -> Iterator[str]:
    names = {n for n in listed.decode("utf-8", "surrogateescape").split("\0") if n}
    return (n for n in names if _regular_file(os.path.join(top, n)))


def _regular_file(path: str) -> bool:
    """A file, not a symlink (which may point outside the checkout): one ``lstat`` per path."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False  # listed by git but deleted from the work tree
