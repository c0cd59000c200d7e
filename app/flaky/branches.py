"""Quarantine proposals (kind ``flaky-test``) as local branches, one per flaky test."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.config import FlakySettings
from app.flaky.edits import quarantine
from app.flaky.quarantine import QUARANTINE_DAYS, quarantine_marker
from app.flaky.report import Finding as FlakyFinding
from app.model import Edit, Finding, Kind, Proposal, Risk, RiskFactor, RiskLevel
from app.proposals import branch_name, restore_list
from app.templates import render_body


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
