"""How scan results are shown: a readable table, or one JSON document."""

from __future__ import annotations

import json
from typing import Any

from app.composer import Composed
from app.model import Finding, Proposal, ScanResult, unaudited_by_reason


def proposal_json(proposal: Proposal) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": proposal.id,
        "kind": proposal.kind.value,
        "title": proposal.title,
        "branch": proposal.branch,
        "files": list(proposal.files),
        "labels": list(proposal.labels),
        "body": proposal.body,
        "risk": proposal.risk.to_json(),
    }
    merge_details(document, proposal.findings)
    return document


def merge_details(document: dict[str, Any], findings: tuple[Finding, ...] | list[Finding]) -> None:
    """Fold each finding's detail keys into the document; lists are concatenated."""
    for finding in findings:
        for key, value in finding.detail.to_json().items():
            if isinstance(value, list) and isinstance(document.get(key), list):
                document[key] = [*document[key], *value]
            elif key not in document:
                document[key] = value


def scan_json(result: ScanResult, composed: list[Composed] | None = None) -> str:
    reported = [f for f in result.findings if not f.proposable]
    document: dict[str, Any] = {
        "repository": result.repository,
        "proposals": [proposal_json(p) for p in result.proposals],
        "errors": [e.to_json() for e in result.errors],
        "deferred": [{"subject": d.subject, "reason": d.reason} for d in result.deferred],
        "reported": [_reported_json(f) for f in reported],
        "unaudited": [
            {
                "reason": reason,
                "packages": [{"package": u.package, "version": u.version} for u in items],
            }
            for reason, items in unaudited_by_reason(result.unaudited)
        ],
        "notes": list(result.notes),
    }
    if composed is not None:
        document["branches"] = [
            {"proposal": c.proposal_id, "branch": c.branch, "action": c.action, "detail": c.detail}
            for c in composed
        ]
    return json.dumps(document, indent=2)


def _reported_json(finding: Finding) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": finding.kind.value, "summary": finding.summary}
    merge_details(document, [finding])
    return document


def scan_table(result: ScanResult, composed: list[Composed] | None = None) -> str:
    lines = [f"Repository: {result.repository}"]
    if result.proposals:
        lines.append(f"\n{len(result.proposals)} proposal(s):")
        width = max(len(p.title) for p in result.proposals)
        for proposal in result.proposals:
            files = ", ".join(proposal.files)
            lines.append(
                f"  {proposal.title:<{width}}  risk {proposal.risk.level.value:<6}  "
                f"{proposal.branch}  [{files}]"
            )
    else:
        lines.append("\nNo proposals: everything is up to date.")
    reported = [f for f in result.findings if not f.proposable]
    if reported:
        lines.append(f"\n{len(reported)} finding(s) reported without a change:")
        lines.extend(f"  - {f.summary}" for f in reported)
    if result.unaudited:
        lines.append(f"\n{len(result.unaudited)} dependencies NOT audited (not known to be safe):")
        lines.extend(
            f"  - {reason} ({len(items)}): {', '.join(u.label for u in items)}"
            for reason, items in unaudited_by_reason(result.unaudited)
        )
    if result.deferred:
        lines.append(f"\n{len(result.deferred)} held back by policy:")
        lines.extend(
            f"  - {', '.join(subjects)}: {reason}" for reason, subjects in _by_reason(result)
        )
    for note in result.notes:
        lines.append(f"\nNote: {note}")
    if composed:
        lines.append("\nBranches:")
        lines.extend(
            f"  {c.action:<9} {c.branch}" + (f"  ({c.detail})" if c.action == "skipped" else "")
            for c in composed
        )
    if result.errors:
        lines.append(f"\n{len(result.errors)} error(s):")
        lines.extend(f"  {error}" for error in result.errors)
    return "\n".join(lines)


def _by_reason(result: ScanResult) -> list[tuple[str, list[str]]]:
    """Deferred subjects sharing a reason, on one line each (in first-seen order)."""
    grouped: dict[str, list[str]] = {}
    for deferred in result.deferred:
        grouped.setdefault(deferred.reason, []).append(deferred.subject)
    return list(grouped.items())
