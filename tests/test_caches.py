"""One cache root per process: the CLI's is the user's cache (XDG) unless `--cache-dir` or
`MAINTAINER_CACHE_DIR` names another, `--no-cache` leaves none behind, and no command writes a
cache into the repository it scans (its `.git` included). The App's root is tested with the
scan job (tests/github/test_jobs.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.caches import APP_FOLDER, CACHE_DIR_ENV, DEAD_CODE, DEPRECATIONS
from tests.support import IndexServer, make_repo

FILES = {
    "requirements.txt": "numpy>=1.22,<2\n",
    "pkg/__init__.py": "",
    "pkg/clock.py": (
        "import datetime\n\n\ndef stamp():\n    return datetime.datetime.utcnow()\n\n\n"
        "def never_called():\n    return 1\n"
    ),
    "main.py": "from pkg.clock import stamp\n\nprint(stamp())\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", files=FILES)


def maintainer(
    *args: str, xdg: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != CACHE_DIR_ENV}
    environment.update({"XDG_CACHE_HOME": str(xdg), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=180,
        check=False,
    )


def scan(
    repo: Path, index: IndexServer, xdg: Path, *extra: str, env: dict[str, str] | None = None
) -> None:
    only = ("--only", "deprecation,dead-code", "--format", "json")
    completed = maintainer(
        "scan", str(repo), "--index-url", index.url, *only, *extra, xdg=xdg, env=env
    )
    assert completed.returncode in (0, 1), completed.stderr
    assert "MB109" in completed.stdout and "never_called" in completed.stdout


def every_path(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def filled(folder: Path) -> bool:
    return any(p.is_file() for p in folder.rglob("*"))


def test_cache_dir_holds_every_analyzers_cache_and_the_repository_gets_none(
    repo: Path, index: IndexServer, tmp_path: Path
) -> None:
    before = every_path(repo)
    root = tmp_path / "chosen"
    scan(repo, index, tmp_path / "xdg", "--cache-dir", str(root))
    assert every_path(repo) == before  # nothing new, .git included
    assert filled(root / DEAD_CODE) and filled(root / DEPRECATIONS)
    assert not (tmp_path / "xdg").exists()


def test_the_default_root_is_the_users_xdg_cache(
    repo: Path, index: IndexServer, tmp_path: Path
) -> None:
    before = every_path(repo)
    scan(repo, index, tmp_path / "xdg")
    root = tmp_path / "xdg" / APP_FOLDER
    assert filled(root / DEAD_CODE) and filled(root / DEPRECATIONS)
    assert every_path(repo) == before


def test_the_environment_variable_names_the_root(
    repo: Path, index: IndexServer, tmp_path: Path
) -> None:
    root = tmp_path / "from-env"
    scan(repo, index, tmp_path / "xdg", env={CACHE_DIR_ENV: str(root)})
    assert filled(root / DEAD_CODE) and filled(root / DEPRECATIONS)
    assert not (tmp_path / "xdg").exists()


def test_no_cache_leaves_no_cache_behind(repo: Path, index: IndexServer, tmp_path: Path) -> None:
    before = every_path(repo)
    root = tmp_path / "chosen"
    scan(repo, index, tmp_path / "xdg", "--no-cache", "--cache-dir", str(root))
    assert not root.exists() and not (tmp_path / "xdg").exists()
    assert every_path(repo) == before


def test_the_codemods_command_caches_under_the_same_root(repo: Path, tmp_path: Path) -> None:
    root = tmp_path / "chosen"
    command = ("codemods", "run", "MB109", str(repo / "pkg"), "--diff", "--cache-dir", str(root))
    first = maintainer(*command, xdg=tmp_path / "xdg")
    assert first.returncode == 0, first.stderr
    assert "utcnow" in first.stdout
    assert filled(root / DEPRECATIONS)
    again = maintainer(*command, xdg=tmp_path / "xdg")
    assert again.stdout == first.stdout  # served from the cache, the same diff
