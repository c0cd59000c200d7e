"""What a decided command asks the edge to do, in order. The edge performs them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reaction(StrEnum):
    SEEN = "eyes"
    DONE = "+1"
    REFUSED = "confused"


class Rescan(StrEnum):
    """The scan a command asks the queue for: a plain one, or one that rebuilds a bot PR's
    branch on the current base (`rebase`) or from scratch over others' commits (`recreate`)."""

    REBASE = "rebase"
    RECREATE = "recreate"
    SCAN = "scan"


@dataclass(frozen=True)
class Reply:
    body: str


@dataclass(frozen=True)
class ClosePull:
    pass


@dataclass(frozen=True)
class ReopenPull:
    pass


@dataclass(frozen=True)
class StoreIgnore:
    package: str
    versions: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class RemoveIgnores:
    package: str  # "*" removes every stored ignore of the repository


@dataclass(frozen=True)
class Enqueue:
    rescan: Rescan


@dataclass(frozen=True)
class RefreshReport:
    """Queue the report job: the weekly report issue is measured and edited now."""


@dataclass(frozen=True)
class RunStep:
    """Queue the incident job to run one step of the incident's runbook."""

    incident: int
    step: str


@dataclass(frozen=True)
class RequestMerge:
    """Remember that `actor` asked to merge once CI is green."""


@dataclass(frozen=True)
class CancelMerge:
    pass


@dataclass(frozen=True)
class MergeNow:
    pass


Action = (
    Reply
    | ClosePull
    | ReopenPull
    | StoreIgnore
    | RemoveIgnores
    | Enqueue
    | RefreshReport
    | RunStep
    | RequestMerge
    | CancelMerge
    | MergeNow
)


@dataclass(frozen=True)
class Decision:
    """The actions for one command, and whether it is done (👍) or refused (😕)."""

    actions: tuple[Action, ...]
    ok: bool

    @property
    def reaction(self) -> Reaction:
        return Reaction.DONE if self.ok else Reaction.REFUSED
