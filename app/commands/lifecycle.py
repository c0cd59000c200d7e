"""A bot PR's life, as policy: what a closed PR rules out, what a proposal moves, and when an
open PR's branch is brought up to date with its base. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from app.config import IgnoreRule
from app.model import Change, Proposal
from app.planner import Versioned

RebasePolicy = Literal["conflicted", "behind", "never"]


def changes_of(proposal: Proposal) -> list[Change]:
    """The packages and versions a proposal moves (none for code changes)."""
    found: dict[str, Change] = {}
    for finding in proposal.findings:
        detail = finding.detail
        if isinstance(detail, Versioned):
            from_version = getattr(detail, "from_version", None)
            found[detail.package] = Change(
                detail.package,
                from_version if isinstance(from_version, str) else None,
                detail.to_version,
                str(detail.update_type.value) if detail.update_type else None,
            )
    return [found[name] for name in sorted(found)]


def rejected_rules(rejected: Iterable[tuple[str, str, int | None]]) -> list[IgnoreRule]:
    """A bot PR closed without merging means "not this version": nothing up to that version is
    proposed again (no older alternative either, as Dependabot does); a newer one may be."""
    return [
        IgnoreRule(
            dependency=package,
            versions=[f"<={version}"],
            reason=f"#{number} was closed without merging" if number else "closed without merging",
        )
        for package, version, number in rejected
    ]


def should_update_branch(policy: RebasePolicy, *, requested: bool, same_edit: bool) -> bool:
    """Whether to push a fresh commit over an open bot PR's branch (all commits the bot's).

    `same_edit`: the branch already makes the same edit, only on an older base (it is behind,
    without conflict). `conflicted` (default) leaves such branches alone, so CI does not re-run
    on every open PR after each push to the base; `behind` updates them; `never` updates only
    when asked (`/maintainer rebase`). A different edit is always pushed, except with `never`.
    """
    if requested:
        return True
    if policy == "never":
        return False
    return policy == "behind" or not same_edit
