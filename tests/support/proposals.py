"""Hand-built proposals for composer tests: real edits of the demo repository's files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.model import Edit, Finding, Kind, Proposal, Risk, RiskLevel
from tests.support.harness import DEMO_TREE


@dataclass(frozen=True)
class Note:
    text: str

    def to_json(self) -> Mapping[str, Any]:
        return {"note": self.text}


def bump(package: str, old: str, new: str, body: str = "") -> Proposal:
    """Rewrite `package==old` to `package==new` in requirements.txt."""
    text = (DEMO_TREE / "requirements.txt").read_text()
    needle = f"{package}=={old}"
    offset = text.index(needle)
    edit = Edit("requirements.txt", offset, needle, f"{package}=={new}")
    finding = Finding(Kind.DEPENDENCY_UPDATE, package, f"{old} → {new}", Note(new), (edit,))
    branch = f"maintainer/dependency-update/{package}-{new}"
    return Proposal(
        id=f"{package}-{new}",
        kind=Kind.DEPENDENCY_UPDATE,
        title=f"Bump {package} from {old} to {new}",
        branch=branch,
        findings=(finding,),
        risk=Risk(RiskLevel.LOW, ()),
        labels=("dependencies",),
        body=body or f"## What changes\n{package} {old} → {new}\n",
        commit_message=f"Bump {package} from {old} to {new}",
    )
