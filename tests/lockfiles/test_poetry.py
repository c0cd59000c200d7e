"""A Poetry project's bump carries a poetry.lock that matches its pyproject, as Poetry checks it
(``poetry check --lock``), written as Poetry writes it for PyPI (no trace of the bot's index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import RepoConfig
from app.model import Kind
from tests.apidiff.support import apply_proposal, scan_with_distributions
from tests.lockfiles.support import poetry
from tests.support import IndexServer, git, make_repo

PEP621 = """\
[project]
name = "service"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = ["six==1.16.0"]

[tool.poetry]
package-mode = false
"""

CLASSIC = """\
[tool.poetry]
name = "service"
version = "1.0.0"
description = ""
authors = ["Maintainers <maintainers@example.org>"]
package-mode = false

[tool.poetry.dependencies]
python = "^3.11"
six = "1.16.0"
"""

CONFIG = RepoConfig(open_pr_limit=50, enabled=[Kind.DEPENDENCY_UPDATE])


def _project(tmp_path: Path, index: IndexServer, pyproject: str) -> Path:
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "pyproject.toml").write_text(pyproject)
    locked = poetry(seed, "lock", index=index)
    assert locked.returncode == 0, locked.stderr + locked.stdout
    return make_repo(
        tmp_path / "repo",
        files={"pyproject.toml": pyproject, "poetry.lock": (seed / "poetry.lock").read_text()},
    )


@pytest.mark.slow
@pytest.mark.parametrize("pyproject", [PEP621, CLASSIC], ids=["pep621", "tool-poetry"])
def test_poetry_lock_follows_the_bump(tmp_path: Path, index: IndexServer, pyproject: str) -> None:
    root = _project(tmp_path, index, pyproject)
    before = poetry(root, "check", "--lock")
    assert before.returncode == 0, before.stderr + before.stdout
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG)
    assert result.errors == []
    [proposal] = result.proposals
    assert proposal.files == ("poetry.lock", "pyproject.toml")
    apply_proposal(root, proposal)
    lock = (root / "poetry.lock").read_text()
    assert 'name = "six"\nversion = "1.17.0"' in lock
    assert "[package.source]" not in lock and index.url not in lock
    check = poetry(root, "check", "--lock")
    assert check.returncode == 0, check.stderr + check.stdout
    git(root, "checkout", "--", "pyproject.toml")
    stale = poetry(root, "check", "--lock")  # the new lock does not match the old manifest
    assert stale.returncode != 0


@pytest.mark.slow
def test_a_project_naming_its_own_source_is_refused(tmp_path: Path, index: IndexServer) -> None:
    root = _project(tmp_path, index, PEP621)
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        text + '\n[[tool.poetry.source]]\nname = "private"\nurl = "http://192.0.2.1/simple"\n'
    )
    git(root, "commit", "-qam", "private index")
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG)
    assert result.proposals == []
    assert any("names package sources of its own" in e.message for e in result.errors), (
        result.errors
    )
    assert not any("192.0.2.1" in request for request in index.requests)
