"""A uv project's bump carries a uv.lock that matches its pyproject (checked by uv itself)."""

from __future__ import annotations

from pathlib import Path

from app.config import RepoConfig
from app.model import Kind
from tests.apidiff.support import apply_proposal, scan_with_distributions
from tests.lockfiles.support import uv
from tests.support import IndexServer, git, make_repo

PYPROJECT = """\
[project]
name = "service"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = ["six==1.16.0"]
"""

CONFIG = RepoConfig(open_pr_limit=50, enabled=[Kind.DEPENDENCY_UPDATE])


def _project(tmp_path: Path, index: IndexServer, pyproject: str = PYPROJECT) -> Path:
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "pyproject.toml").write_text(pyproject)
    locked = uv(seed, index)
    assert locked.returncode == 0, locked.stderr
    return make_repo(
        tmp_path / "repo",
        files={"pyproject.toml": pyproject, "uv.lock": (seed / "uv.lock").read_text()},
    )


def test_uv_lock_follows_the_bump(tmp_path, index) -> None:
    root = _project(tmp_path, index)
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG)
    [proposal] = result.proposals
    assert proposal.files == ("pyproject.toml", "uv.lock")
    apply_proposal(root, proposal)
    assert 'version = "1.17.0"' in (root / "uv.lock").read_text()
    check = uv(root, index, "--check")
    assert check.returncode == 0, check.stderr
    git(root, "checkout", "--", ".")
    stale = uv(root, index, "--check")  # the original lock still matches the original manifest
    assert stale.returncode == 0, stale.stderr


def test_a_failing_lock_is_an_error_and_no_half_done_proposal(tmp_path, index) -> None:
    root = _project(tmp_path, index)
    # The repository names a package source of its own: refused, never contacted.
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        text + '\n[tool.uv]\nindex-url = "http://192.0.2.1/simple"\n'
    )
    git(root, "commit", "-qam", "private index")
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG)
    assert result.proposals == []
    assert any("names its own package sources" in e.message for e in result.errors), result.errors
