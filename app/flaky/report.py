"""A flaky-test report: verdicts with their causes and proposals, as JSON or a table."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from app.config import FlakySettings
from app.flaky.causes import Cause, find_test, likely_cause
from app.flaky.correlation import correlations
from app.flaky.detect import Detection, History, State, Verdict
from app.flaky.proof import Proof
from app.flaky.quarantine import Proposal, propose
from app.flaky.sources import locate_test_file, read_source

if TYPE_CHECKING:
    from app.flaky.release import Quarantined


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    file: str | None
    line: int | None
    cause: Cause | None
    proposal: Proposal | None


@dataclass(frozen=True)
class FixResult:
    """A flaky test's fix: its branch, what it changes and its proof, or why there is none."""

    branch: str | None
    change: str | None
    proof: Proof | None
    reason: str

    def as_json(self) -> dict[str, Any]:
        proof = self.proof
        return {
            "branch": self.branch,
            "change": self.change,
            "proof": None if proof is None else {"runs": proof.runs, "passed": proof.passed},
            "reason": self.reason or None,
        }


@dataclass(frozen=True)
class FlakyReport:
    detection: Detection
    findings: tuple[Finding, ...]


def build_report(
    detection: Detection,
    root: Path,
    settings: FlakySettings,
    has_rerunfailures: bool,
    today: date,
    history: History | None = None,
) -> FlakyReport:
    """Each non-healthy test with its file and line in ``root``, its likely cause, its proposal.

    With the ``history``, a flaky test's failures correlated with the test order or the xdist
    worker count among its causes."""
    findings = []
    for verdict in detection.verdicts:
        file = locate_test_file(root, verdict.id, verdict.file)
        source = read_source(root, file) if file else None
        line = _definition_line(source, verdict.id) or verdict.line
        observed = (
            [(c.category, c.evidence) for c in correlations(history, verdict.id)]
            if history is not None and verdict.state is State.FLAKY
            else []
        )
        cause = likely_cause(verdict.id, file, source, verdict.messages, observed)
        proposal = (
            propose(verdict, cause, has_rerunfailures, settings.reruns, today)
            if verdict.state is State.FLAKY and file is not None
            else None
        )
        findings.append(Finding(verdict, file or verdict.file, line, cause, proposal))
    return FlakyReport(detection, tuple(findings))


def _definition_line(source: str | None, test_id: str) -> int | None:
    if source is None:
        return None
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    function = find_test(module, test_id)
    return function.lineno if function else None


def report_json(
    report: FlakyReport,
    branches: Mapping[str, str] | None = None,
    fixes: Mapping[str, FixResult] | None = None,
    quarantined: Sequence[Quarantined] = (),
    releases: Mapping[str, str] | None = None,
) -> str:
    """``branches``: test id → the local branch that quarantines it, ``fixes``: its fix (or why
    none), ``releases``: quarantined test id → the branch releasing it (all from ``--apply``)."""
    detection = report.detection
    document: dict[str, Any] = {
        "runs": detection.runs,
        "tests": detection.tests,
        "flake_rate": round(detection.flake_rate, 4),
        "flaky": [
            _finding_json(f, (branches or {}).get(f.verdict.id), (fixes or {}).get(f.verdict.id))
            for f in report.findings
        ],
        "trend": [{"week": w.week, "flake_rate": round(w.flake_rate, 4)} for w in detection.trend],
        "quarantined": [
            {
                "id": q.test,
                "file": q.file,
                "line": q.line,
                "since": q.quarantine.since.isoformat() if q.quarantine.since else None,
                "passes": q.passes,
                "release": q.due,
                "branch": (releases or {}).get(q.test),
            }
            for q in quarantined
        ],
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()


def _finding_json(finding: Finding, branch: str | None, fix: FixResult | None) -> dict[str, Any]:
    verdict, cause, proposal = finding.verdict, finding.cause, finding.proposal
    return {
        "id": verdict.id,
        "file": finding.file,
        "line": finding.line,
        "state": verdict.state.value,
        "flip_rate": round(verdict.flip_rate, 4),
        "runs": verdict.runs,
        "failures": verdict.failures,
        "cause": None
        if cause is None
        else {
            "category": cause.category.value,
            "evidence": [{"file": e.file, "line": e.line, "text": e.text} for e in cause.evidence],
        },
        "proposal": None
        if proposal is None
        else {
            "kind": proposal.kind,
            "action": proposal.action,
            "change": proposal.change,
            "fix": proposal.fix,
            "branch": branch,
            "fix_proposal": fix.as_json() if fix else None,
        },
    }


def report_table(
    report: FlakyReport,
    fixes: Mapping[str, FixResult] | None = None,
    quarantined: Sequence[Quarantined] = (),
    releases: Mapping[str, str] | None = None,
) -> str:
    detection = report.detection
    lines = [
        f"{detection.runs} runs of {detection.tests} tests; "
        f"flake rate {detection.flake_rate:.1%} (runs in which a flaky test failed)"
    ]
    if not report.findings:
        lines.append("No flaky or broken test found.")
        lines += _quarantined_lines(quarantined, releases)
        return "\n".join(lines)
    rows = [("STATE", "FLIP", "FAILED", "CAUSE", "TEST", "WHY")]
    for finding in report.findings:
        verdict = finding.verdict
        where = f"{finding.file}:{finding.line}" if finding.file and finding.line else verdict.id
        rows.append(
            (
                verdict.state.value,
                f"{verdict.flip_rate:.0%}",
                f"{verdict.failures}/{verdict.runs}",
                finding.cause.category.value if finding.cause else "-",
                f"{verdict.id} ({where})" if where != verdict.id else verdict.id,
                verdict.reason,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    for finding in report.findings:
        if finding.cause is not None:
            lines.append(f"\n{finding.verdict.id}: likely {finding.cause.category.value}")
            lines += [f"  {_where(e.file, e.line)}{e.text}" for e in finding.cause.evidence]
        if finding.proposal is not None:
            lines.append(f"  proposal ({finding.proposal.action}): {finding.proposal.change}")
            if finding.proposal.fix:
                lines.append(f"  fix: {finding.proposal.fix}")
        fix = (fixes or {}).get(finding.verdict.id)
        if fix is not None and fix.proof is not None:
            lines.append(
                f"  fix branch {fix.branch or '(not made)'}: {fix.change}; "
                f"{fix.proof.passed} of {fix.proof.runs} reruns passed"
            )
        elif fix is not None:
            lines.append(f"  no fix: {fix.reason}")
    lines += _quarantined_lines(quarantined, releases)
    return "\n".join(lines)


def _quarantined_lines(
    quarantined: Sequence[Quarantined], releases: Mapping[str, str] | None
) -> list[str]:
    lines = []
    for test in quarantined:
        state = "due for release" if test.due else "stays quarantined"
        branch = (releases or {}).get(test.test)
        lines.append(
            f"\nquarantined {test.test} ({test.file}:{test.line}): {test.passes} passes in a "
            f"row since its quarantine, {state}" + (f": {branch}" if branch else "")
        )
    return lines


def _where(file: str | None, line: int | None) -> str:
    return f"{file}:{line}: " if file and line else ""
