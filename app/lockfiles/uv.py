"""``uv.lock``: ``uv lock --upgrade-package NAME==VERSION --no-build`` after the manifest edit.

uv runs with ``--no-config`` and the index given by the service, in a scratch directory that
holds only ``pyproject.toml`` and ``uv.lock``: nothing of the repository is built or run
(``--no-build``, and a project whose metadata is dynamic is refused), and package sources the
repository names itself (``[tool.uv.sources]``, ``[[tool.uv.index]]``, index URLs) are refused
rather than contacted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from app.lockfiles import (
    LockError,
    LockRequest,
    edited_document,
    lock_beside,
    pyproject_and_lock,
    run_tool,
)
from app.model import Edit

TIMEOUT = 180
MAX_MANIFEST_BYTES = 1_000_000
MAX_LOCK_BYTES = 20_000_000
_SOURCE_KEYS = ("index-url", "extra-index-url", "find-links", "index", "sources")


def uv_binary() -> str:
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise LockError("uv is not installed on the bot's host") from None
        return found


class UvLock:
    name = "uv"

    def lock_for(self, root: Path, manifest: str) -> str | None:
        return lock_beside(root, manifest, "uv.lock")

    def relock(self, request: LockRequest) -> Edit:
        edited, lock_text = pyproject_and_lock(request, MAX_MANIFEST_BYTES, MAX_LOCK_BYTES)
        _check_project(request.manifest, edited)
        with tempfile.TemporaryDirectory(prefix="maintainer-uv-") as scratch:
            work = Path(scratch)
            (work / "pyproject.toml").write_text(edited, "utf-8")
            (work / "uv.lock").write_text(lock_text, "utf-8")
            command = [
                uv_binary(),
                "lock",
                "--no-config",
                "--no-build",
                "--no-progress",
                "--quiet",
                "--default-index",
                request.index_url,
                *request.upgrade,
            ]
            environment = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": scratch,
                "UV_CACHE_DIR": str(request.cache_dir / "uv"),
                "UV_PYTHON_DOWNLOADS": "never",
                "UV_NO_CONFIG": "1",
            }
            run_tool("uv lock", command, work, environment, TIMEOUT)
            new_lock = (work / "uv.lock").read_text("utf-8")
        return Edit.replace_file(request.lock, lock_text, new_lock)


def _check_project(manifest: str, text: str) -> None:
    document = edited_document(manifest, text)
    project = document.get("project")
    if not isinstance(project, dict):
        raise LockError(f"{manifest}: no [project] table; uv needs PEP 621 metadata")
    dynamic = {str(d) for d in project.get("dynamic", []) if isinstance(d, str)}
    if dynamic & {"dependencies", "optional-dependencies", "requires-python"}:
        raise LockError(
            f"{manifest}: dynamic {', '.join(sorted(dynamic))} would need the project built, "
            "and the bot never runs a repository's code"
        )
    tool = document.get("tool", {})
    settings = tool.get("uv", {}) if isinstance(tool, dict) else {}
    named = sorted(k for k in _SOURCE_KEYS if isinstance(settings, dict) and k in settings)
    if named:
        raise LockError(
            f"{manifest}: [tool.uv] names its own package sources ({', '.join(named)}); the bot "
            "resolves only against its configured index"
        )
    workspace = settings.get("workspace") if isinstance(settings, dict) else None
    if workspace:
        raise LockError(f"{manifest}: uv workspaces are not supported yet")
