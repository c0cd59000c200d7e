"""Whether the bot may merge a PR now, later (CI pending) or not at all. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.commands.situation import Situation


class Verdict(StrEnum):
    MERGE = "merge"
    WAIT = "wait"
    REFUSE = "refuse"


@dataclass(frozen=True)
class MergeCheck:
    verdict: Verdict
    reason: str


def policy_refusal(situation: Situation) -> str | None:
    """Why `.maintainer.yml` does not let the bot merge this PR, or None."""
    policy = situation.merge
    if not policy.enabled:
        return "merging is off for this repository (`merge.enabled` in `.maintainer.yml`)"
    allowed_kinds = [k.value for k in policy.kinds]
    if situation.kind not in allowed_kinds:
        return (
            f"`.maintainer.yml` lets me merge only {', '.join(allowed_kinds) or 'nothing'}, "
            f"and this is a {situation.kind} PR"
        )
    allowed = {u.value for u in policy.update_types}
    outside = sorted(
        {c.update_type for c in situation.changes if c.update_type and c.update_type not in allowed}
    )
    if outside:
        return (
            f"it includes {' and '.join(outside)} updates; `merge.update_types` allows "
            f"{', '.join(sorted(allowed)) or 'none'}"
        )
    return None


def merge_check(situation: Situation) -> MergeCheck:
    """The verdict for a bot PR whose merge is requested (policy, human commits, CI)."""
    refusal = policy_refusal(situation)
    if refusal is not None:
        return MergeCheck(Verdict.REFUSE, refusal)
    if situation.human_commits and not situation.human_commits_reviewed:
        shas = ", ".join(situation.human_commits)
        reason = f"commits by others ({shas}) are on the branch and no approving review covers them"
        return MergeCheck(Verdict.REFUSE, reason)
    checks = situation.checks
    if checks.failing:
        return MergeCheck(Verdict.REFUSE, f"checks are failing: {', '.join(checks.failing)}")
    if checks.pending:
        return MergeCheck(Verdict.WAIT, f"checks are still running: {', '.join(checks.pending)}")
    if not checks.passed:
        return MergeCheck(Verdict.WAIT, "no checks have reported on the head commit yet")
    return MergeCheck(Verdict.MERGE, f"all checks passed: {', '.join(checks.passed)}")
