"""``poetry.lock``: Poetry's own ``lock`` after the manifest edit, against the configured index.

Poetry cannot be pointed at another index without a ``[[tool.poetry.source]]`` in
``pyproject.toml``, which changes the lock's content-hash and adds a source to every locked
package. `poetry_run` (run with the interpreter that has Poetry) replaces Poetry's repository
pool, inside its own process, by the configured index recorded like PyPI, so the lock written is
the one Poetry writes for PyPI and ``poetry check --lock`` passes on the branch. It runs in a
scratch directory holding only ``pyproject.toml`` and ``poetry.lock``, with the user's Poetry
configuration, keyring and plugins ignored, and builds no source distribution. A repository
that names package sources of its own (``[[tool.poetry.source]]``, git, path or URL
dependencies, direct references) is refused rather than contacted.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.lockfiles import (
    LockError,
    LockRequest,
    edited_document,
    lock_beside,
    pyproject_and_lock,
    read_bounded,
    run_tool,
)
from app.model import Edit

TIMEOUT = 300
MAX_MANIFEST_BYTES = 1_000_000
MAX_LOCK_BYTES = 20_000_000
DRIVER = Path(__file__).with_name("poetry_run.py")
_SOURCE_KEYS = frozenset({"git", "path", "url", "file", "source"})


def poetry_python() -> str:
    """The interpreter that has Poetry installed (the bot's own: Poetry is a dependency)."""
    try:
        import poetry.console.application  # noqa: F401
    except ImportError:
        raise LockError("Poetry is not installed on the bot's host") from None
    return sys.executable


class PoetryLock:
    name = "poetry"

    def lock_for(self, root: Path, manifest: str) -> str | None:
        return lock_beside(root, manifest, "poetry.lock")

    def relock(self, request: LockRequest) -> Edit:
        edited, lock_text = pyproject_and_lock(request, MAX_MANIFEST_BYTES, MAX_LOCK_BYTES)
        check_project(request.manifest, edited)
        with tempfile.TemporaryDirectory(prefix="maintainer-poetry-") as scratch:
            work = Path(scratch) / "project"
            work.mkdir()
            (work / "pyproject.toml").write_text(edited, "utf-8")
            (work / "poetry.lock").write_text(lock_text, "utf-8")
            # Poetry has no "--upgrade-package NAME==VERSION": the manifest edit moves the
            # package (others stay locked); a lock-only update names the package; a refresh
            # regenerates the whole lock within the declared constraints.
            if request.package is None:
                command = ["lock", "--regenerate"]
            elif request.edits:
                command = ["lock"]
            else:
                command = ["update", "--lock", request.package]
                if request.version is not None:
                    command = ["--only", f"{request.package}=={request.version}", *command]
            arguments = [
                poetry_python(),
                "-I",  # isolated: no PYTHON* variables, no user site, no script directory
                str(DRIVER),
                request.index_url,
                *command,
                "--no-interaction",
                "--no-ansi",
                "--no-plugins",
                f"--directory={work}",
            ]
            environment = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": scratch,
                "POETRY_CONFIG_DIR": str(Path(scratch) / "config"),
                "POETRY_DATA_DIR": str(Path(scratch) / "data"),
                "POETRY_CACHE_DIR": str(request.cache_dir / "poetry"),
                "POETRY_KEYRING_ENABLED": "false",
                "POETRY_VIRTUALENVS_CREATE": "false",
                "POETRY_SOLVER_LAZY_WHEEL": "false",
            }
            run_tool("poetry lock", arguments, work, environment, TIMEOUT)
            new_lock = read_bounded(work / "poetry.lock", MAX_LOCK_BYTES)
        return Edit.replace_file(request.lock, lock_text, new_lock)


def check_project(manifest: str, text: str) -> None:
    """Refuse a project that names package sources of its own (never contacted)."""
    document = edited_document(manifest, text)
    tool = document.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    poetry = poetry if isinstance(poetry, dict) else {}
    if poetry.get("source"):
        raise LockError(
            f"{manifest}: [[tool.poetry.source]] names package sources of its own; the bot "
            "resolves only against its configured index"
        )
    for name, value in _poetry_dependencies(poetry):
        if isinstance(value, dict) and _SOURCE_KEYS & set(value):
            raise LockError(
                f"{manifest}: dependency {name} names its own source "
                f"({', '.join(sorted(_SOURCE_KEYS & set(value)))}); the bot resolves only "
                "against its configured index"
            )
    project = document.get("project")
    for requirement in _project_requirements(project if isinstance(project, dict) else {}):
        if "@" in requirement.split(";", 1)[0]:
            raise LockError(
                f"{manifest}: {requirement!r} is a direct reference; the bot resolves only "
                "against its configured index"
            )


def _poetry_dependencies(poetry: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    groups = poetry.get("group")
    if isinstance(groups, dict):
        tables.extend(g.get("dependencies") for g in groups.values() if isinstance(g, dict))
    for table in tables:
        if isinstance(table, dict):
            for name, value in table.items():
                for item in value if isinstance(value, list) else [value]:
                    yield str(name), item


def _project_requirements(project: dict[str, Any]) -> Iterator[str]:
    dependencies = project.get("dependencies")
    if isinstance(dependencies, list):
        yield from (str(d) for d in dependencies)
    optional = project.get("optional-dependencies")
    if isinstance(optional, dict):
        for group in optional.values():
            if isinstance(group, list):
                yield from (str(d) for d in group)
