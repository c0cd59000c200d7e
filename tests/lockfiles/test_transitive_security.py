"""A vulnerable package pinned only by a lock (a transitive dependency) gets a security PR that
moves just that package in the lock, when the direct constraints allow the fix."""

from __future__ import annotations

from pathlib import Path

from app.config import RepoConfig
from app.lockfiles.maintenance import locked_versions
from app.model import Kind, apply_edits
from app.security.directory import AdvisoryDirectory
from tests.apidiff.support import scan_with_distributions
from tests.lockfiles.test_pip_compile import compile_in
from tests.support import FIXTURES, IndexServer, make_repo

ADVISORIES = AdvisoryDirectory(FIXTURES / "advisory-database")
CONFIG = RepoConfig(open_pr_limit=50, enabled=[Kind.SECURITY])
# requests 2.25.1 needs urllib3>=1.21.1,<1.27: urllib3 1.26.15 has advisories fixed in 1.26.18.
LOCKED = ("urllib3==1.26.15", "certifi==2020.12.5", "chardet==4.0.0", "idna==2.10")


def _pip_compile_project(tmp_path: Path, index: IndexServer) -> Path:
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "requirements.in").write_text("requests==2.25.1\n")
    pins = [argument for pin in LOCKED for argument in ("--upgrade-package", pin)]
    compiled = compile_in(seed, index, *pins)
    assert compiled.returncode == 0, compiled.stderr
    return make_repo(
        tmp_path / "repo",
        files={
            "requirements.in": "requests==2.25.1\n",
            "requirements.txt": (seed / "requirements.txt").read_text(),
        },
    )


def test_pip_compile_lock_only_pin_gets_a_security_pr(tmp_path: Path, index: IndexServer) -> None:
    root = _pip_compile_project(tmp_path, index)
    before = (root / "requirements.txt").read_text()
    assert locked_versions(before)["urllib3"] == "1.26.15"
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG, ADVISORIES)
    [proposal] = [p for p in result.proposals if "urllib3" in p.title]
    assert proposal.kind is Kind.SECURITY
    assert proposal.files == ("requirements.txt",)
    after = apply_edits(before, proposal.edits)
    assert after is not None
    moved = {
        name: (locked_versions(before).get(name), version)
        for name, version in locked_versions(after).items()
        if locked_versions(before).get(name) != version
    }
    assert moved == {"urllib3": ("1.26.15", "1.26.18")}
    assert "# via requests" in after
    (root / "requirements.txt").write_text(after)
    check = compile_in(root, index, "--dry-run")
    assert check.returncode == 0, check.stderr
    would_write = check.stderr.split("#\n", 1)[1].split("Dry-run, so nothing updated.")[0]
    assert "#\n" + would_write == after
