"""Helpers for the dead-code tests: dated git repositories from fixture trees, applying edits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from app.analyzers.base import Adapters
from app.config import RepoConfig
from app.deadcode.history import GitPythonHistory
from app.model import Edit, Finding, Kind, ScanResult, apply_edits, edits_by_path
from app.pipeline import scan
from tests.support import FIXTURES, GIT_ENV, NOW

SHOP = FIXTURES / "deadcode" / "shop"
FIXTURE_DATE = "2026-03-01T10:00:00+00:00"


def git(root: Path, *args: str, date: str = FIXTURE_DATE) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    completed = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=True
    )
    return completed.stdout


def repo_from(tree: Path, target: Path, date: str = FIXTURE_DATE) -> Path:
    shutil.copytree(tree, target)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "initial", date=date)
    return target


def repo_with(target: Path, files: dict[str, str | bytes]) -> Path:
    target.mkdir(parents=True)
    write(target, files)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "initial")
    return target


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def run_scan(root: Path, config: RepoConfig | None = None, now: datetime = NOW) -> ScanResult:
    adapters = Adapters(history=GitPythonHistory(root))
    return scan(root, adapters, only=[Kind.DEAD_CODE], now=now, config=config)


def proposed(result: ScanResult) -> list[Finding]:
    return [f for p in result.proposals for f in p.findings]


def removed_names(result: ScanResult) -> set[str]:
    return {f"{s.file}::{s.name}" for f in proposed(result) for s in f.detail.symbols}  # type: ignore[attr-defined]


def reported_names(result: ScanResult) -> set[str]:
    return {
        f"{s.file}::{s.name}"
        for f in result.findings
        if not f.proposable
        for s in f.detail.symbols  # type: ignore[attr-defined]
    }


def apply(root: Path, edits: Iterable[Edit]) -> None:
    for path, file_edits in edits_by_path(edits).items():
        target = root / path
        new_text = apply_edits(target.read_text(encoding="utf-8"), file_edits)
        if new_text is None:
            target.unlink()
        else:
            target.write_text(new_text, encoding="utf-8")


def run_pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        check=False,
        timeout=120,
    )


def run_ruff(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "--isolated", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def compile_all(root: Path, paths: Sequence[str] | None = None) -> None:
    for path in paths or [str(p.relative_to(root)) for p in root.rglob("*.py")]:
        source = (root / path).read_text(encoding="utf-8")
        compile(source, path, "exec", dont_inherit=True)
