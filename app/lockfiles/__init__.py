"""Lock files kept in step with a version bump, by the real tools run as subprocesses.

Each tool module knows which lock file belongs to a manifest (`LockTool.lock_for`) and how to
relock it for one package at one version (`LockTool.relock`). Tools run in a scratch copy of
the manifest and its lock, with the user's configuration ignored, pointed only at the
configured index; the repository's own package sources are refused, never contacted. A tool
that fails raises `LockError`, and the proposal carries no edits at all (nothing half-done).
"""

from __future__ import annotations

import subprocess
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from app.model import Edit, apply_edits


class LockError(Exception):
    """The lock file could not be brought in step; the message says why."""


@dataclass(frozen=True)
class LockRequest:
    root: Path
    """The repository checkout (read only: tools run in a scratch copy)."""
    manifest: str
    lock: str
    edits: Sequence[Edit]
    """The manifest edits of the bump (none when only the lock moves)."""
    package: str | None
    """The package to move; ``None`` refreshes the whole lock within the constraints."""
    version: str | None
    index_url: str
    cache_dir: Path

    @property
    def upgrade(self) -> list[str]:
        """What the tool is asked to upgrade: the one package at its version, or everything."""
        if self.package is None:
            return ["--upgrade"]
        pinned = self.package if self.version is None else f"{self.package}=={self.version}"
        return ["--upgrade-package", pinned]


class LockTool(Protocol):
    name: str

    def lock_for(self, root: Path, manifest: str) -> str | None: ...

    def relock(self, request: LockRequest) -> Edit: ...


def tools() -> tuple[LockTool, ...]:
    from app.lockfiles.piptools import PipCompile
    from app.lockfiles.poetry_lock import PoetryLock
    from app.lockfiles.uv import UvLock

    return (UvLock(), PipCompile(), PoetryLock())


def lock_beside(root: Path, manifest: str, lock_name: str) -> str | None:
    """The lock named ``lock_name`` beside a ``pyproject.toml`` manifest, when it exists."""
    path = PurePosixPath(manifest)
    if path.name != "pyproject.toml":
        return None
    lock = str(path.parent / lock_name) if str(path.parent) != "." else lock_name
    return lock if (root / lock).is_file() else None


def pyproject_and_lock(request: LockRequest, max_manifest: int, max_lock: int) -> tuple[str, str]:
    """The ``pyproject.toml`` with the bump's edits applied, and the lock as it is."""
    manifest_text = read_bounded(request.root / request.manifest, max_manifest)
    lock_text = read_bounded(request.root / request.lock, max_lock)
    edited = apply_edits(manifest_text, [e for e in request.edits if e.path == request.manifest])
    if edited is None:
        raise LockError(f"{request.manifest}: the bump deletes the manifest")
    return edited, lock_text


def read_bounded(path: Path, limit: int) -> str:
    try:
        if path.stat().st_size > limit:
            raise LockError(f"{path.name} is larger than {limit} bytes")
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(f"cannot read {path.name}: {exc}") from exc


def edited_document(manifest: str, text: str) -> dict[str, Any]:
    """The edited ``pyproject.toml`` as TOML, or a `LockError` saying it no longer parses."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockError(f"{manifest}: not valid TOML after the edit: {exc}") from exc


def run_tool(
    name: str, arguments: Sequence[str], cwd: Path, environment: dict[str, str], timeout: int
) -> None:
    """Run a lock tool; its failure (exit status, time-out) becomes a `LockError`."""
    try:
        completed = subprocess.run(
            list(arguments),
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LockError(f"{name} did not finish within {timeout} s") from exc
    except OSError as exc:
        raise LockError(f"{name} could not start: {exc}") from exc
    if completed.returncode != 0:
        raise LockError(f"{name} failed: {output_tail(completed.stderr)}")


def output_tail(text: str, lines: int = 12) -> str:
    """The last lines of a tool's error output, on one line, for a proposal's error."""
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " / ".join(kept)[:2000] or "no output"
