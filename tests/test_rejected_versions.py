"""A bot PR's life as the planner sees it: what a proposal moves, and what a PR closed without
merging rules out (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.config import RepoConfig, UpdateType
from app.model import Change, Edit, Finding, Kind, Proposal, Risk, RiskLevel
from app.planner import plan, rejected_rules
from app.proposals import changes_of
from app.updates import Update

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def update(package: str, old: str, new: str, kind: UpdateType = UpdateType.MINOR) -> Finding:
    detail = Update(
        package=package,
        from_version=old,
        from_spec=f"=={old}",
        to_version=new,
        to_spec=f"=={new}",
        update_type=kind,
        manifest="requirements.txt",
        line=1,
        releases_behind=1,
        days_behind=30,
        released=NOW - timedelta(days=30),
        development=False,
        group=None,
    )
    edit = Edit("requirements.txt", 0, f"{package}=={old}", f"{package}=={new}")
    return Finding(Kind.DEPENDENCY_UPDATE, package, f"{old} → {new}", detail, (edit,))


def test_a_closed_version_is_not_proposed_again_but_a_newer_one_is() -> None:
    rules = rejected_rules([("requests", "2.32.3", 12)])
    assert rules[0].reason == "#12 was closed without merging"
    findings = [update("requests", "2.31.0", "2.32.3"), update("requests", "2.31.0", "2.32.0")]
    held = plan(findings, RepoConfig(), NOW, stored_ignores=rules)
    assert held.batches == [] and "#12 was closed" in held.held[0].reason
    newer = [update("requests", "2.31.0", "2.33.0"), *findings]
    chosen = plan(newer, RepoConfig(), NOW, stored_ignores=rules)
    [batch] = chosen.batches
    assert batch.findings[0].detail.to_version == "2.33.0"  # type: ignore[attr-defined]


def test_changes_of_a_proposal() -> None:
    findings = (update("b", "1.0", "1.1"), update("a", "2.0", "3.0", UpdateType.MAJOR))
    proposal = Proposal(
        id="x",
        kind=Kind.DEPENDENCY_UPDATE,
        title="t",
        branch="maintainer/x",
        findings=findings,
        risk=Risk(RiskLevel.LOW, ()),
        labels=(),
        body="",
        commit_message="m",
    )
    assert changes_of(proposal) == [
        Change("a", "2.0", "3.0", "major"),
        Change("b", "1.0", "1.1", "minor"),
    ]
