"""`maintainer scan` ends its process without the interpreter's teardown (`app.cli.exit_now`):
its whole output, its exit status and its caches must survive that."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import EXIT_FINDINGS_WITH_ERRORS, EXIT_OK, cli, exit_now
from tests.support import make_repo

DEAD = "".join(f"def unused_{n}():\n    return {n}\n\n\n" for n in range(400))
"""Enough dead functions for a JSON document larger than a pipe's buffer."""


SCAN = ("scan", "--only", "dead-code", "--format", "json", "--now", "2026-11-27T12:00:00")


def run(repo: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *SCAN, str(repo)],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
        timeout=120,
        check=False,
    )


def test_the_whole_output_and_the_caches_outlive_the_fast_exit(tmp_path: Path) -> None:
    files = {".maintainer.yml": "enabled: [dead-code]\n", "app/main.py": "print(1)\n"}
    repo = make_repo(tmp_path / "repo", files={**files, "app/dead.py": DEAD})
    completed = run(repo, tmp_path / "cache")
    assert completed.returncode == EXIT_OK, completed.stderr
    assert len(completed.stdout) > 65536
    document = json.loads(completed.stdout)  # complete: flushed before the process ended
    assert any(p["kind"] == "dead-code" for p in document["proposals"])
    packs = list((tmp_path / "cache").rglob("packs/*.bin"))
    assert packs and all(p.stat().st_size > 0 for p in packs)
    assert run(repo, tmp_path / "cache").stdout == completed.stdout  # from the cache: the same


def test_the_exit_status_survives_the_fast_exit(tmp_path: Path) -> None:
    files = {".maintainer.yml": "enabled: [dead-code]\n", "app/broken.py": "def (:\n"}
    repo = make_repo(tmp_path / "repo", files=files)
    completed = run(repo, tmp_path / "cache")
    assert completed.returncode == EXIT_FINDINGS_WITH_ERRORS, completed.stderr
    assert json.loads(completed.stdout)["errors"]


def test_in_process_the_scan_ends_with_an_ordinary_exit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files={"app/main.py": "print(1)\n"})
    result = CliRunner().invoke(
        cli, ["scan", str(repo), "--only", "dead-code", "--no-cache", "--format", "json"]
    )
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(result.output)["repository"] == "repo"


class _Unflushable(io.StringIO):
    def flush(self) -> None:
        raise OSError("broken pipe")


def test_output_that_cannot_be_flushed_gets_the_ordinary_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdout", _Unflushable())
    with pytest.raises(SystemExit) as raised:
        exit_now(EXIT_FINDINGS_WITH_ERRORS)
    assert raised.value.code == EXIT_FINDINGS_WITH_ERRORS
