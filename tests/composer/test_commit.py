"""Both composers make their commit through `app.composer.commit`: the same bytes either way,
CRLF files keeping CRLF and a file without a final newline staying without one, whatever the
repository's `text` attributes say."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.composer.commit import Identity, NotCommitted, commit_edits
from app.composer.local import LocalComposer
from app.model import Edit, Finding, Kind, Proposal, Risk, RiskLevel
from app.workspace import Checkout, Workspace, WorkspaceError
from tests.support import git

FILES = {
    "requirements.txt": b"django==4.2.1\r\nrequests==2.31.0\r\n",  # CRLF
    "constraints.txt": b"urllib3==2.0.0\nidna==3.4",  # no newline at the end
    "gone.txt": b"remove me\n",
}
EXPECTED = {
    "requirements.txt": b"django==5.2.1\r\nrequests==2.31.0\r\n",
    "constraints.txt": b"urllib3==2.0.0\nidna==3.10",
}


def _repo(root: Path) -> str:
    """A repository whose blobs hold CRLF, then a `.gitattributes` asking git to normalise
    text: a commit built through git's filters (`hash-object <file>`) would turn CRLF into LF."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "core.autocrlf", "false")
    for name, data in FILES.items():
        (root / name).write_bytes(data)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "files")
    (root / ".gitattributes").write_text("*.txt text eol=lf\n")
    git(root, "add", ".gitattributes")
    git(root, "commit", "-q", "-m", "attributes")
    return git(root, "rev-parse", "HEAD").strip()


def _edits() -> tuple[Edit, ...]:
    requirements = FILES["requirements.txt"].decode()
    constraints = FILES["constraints.txt"].decode()
    return (
        Edit("requirements.txt", requirements.index("4.2.1"), "4.2.1", "5.2.1"),
        Edit("constraints.txt", constraints.index("3.4"), "3.4", "3.10"),
        Edit.delete_file("gone.txt", FILES["gone.txt"].decode()),
    )


@dataclass(frozen=True)
class Note:
    text: str

    def to_json(self) -> Mapping[str, Any]:
        return {"note": self.text}


def _proposal(edits: tuple[Edit, ...]) -> Proposal:
    finding = Finding(Kind.DEPENDENCY_UPDATE, "django", "4.2.1 → 5.2.1", Note("5.2.1"), edits)
    return Proposal(
        id="django-5.2.1",
        kind=Kind.DEPENDENCY_UPDATE,
        title="Bump django",
        branch="maintainer/dependency-update/django-5.2.1",
        findings=(finding,),
        risk=Risk(RiskLevel.LOW, ()),
        labels=(),
        body="",
        commit_message="Bump django",
    )


def _files(root: Path, commit: str) -> dict[str, bytes]:
    listing = git(root, "ls-tree", "-r", "--name-only", commit).split()
    return {name: _blob(root, f"{commit}:{name}") for name in listing if name != ".gitattributes"}


def _blob(root: Path, spec: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(root), "cat-file", "blob", spec], capture_output=True, check=True
    ).stdout


def test_the_local_and_the_github_composer_commit_the_same_bytes(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    base = _repo(root)
    edits = _edits()
    [composed] = LocalComposer(root).compose([_proposal(edits)])
    assert composed.action == "created"
    checkout = Checkout(root, "octo-org/demo", "main", base)
    author = Identity("maintainer-bot", "maintainer-bot@users.noreply.github.com")
    pushed = Workspace(tmp_path / "ws").commit(checkout, edits, "Bump django", author)
    assert _files(root, composed.detail) == _files(root, pushed) == EXPECTED
    assert git(root, "rev-parse", f"{pushed}^").strip() == base
    assert git(root, "rev-parse", "HEAD").strip() == base  # the checkout stays where it was
    assert all((root / name).read_bytes() == data for name, data in FILES.items())


def test_a_file_missing_at_the_base_is_named_on_both_paths(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    base = _repo(root)
    missing = (Edit.replace_file("absent.txt", "a\n", "b\n"),)
    [composed] = LocalComposer(root).compose([_proposal(missing)])
    assert composed.action == "skipped"
    assert composed.detail == "absent.txt is not committed at HEAD; commit it first"
    checkout = Checkout(root, "octo-org/demo", "main", base)
    with pytest.raises(WorkspaceError, match=r"^cannot commit: fatal: .*absent\.txt"):
        Workspace(tmp_path / "ws").commit(checkout, missing, "m", Identity("a", "a@b.c"))
    with pytest.raises(NotCommitted, match=r"absent\.txt"):
        commit_edits(root, base, missing, "m", Identity("a", "a@b.c"))
