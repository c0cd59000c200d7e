"""What event handlers receive besides the event: ports to the store, the queue and GitHub."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.github import Installation
from app.store import JobKind, Store

BOT_BRANCH_PREFIX = "maintainer/"


class JobSink(Protocol):
    def enqueue(
        self, kind: JobKind, repository: str | None, args: Mapping[str, Any] | None = None
    ) -> str:
        """Record and enqueue a job; returns its id."""
        ...


def no_retry(exc: BaseException) -> bool:
    return False


class Replies(Protocol):
    def comment(self, installation_id: int, repository: str, number: int, body: str) -> None:
        """Post `body` as a comment on issue or pull request `number`."""
        ...


@dataclass(frozen=True)
class EventContext:
    store: Store
    jobs: JobSink
    replies: Replies
    app_slug: str
    branch_prefix: str = BOT_BRANCH_PREFIX
    # GitHub as one installation, for handlers that do more than reply (comment commands).
    github: Callable[[int], Installation] | None = None
    # Whether the queue runs this job again if the handler raises `exc`: a handler that gives
    # up after its last attempt answers the people waiting (the queue sets it for each job).
    will_retry: Callable[[BaseException], bool] = field(default=no_retry)

    @property
    def bot_login(self) -> str:
        return f"{self.app_slug}[bot]"
