"""What a flaky test's proposal would change (kind ``flaky-test``): a fix or a quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from app.flaky.causes import Category, Cause
from app.flaky.detect import Verdict
from app.model import Kind

QUARANTINE_DAYS = 30
"""Datadog calls a test fixed after 30 days without a flake: the quarantine expires then."""


@dataclass(frozen=True)
class Proposal:
    change: str
    """The quarantine: the marker added above the test."""
    fix: str | None = None
    """A cause-specific fix, when the cause has a mechanical one."""
    action: Literal["quarantine"] = "quarantine"
    kind: str = Kind.FLAKY_TEST.value


def quarantine_marker(
    verdict: Verdict, cause: Cause | None, has_rerunfailures: bool, reruns: int, today: date
) -> str:
    """``@pytest.mark.flaky(reruns=N)`` with pytest-rerunfailures, else a non-strict xfail."""
    if has_rerunfailures:
        return f"@pytest.mark.flaky(reruns={reruns})"
    why = f"flip rate {verdict.flip_rate:.0%} over {verdict.runs} runs"
    if cause is not None:
        why += f", likely {cause.category.value}"
    expires = today + timedelta(days=QUARANTINE_DAYS)
    reason = f"flaky: {why}, quarantined on {today.isoformat()}, expires {expires.isoformat()}"
    return f"@pytest.mark.xfail(strict=False, reason={reason!r})"


def propose(
    verdict: Verdict, cause: Cause | None, has_rerunfailures: bool, reruns: int, today: date
) -> Proposal:
    """The quarantine, and a hint of the mechanical fix when the cause has one (`--apply` makes
    it and proves it, `app.flaky.fixing`)."""
    marker = quarantine_marker(verdict, cause, has_rerunfailures, reruns, today)
    fix = None
    if cause is not None and any(e.file for e in cause.evidence):
        fix = _FIX_HINTS.get(cause.category)
    return Proposal(f"add {marker}", fix)


_FIX_HINTS = {
    Category.RANDOMNESS: "seed the random number generator at the start of the test",
    Category.UNORDERED_COLLECTION: "sort the set before the assertion compares it",
    Category.ASYNC_WAIT: "wait with the repository's bounded wait loop instead of a fixed sleep",
}
