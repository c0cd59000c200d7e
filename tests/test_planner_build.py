"""Findings whose edits are built on demand: the planner builds only the batches it admits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from app.config import RepoConfig
from app.model import Edit, EditsUnavailable, Finding, Kind
from app.planner import Budget, plan
from tests.support import NOW


@dataclass(frozen=True)
class Note:
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text}


@dataclass
class Builds:
    """Records which findings were built; fails for the paths in ``broken``."""

    broken: set[str] = field(default_factory=set)
    built: list[str] = field(default_factory=list)

    def finding(self, path: str) -> Finding:
        unbuilt = Finding(
            Kind.DEAD_CODE, f"dead:{path}", path, Note(path), batch=path.split("/", 1)[0]
        )
        return replace(unbuilt, build=lambda: self.build(unbuilt))

    def build(self, finding: Finding) -> Finding:
        self.built.append(finding.summary)
        if finding.summary in self.broken:
            raise EditsUnavailable(f"cannot edit {finding.summary}")
        edit = Edit(finding.summary, 0, "old", "new")
        return replace(finding, edits=(edit,), build=None)


def test_only_admitted_batches_are_built() -> None:
    builds = Builds()
    findings = [builds.finding(p) for p in ("a/x.py", "a/y.py", "b/x.py", "c/x.py")]
    result = plan(findings, RepoConfig(enabled=[Kind.DEAD_CODE], open_pr_limit=2), NOW)
    assert [b.key for b in result.batches] == ["a", "b"]
    assert builds.built == ["a/x.py", "a/y.py", "b/x.py"]
    assert all(f.edits and f.build is None for b in result.batches for f in b.findings)
    assert [d.subject for d in result.held] == ["c"]
    assert result.held[0].reason.startswith("open_pr_limit of 2 reached: 2 new PRs")
    assert result.reported == []  # unbuilt findings are not "reported without a change"


def test_a_batch_that_cannot_be_built_fails_and_frees_its_room() -> None:
    builds = Builds(broken={"a/y.py"})
    findings = [builds.finding(p) for p in ("a/x.py", "a/y.py", "b/x.py", "c/x.py")]
    result = plan(findings, RepoConfig(enabled=[Kind.DEAD_CODE], open_pr_limit=1), NOW)
    assert [b.key for b in result.batches] == ["b"]
    assert [(d.subject, d.reason) for d in result.failed] == [("a", "cannot edit a/y.py")]
    assert [d.subject for d in result.held] == ["c"]
    assert result.held[0].reason.startswith("open_pr_limit of 1 reached: 1 new PR already")


def test_a_batch_whose_pr_is_open_is_built_to_update_it() -> None:
    builds = Builds()
    findings = [builds.finding(p) for p in ("a/x.py", "b/x.py")]
    config = RepoConfig(enabled=[Kind.DEAD_CODE], open_pr_limit=1)
    budget = Budget(open_branches=frozenset({"b"}))
    result = plan(findings, config, NOW, budget, branch_of=lambda batch: batch.key)
    assert [b.key for b in result.batches] == ["b"]  # its PR is open: it counts as room used
    assert builds.built == ["b/x.py"]
    assert all(f.edits for f in result.batches[0].findings)
