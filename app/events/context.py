"""What event handlers receive besides the event: ports to the store, the queue and GitHub."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.github import Installation
from app.store import JobKind, ProposalRecord, RepositoryRecord, Store


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
    # GitHub as one installation, for handlers that do more than reply (comment commands).
    github: Callable[[int], Installation] | None = None
    # Whether the queue runs this job again if the handler raises `exc`: a handler that gives
    # up after its last attempt answers the people waiting (the queue sets it for each job).
    will_retry: Callable[[BaseException], bool] = field(default=no_retry)

    @property
    def bot_login(self) -> str:
        return f"{self.app_slug}[bot]"


class ActionFailed(Exception):
    """An action could not be done; the message is the reply's reason."""


@dataclass(frozen=True)
class IssueHandle:
    """An issue or pull request of a stored repository (GitHub numbers both as issues), with
    the installation to act on it and the event context to answer there."""

    gh: Installation
    context: EventContext
    repository: RepositoryRecord
    installation_id: int
    number: int

    @property
    def repo(self) -> str:
        return self.repository.full_name

    def reply(self, bodies: Sequence[str]) -> None:
        """Post `bodies` as one comment (nothing when there is nothing to say)."""
        if bodies:
            body = "\n\n---\n\n".join(b.strip() for b in bodies) + "\n"
            self.context.replies.comment(self.installation_id, self.repo, self.number, body)

    def recorded_proposal(self) -> ProposalRecord:
        """The bot's record of this pull request, or `ActionFailed` saying it has none."""
        proposal = self.context.store.proposal_by_number(self.repository.id, self.number)
        if proposal is None:
            raise ActionFailed(f"#{self.number} is not in my records (it was opened elsewhere)")
        return proposal
