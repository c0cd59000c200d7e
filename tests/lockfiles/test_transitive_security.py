"""A vulnerable package pinned only by a lock (a transitive dependency) gets a security PR that
moves just that package in the lock, when the direct constraints allow the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import RepoConfig
from app.lockfiles.pins import locked_versions
from app.model import Kind, apply_edits
from app.security.directory import AdvisoryDirectory
from tests.apidiff.support import scan_with_distributions
from tests.lockfiles.support import compile_in, poetry, uv
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


@pytest.mark.slow
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


REQUESTS = """\
[project]
name = "service"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = ["requests==2.25.1"]
{extra}"""


def _uv_project(tmp_path: Path, index: IndexServer, extra: str = "") -> Path:
    seed = tmp_path / "seed-uv"
    seed.mkdir()
    pyproject = REQUESTS.format(extra=extra)
    (seed / "pyproject.toml").write_text(pyproject)
    pins = [argument for pin in LOCKED for argument in ("--upgrade-package", pin)]
    locked = uv(seed, index, *pins)
    assert locked.returncode == 0, locked.stderr
    return make_repo(
        tmp_path / "repo-uv",
        files={"pyproject.toml": pyproject, "uv.lock": (seed / "uv.lock").read_text()},
    )


def _poetry_project(tmp_path: Path, index: IndexServer) -> Path:
    seed = tmp_path / "seed-poetry"
    seed.mkdir()
    pyproject = REQUESTS.format(extra="\n[tool.poetry]\npackage-mode = false\n")
    # Poetry cannot pin on the command line: lock with the pins declared, then drop them.
    pins = "".join(f', "{pin}"' for pin in LOCKED)
    (seed / "pyproject.toml").write_text(
        pyproject.replace('"requests==2.25.1"]', f'"requests==2.25.1"{pins}]')
    )
    locked = poetry(seed, "lock", index=index)
    assert locked.returncode == 0, locked.stderr + locked.stdout
    (seed / "pyproject.toml").write_text(pyproject)
    relocked = poetry(seed, "lock", index=index)  # urllib3 stays at its locked version
    assert relocked.returncode == 0, relocked.stderr + relocked.stdout
    return make_repo(
        tmp_path / "repo-poetry",
        files={"pyproject.toml": pyproject, "poetry.lock": (seed / "poetry.lock").read_text()},
    )


def _moved(before: str, after: str) -> dict[str, tuple[str | None, str]]:
    old = locked_versions(before)
    return {n: (old.get(n), v) for n, v in locked_versions(after).items() if old.get(n) != v}


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["uv", "poetry"])
def test_lock_only_pin_gets_a_security_pr(tmp_path: Path, index: IndexServer, tool: str) -> None:
    root = _uv_project(tmp_path, index) if tool == "uv" else _poetry_project(tmp_path, index)
    lock = "uv.lock" if tool == "uv" else "poetry.lock"
    before = (root / lock).read_text()
    assert locked_versions(before)["urllib3"] == "1.26.15"
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG, ADVISORIES)
    [proposal] = [p for p in result.proposals if "urllib3" in p.title]
    assert proposal.files == (lock,)  # the manifest is not touched
    assert f"`{lock}:" in proposal.body
    after = apply_edits(before, proposal.edits)
    assert after is not None
    assert _moved(before, after) == {"urllib3": ("1.26.15", "1.26.18")}
    (root / lock).write_text(after)
    check = uv(root, index, "--check") if tool == "uv" else poetry(root, "check", "--lock")
    assert check.returncode == 0, check.stderr + check.stdout


@pytest.mark.slow
def test_constraints_that_forbid_the_fix_are_an_error_not_a_pr(
    tmp_path: Path, index: IndexServer
) -> None:
    forbidding = '\n[tool.uv]\nconstraint-dependencies = ["urllib3<1.26.16"]\n'
    root = _uv_project(tmp_path, index, forbidding)
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG, ADVISORIES)
    assert [p for p in result.proposals if "urllib3" in p.title] == []
    assert any(
        "urllib3" in e.message and "no PR until the lock file can follow" in e.message
        for e in result.errors
    ), result.errors
