"""The lock tools themselves (uv, pip-compile, Poetry) run on a test project, against the
local index, with user settings ignored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.lockfiles.piptools import pip_compile_binary
from app.lockfiles.poetry_lock import DRIVER
from app.lockfiles.uv import uv_binary
from tests.support import IndexServer


def uv(root: Path, index: IndexServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [uv_binary(), "lock", "--no-config", "--default-index", index.url, *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(root), "UV_CACHE_DIR": str(root / ".uvc")},
        check=False,
    )


COMMAND = "pip-compile --generate-hashes requirements.in"


def compile_in(root: Path, index: IndexServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            pip_compile_binary(),
            "--no-config",
            "--generate-hashes",
            "--index-url",
            index.url,
            "--no-emit-index-url",
            "--cache-dir",
            str(root.parent / "pip-cache"),
            *args,
            "requirements.in",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(root.parent),
            "PIP_CONFIG_FILE": os.devnull,
            "CUSTOM_COMPILE_COMMAND": COMMAND,
        },
        check=False,
    )


def poetry(
    root: Path, *args: str, index: IndexServer | None = None
) -> subprocess.CompletedProcess[str]:
    """Poetry itself (through the driver when it needs the index), user settings ignored."""
    command = (
        [sys.executable, "-I", str(DRIVER), index.url]
        if index
        else [sys.executable, "-m", "poetry"]
    )
    return subprocess.run(
        [*command, *args, "--no-interaction", "--no-plugins", f"--directory={root}"],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(root / ".home"),
            "POETRY_CACHE_DIR": str(root / ".home" / "cache"),
            "POETRY_CONFIG_DIR": str(root / ".home" / "config"),
            "POETRY_KEYRING_ENABLED": "false",
            "POETRY_VIRTUALENVS_CREATE": "false",
        },
        timeout=300,
        check=False,
    )
