"""CI as GitHub reports it: the conclusions of check runs and suites, which of them pass and
which fail, how several runs on one commit combine, and which runs are the bot's own (not CI).

The one owner of these names: the webhook handlers, the merge-when-green check and the risk
section of a PR body all ask here.
"""

from __future__ import annotations

OWN_CHECK_PREFIX = "maintainer/"
"""The bot's own check runs (`maintainer/config`): never CI, never a reason to refresh a PR."""

PASSING = frozenset({"success", "neutral", "skipped"})
FAILING = frozenset({"failure", "startup_failure", "timed_out", "cancelled", "action_required"})

SEVERITY = (
    "failure",
    "startup_failure",
    "timed_out",
    "action_required",
    "cancelled",
    "stale",
    "neutral",
    "skipped",
    "success",
)
"""Worst first: the combined result of several runs on one head is the worst of them."""


def is_own_check(name: str | None) -> bool:
    return (name or "").startswith(OWN_CHECK_PREFIX)


def passes(conclusion: str | None) -> bool:
    return conclusion in PASSING


def fails(conclusion: str | None) -> bool:
    return conclusion in FAILING


def combine(previous: str | None, new: str) -> str:
    """The worse of two conclusions (an unknown one counts as the worst)."""
    if previous is None:
        return new
    rank = {name: index for index, name in enumerate(SEVERITY)}
    return min(previous, new, key=lambda name: rank.get(name, 0))
