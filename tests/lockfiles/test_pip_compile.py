"""A pip-compile output is recompiled by pip-compile in the bump's PR, header kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import RepoConfig
from app.model import Kind, apply_edits
from tests.apidiff.support import scan_with_distributions
from tests.lockfiles.support import compile_in
from tests.support import IndexServer, git, make_repo

CONFIG = RepoConfig(open_pr_limit=50, enabled=[Kind.DEPENDENCY_UPDATE])


def _project(tmp_path: Path, index: IndexServer) -> Path:
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "requirements.in").write_text("six\n")
    compiled = compile_in(seed, index, "--upgrade-package", "six==1.16.0")
    assert compiled.returncode == 0, compiled.stderr
    return make_repo(
        tmp_path / "repo",
        files={
            "requirements.in": "six\n",
            "requirements.txt": (seed / "requirements.txt").read_text(),
        },
    )


@pytest.mark.slow
def test_pip_compile_output_is_recompiled(tmp_path, index) -> None:
    root = _project(tmp_path, index)
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG)
    [proposal] = result.proposals
    assert proposal.files == ("requirements.txt",)
    before = (root / "requirements.txt").read_text()
    after = apply_edits(before, proposal.edits)
    assert after is not None
    assert "six==1.17.0 \\\n    --hash=sha256:" in after
    assert "#    pip-compile --generate-hashes requirements.in" in after
    assert "# via -r requirements.in" in after
    (root / "requirements.txt").write_text(after)
    # On the branch, pip-compile (without upgrades) has nothing to change.
    check = compile_in(root, index, "--dry-run")
    assert check.returncode == 0, check.stderr
    would_write = check.stderr.split("#\n", 1)[1].split("Dry-run, so nothing updated.")[0]
    assert "#\n" + would_write == after


@pytest.mark.slow
def test_source_options_in_the_input_are_refused(tmp_path, index) -> None:
    root = _project(tmp_path, index)
    (root / "requirements.in").write_text("--extra-index-url http://192.0.2.1/simple\nsix\n")
    git(root, "commit", "-qam", "private index")
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG)
    assert [p for p in result.proposals if "requirements.txt" in p.files] == []
    assert any("names package sources" in e.message for e in result.errors), result.errors
