"""Proposals of kind ``flaky-test`` as local branches: a quarantine per flaky test, a fix where
the cause has a mechanical one (proved by reruns), a release after enough passes."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.config import FlakySettings
from app.flaky.edits import quarantine, release
from app.flaky.fixes import Fixed
from app.flaky.proof import Proof
from app.flaky.quarantine import QUARANTINE_DAYS, quarantine_marker
from app.flaky.release import Quarantine
from app.flaky.report import Finding as FlakyFinding
from app.model import Edit, Finding, Kind, Proposal, Risk, RiskFactor, RiskLevel
from app.proposals import branch_name, restore_list
from app.templates import render_body

RELEASE = "release-"
"""The slug prefix of a release branch (`maintainer/flaky-test/release-…`)."""


def is_release(branch: str) -> bool:
    return branch.startswith(branch_name(Kind.FLAKY_TEST.value, RELEASE))


@dataclass(frozen=True)
class QuarantineDetail:
    test: str
    file: str
    line: int | None
    marker: str
    expires: str

    def to_json(self) -> Mapping[str, Any]:
        return {
            "test": self.test,
            "file": self.file,
            "line": self.line,
            "marker": self.marker,
            "expires": self.expires,
        }


def quarantine_proposal(
    finding: FlakyFinding,
    path: str,
    text: str,
    has_rerunfailures: bool,
    settings: FlakySettings,
    today: date,
) -> Proposal:
    """The branch quarantining one flaky test; ``path`` is relative to the git top level.

    Raises `app.flaky.edits.EditError` when the marker cannot be added.
    """
    verdict, cause = finding.verdict, finding.cause
    marker = quarantine_marker(verdict, cause, has_rerunfailures, settings.reruns, today)
    edited = quarantine(text, verdict.id, marker, path)
    edits = (Edit(path, 0, text, edited),)
    expires = (today + timedelta(days=QUARANTINE_DAYS)).isoformat()
    name = verdict.id.rpartition("::")[2]
    branch = branch_name(Kind.FLAKY_TEST.value, f"quarantine-{path}-{name}")
    proposal_id = hashlib.sha1(branch.encode()).hexdigest()[:12]
    risk = Risk(
        RiskLevel.LOW,
        (RiskFactor("the test still runs; only its failures stop failing the build", 0),),
    )
    body = render_body(
        Kind.FLAKY_TEST.value,
        verdict=verdict,
        cause=cause,
        file=path,
        line=finding.line,
        marker=marker,
        expires=expires,
        window=settings.window,
        risk=risk,
        restore=restore_list(edits, lambda p: text),
        proposal_id=proposal_id,
    )
    detail = QuarantineDetail(verdict.id, path, finding.line, marker, expires)
    return Proposal(
        id=proposal_id,
        kind=Kind.FLAKY_TEST,
        title=f"Quarantine flaky test {name}",
        branch=branch,
        findings=(Finding(Kind.FLAKY_TEST, verdict.id, verdict.reason, detail, edits=edits),),
        risk=risk,
        labels=("flaky-test",),
        body=body,
        commit_message=f"Quarantine flaky test {verdict.id}\n\n{verdict.reason}; {marker}, "
        f"expires {expires}.",
    )


@dataclass(frozen=True)
class FixDetail:
    test: str
    file: str
    category: str
    change: str
    proof: str

    def to_json(self) -> Mapping[str, Any]:
        return {
            "test": self.test,
            "file": self.file,
            "category": self.category,
            "change": self.change,
            "proof": self.proof,
        }


def fix_branch(path: str, test_id: str) -> str:
    name = test_id.rpartition("::")[2]
    return branch_name(Kind.FLAKY_TEST.value, f"fix-{path}-{name}")


def fix_proposal(
    finding: FlakyFinding,
    path: str,
    text: str,
    fixed: Fixed,
    proof: Proof,
    tried: tuple[str, ...] = (),
) -> Proposal:
    """The branch fixing one flaky test's cause; ``proof``: its reruns, which all passed.

    ``tried``: earlier candidates whose proof failed (said in the body)."""
    verdict, cause = finding.verdict, finding.cause
    if cause is None or not proof.holds:
        raise ValueError("a fix is proposed only for a known cause with a proof that holds")
    edits = (Edit(path, 0, text, fixed.text),)
    name = verdict.id.rpartition("::")[2]
    branch = fix_branch(path, verdict.id)
    proposal_id = hashlib.sha1(branch.encode()).hexdigest()[:12]
    risk = Risk(
        RiskLevel.LOW,
        (RiskFactor("only the test's own code changes; the code under test is untouched", 0),),
    )
    proved = f"{proof.passed} of {proof.runs} reruns of {proof.node} passed"
    body = render_body(
        "flaky-test-fix",
        verdict=verdict,
        cause=cause,
        file=path,
        line=finding.line,
        change=fixed.change,
        proof=proof,
        tried=tried,
        risk=risk,
        restore=restore_list(edits, lambda p: text),
        proposal_id=proposal_id,
    )
    detail = FixDetail(verdict.id, path, cause.category.value, fixed.change, proved)
    return Proposal(
        id=proposal_id,
        kind=Kind.FLAKY_TEST,
        title=f"Fix flaky test {name} ({cause.category.value})",
        branch=branch,
        findings=(Finding(Kind.FLAKY_TEST, verdict.id, verdict.reason, detail, edits=edits),),
        risk=risk,
        labels=("flaky-test",),
        body=body,
        commit_message=f"Fix flaky test {verdict.id} ({cause.category.value})\n\n"
        f"{fixed.change}.\n\nProof: {proved} (each in its own pytest process).",
    )


@dataclass(frozen=True)
class ReleaseDetail:
    test: str
    file: str
    marker: str
    passes: int

    def to_json(self) -> Mapping[str, Any]:
        return {"test": self.test, "file": self.file, "marker": self.marker, "passes": self.passes}


def release_proposal(
    test_id: str,
    path: str,
    line: int | None,
    text: str,
    quarantine: Quarantine,
    passes: int,
    needed: int,
) -> Proposal:
    """The branch removing a quarantine marker after ``passes`` (≥ ``needed``) passes in a row.

    Raises `app.flaky.edits.EditError` when the marker cannot be removed."""
    edited = release(text, test_id, path)
    edits = (Edit(path, 0, text, edited),)
    name = test_id.rpartition("::")[2]
    branch = branch_name(Kind.FLAKY_TEST.value, f"{RELEASE}{path}-{name}")
    proposal_id = hashlib.sha1(branch.encode()).hexdigest()[:12]
    risk = Risk(
        RiskLevel.LOW,
        (RiskFactor(f"the test passed its last {passes} runs under quarantine", 0),),
    )
    body = render_body(
        "flaky-test-release",
        test=test_id,
        file=path,
        line=line,
        marker=quarantine.marker,
        since=quarantine.since.isoformat() if quarantine.since else None,
        passes=passes,
        needed=needed,
        risk=risk,
        restore=restore_list(edits, lambda p: text),
        proposal_id=proposal_id,
    )
    detail = ReleaseDetail(test_id, path, quarantine.marker, passes)
    return Proposal(
        id=proposal_id,
        kind=Kind.FLAKY_TEST,
        title=f"Release quarantined test {name}",
        branch=branch,
        findings=(
            Finding(
                Kind.FLAKY_TEST,
                test_id,
                f"passed {passes} times in a row since its quarantine",
                detail,
                edits=edits,
            ),
        ),
        risk=risk,
        labels=("flaky-test",),
        body=body,
        commit_message=f"Release quarantined test {test_id}\n\nIt passed {passes} runs in a row "
        f"since its quarantine (release after {needed}); @{quarantine.marker} removed.",
    )
