"""The same file content at two paths must not share cached facts (they record the path)."""

from __future__ import annotations

from pathlib import Path

from app.analyzers.base import Adapters
from app.config import DeadCodeSettings, RepoConfig
from app.model import Kind
from app.pipeline import scan
from tests.deadcode.support import repo_with

FILES: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/mod.py": "def used():\n    return 1\n\n\ndef unused():\n    return 2\n",
    "main.py": "from pkg.mod import used\n\nprint(used())\n",
}


def test_a_shared_cache_keeps_paths_apart(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    nested: dict[str, str | bytes] = {f"src/{path}": text for path, text in FILES.items()}
    first = repo_with(tmp_path / "first", FILES)
    second = repo_with(tmp_path / "second", nested)
    config = RepoConfig(dead_code=DeadCodeSettings(library_public_api=False))
    for repo in (first, second):
        result = scan(repo, Adapters(), only=[Kind.DEAD_CODE], config=config)
        files = {f.detail.file for f in result.findings}  # type: ignore[attr-defined]
        assert files and all((repo / path).is_file() for path in files), files
