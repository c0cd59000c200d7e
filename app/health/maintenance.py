"""Deprecated API uses and dead-code candidates as debt items, from what the analyzers found.

The deprecation and dead-code analyzers run through the scan's own caches (`app.caches`
``deprecations`` and ``deadcode``): a file the scan has seen is not analysed again. Without
those caches (no `maintainer scan` with this cache root yet) nothing runs and the component is
unknown, never 0.

Cost model (README "Cost model"): a deprecated use costs 5 minutes when the bot drafts its
codemod (review it) and 15 when it is report-only (by hand), and takes 2 points of the
"maintenance" component (it breaks when the API is removed); a dead-code candidate costs 2
minutes of review and takes 1 point. The fix is the proposal the scan drafts for it (its
branch) or, when the scan only reports it, the suggestion to review and remove it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.health.inventory import Item
from app.model import Finding, Kind, Proposal

DEPRECATED_POINTS = 2.0
DEAD_CODE_POINTS = 1.0


@dataclass(frozen=True)
class Maintenance:
    items: tuple[Item, ...]
    deprecated_uses: int
    dead_code_candidates: int


def _branches(proposals: Sequence[Proposal]) -> dict[tuple[Kind, str], str]:
    """(kind, file) → the branch of the proposal of that kind that edits the file."""
    return {(p.kind, e.path): p.branch for p in proposals for e in p.edits}


def maintenance(findings: Sequence[Finding], proposals: Sequence[Proposal]) -> Maintenance:
    from app.analyzers.dead_code import DeadCode
    from app.analyzers.deprecation import DeprecationDetail

    branches = _branches(proposals)
    items: list[Item] = []
    deprecated = dead = 0
    for finding in findings:
        detail = finding.detail
        if finding.kind is Kind.DEPRECATION and isinstance(detail, DeprecationDetail):
            for info, location in detail.rows:
                deprecated += 1
                branch = branches.get((Kind.DEPRECATION, location.file))
                manual = info.safety.value == "report-only" or branch is None
                fix: Mapping[str, str] = (
                    {"kind": "deprecation", "branch": branch}
                    if branch and not manual
                    else {"kind": "deprecation", "suggestion": location.advice or info.replacement}
                )
                items.append(
                    Item(
                        id=f"deprecated:{location.file}:{location.line}:{info.id}",
                        kind="deprecated-api",
                        component="maintenance",
                        subject=f"{location.file}:{location.line}",
                        evidence=f"{info.replaces} is deprecated since {info.deprecated_since}"
                        + (f", removed in {info.removed_in}" if info.removed_in else "")
                        + f" ({info.id})",
                        minutes=15 if manual else 5,
                        risk="medium" if info.removed_in else "low",
                        fix=fix,
                        points=DEPRECATED_POINTS,
                    )
                )
        elif finding.kind is Kind.DEAD_CODE and isinstance(detail, DeadCode):
            for symbol in detail.symbols:
                dead += 1
                branch = branches.get((Kind.DEAD_CODE, symbol.file))
                items.append(
                    Item(
                        id=f"dead-code:{symbol.file}:{symbol.name}",
                        kind="dead-code",
                        component="maintenance",
                        subject=f"{symbol.file}:{symbol.line} {symbol.name}",
                        evidence=f"{symbol.kind} {symbol.name} ({symbol.lines} lines) is never "
                        f"used (confidence {symbol.confidence} %)",
                        minutes=2,
                        risk="low",
                        fix={"kind": "dead-code", "branch": branch}
                        if branch and symbol.removed
                        else {
                            "kind": "dead-code",
                            "suggestion": f"review and remove {symbol.name}",
                        },
                        points=DEAD_CODE_POINTS,
                    )
                )
    return Maintenance(tuple(items), deprecated, dead)
