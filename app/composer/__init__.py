"""Composers turn proposals into reviewable changes: local branches or GitHub draft PRs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app.model import Proposal


@dataclass(frozen=True)
class Composed:
    """What a composer did with one proposal."""

    proposal_id: str
    branch: str
    action: str
    detail: str = ""


class Composer(Protocol):
    def compose(self, proposals: Sequence[Proposal]) -> list[Composed]: ...
