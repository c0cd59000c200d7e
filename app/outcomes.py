"""Outcome tracking: what became of the bot's PRs, per repository and kind. Pure.

The approval rate (merged / (merged + closed)) is the figure the tech-debt report shows;
superseded PRs (replaced by a newer bump) and open ones count in neither.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.store import Outcome, ProposalStatus

ALL = "*"


@dataclass(frozen=True)
class OutcomeStats:
    repository: str
    kind: str
    opened: int
    still_open: int
    merged_untouched: int
    merged_with_edits: int
    closed: int
    superseded: int
    merged_by_bot: int
    median_hours_to_merge: float | None

    @property
    def merged(self) -> int:
        return self.merged_untouched + self.merged_with_edits

    @property
    def approval_rate(self) -> float | None:
        decided = self.merged + self.closed
        return None if decided == 0 else self.merged / decided

    def to_json(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "kind": self.kind,
            "opened": self.opened,
            "open": self.still_open,
            "merged": self.merged,
            "merged_untouched": self.merged_untouched,
            "merged_with_human_edits": self.merged_with_edits,
            "closed": self.closed,
            "superseded": self.superseded,
            "merged_by_bot": self.merged_by_bot,
            "approval_rate": self.approval_rate,
            "median_hours_to_merge": self.median_hours_to_merge,
        }


def summarize(outcomes: Iterable[Outcome]) -> list[OutcomeStats]:
    """One row per (repository, kind), then per repository over all kinds (`kind` = `*`), then
    the grand total (`repository` = `*`) when there is more than one repository."""
    listed = list(outcomes)
    keys = sorted({(o.repository, o.kind) for o in listed})
    rows = [_row(r, k, [o for o in listed if (o.repository, o.kind) == (r, k)]) for r, k in keys]
    repositories = sorted({o.repository for o in listed})
    rows += [_row(r, ALL, [o for o in listed if o.repository == r]) for r in repositories]
    if len(repositories) > 1:
        rows.append(_row(ALL, ALL, listed))
    return rows


def _row(repository: str, kind: str, outcomes: list[Outcome]) -> OutcomeStats:
    merged = [o for o in outcomes if o.status is ProposalStatus.MERGED]
    edited = [o for o in merged if _edited(o)]
    superseded = [
        o for o in outcomes if o.status is ProposalStatus.SUPERSEDED or o.outcome == "superseded"
    ]
    closed = [o for o in outcomes if o.status is ProposalStatus.CLOSED and o not in superseded]
    hours = [
        (o.closed_at - o.opened_at).total_seconds() / 3600
        for o in merged
        if o.closed_at is not None and o.opened_at is not None
    ]
    return OutcomeStats(
        repository=repository,
        kind=kind,
        opened=len(outcomes),
        still_open=sum(1 for o in outcomes if o.status is ProposalStatus.OPEN),
        merged_untouched=len(merged) - len(edited),
        merged_with_edits=len(edited),
        closed=len(closed),
        superseded=len(superseded),
        merged_by_bot=sum(1 for o in merged if o.merged_by_bot),
        median_hours_to_merge=round(statistics.median(hours), 2) if hours else None,
    )


def _edited(outcome: Outcome) -> bool:
    """Commits by others were on the branch when it merged (counted then; else the composer's
    stop, which `recreate` may have undone, is the best knowledge)."""
    if outcome.human_commits is not None:
        return outcome.human_commits > 0
    return outcome.stopped
