"""The store's part of the conversation on a PR: ignores with where they came from, what each
proposal moves, merge requests, human commits, handled comments, and outcomes for `stats`.

Works on the same engine as `Store` (tables in `app.store.models`, migration 0002).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.commands.situation import Change
from app.store.models import (
    HandledCommentRow,
    ProposalChangeRow,
    ProposalRow,
    PullLifecycleRow,
    RepositoryRow,
)
from app.store.records import ProposalRecord, ProposalStatus
from app.store.store import Store


@dataclass(frozen=True)
class MergeRequest:
    proposal: ProposalRecord
    requested_by: str
    requested_at: datetime


@dataclass(frozen=True)
class Outcome:
    """One bot PR for `maintainer stats`."""

    repository: str
    kind: str
    status: ProposalStatus
    outcome: str | None  # "merged", "closed", "superseded"
    stopped: bool  # the composer saw commits by others on the branch
    opened_at: datetime | None
    closed_at: datetime | None
    human_commits: int | None
    merged_by_bot: bool


class Conversation:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # -- what a proposal moves; versions closed without merging -------------------------------

    def record_changes(self, proposal_id: int, changes: Sequence[Change]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(ProposalChangeRow).where(ProposalChangeRow.proposal_id == proposal_id)
            )
            if changes:
                conn.execute(
                    insert(ProposalChangeRow),
                    [
                        {
                            "proposal_id": proposal_id,
                            "package": c.package,
                            "from_version": c.from_version,
                            "to_version": c.to_version,
                            "update_type": c.update_type,
                        }
                        for c in changes
                    ],
                )

    def changes(self, proposal_id: int) -> list[Change]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(ProposalChangeRow)
                .where(ProposalChangeRow.proposal_id == proposal_id)
                .order_by(ProposalChangeRow.package)
            )
            return [Change(r.package, r.from_version, r.to_version, r.update_type) for r in rows]

    def rejected(self, repository_id: int) -> list[tuple[str, str, int | None]]:
        """(package, version, PR number) of bot PRs closed without merging (not superseded)."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(
                    ProposalChangeRow.package, ProposalChangeRow.to_version, ProposalRow.pr_number
                )
                .join(ProposalRow, ProposalRow.id == ProposalChangeRow.proposal_id)
                .where(
                    ProposalRow.repository_id == repository_id,
                    ProposalRow.status == ProposalStatus.CLOSED,
                    ProposalRow.outcome == "closed",  # superseded ones were not rejected
                )
                .order_by(ProposalChangeRow.id)
            )
            return [(package, version, number) for package, version, number in rows]

    def proposal_by_number(self, repository_id: int, number: int) -> ProposalRecord | None:
        with Session(self.engine) as session:
            row = session.scalar(
                select(ProposalRow.id).where(
                    ProposalRow.repository_id == repository_id, ProposalRow.pr_number == number
                )
            )
        return None if row is None else self.store.proposal(row)

    def reopen(self, proposal_id: int) -> None:
        """The PR is open again: no longer a rejection."""
        with self.engine.begin() as conn:
            conn.execute(
                update(ProposalRow)
                .where(ProposalRow.id == proposal_id)
                .values(
                    status=ProposalStatus.OPEN,
                    outcome=None,
                    closed_at=None,
                    updated_at=self.store.now(),
                )
            )

    # -- merge requests and how a PR ended -------------------------------------------------

    def request_merge(self, proposal_id: int, by: str) -> None:
        self._lifecycle(proposal_id, merge_requested_by=by, merge_requested_at=self.store.now())

    def cancel_merge(self, proposal_id: int) -> None:
        self._lifecycle(proposal_id, merge_requested_by=None, merge_requested_at=None)

    def merge_request(self, proposal_id: int) -> MergeRequest | None:
        with Session(self.engine) as session:
            row = session.get(PullLifecycleRow, proposal_id)
            if row is None or row.merge_requested_by is None or row.merge_requested_at is None:
                return None
            by, at = row.merge_requested_by, row.merge_requested_at
        proposal = self.store.proposal(proposal_id)
        return None if proposal is None else MergeRequest(proposal, by, at)

    def merged_by_bot(self, proposal_id: int) -> None:
        self._lifecycle(proposal_id, merged_by_bot=True)

    def record_human_commits(self, proposal_id: int, count: int) -> None:
        self._lifecycle(proposal_id, human_commits=count)

    def _lifecycle(self, proposal_id: int, **values: object) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(PullLifecycleRow, proposal_id)
            if row is None:
                row = PullLifecycleRow(proposal_id=proposal_id, merged_by_bot=False)
                session.add(row)
            for key, value in values.items():
                setattr(row, key, value)

    # -- comments whose commands ran ---------------------------------------------------------

    def claim_comment(self, comment_id: int, repository_id: int, number: int, author: str) -> bool:
        """True the first time; False if this comment's commands already ran."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(HandledCommentRow).values(
                        comment_id=comment_id,
                        repository_id=repository_id,
                        number=number,
                        author=author,
                        handled_at=self.store.now(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def release_comment(self, comment_id: int) -> None:
        """Forget a claim whose commands could not run (so a retry reads the comment again)."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(HandledCommentRow).where(HandledCommentRow.comment_id == comment_id)
            )

    # -- outcomes ------------------------------------------------------------------------------

    def outcomes(self, repository: str | None = None) -> list[Outcome]:
        """Every bot PR that was opened, with how it ended (for `maintainer stats`)."""
        query = (
            select(ProposalRow, RepositoryRow.full_name, PullLifecycleRow)
            .join(RepositoryRow, RepositoryRow.id == ProposalRow.repository_id)
            .outerjoin(PullLifecycleRow, PullLifecycleRow.proposal_id == ProposalRow.id)
            .where(ProposalRow.pr_number.is_not(None))
            .order_by(RepositoryRow.full_name, ProposalRow.id)
        )
        if repository is not None:
            query = query.where(RepositoryRow.full_name == repository)
        with Session(self.engine) as session:
            return [
                Outcome(
                    repository=full_name,
                    kind=row.kind,
                    status=ProposalStatus(row.status),
                    outcome=row.outcome,
                    stopped=row.stopped,
                    opened_at=row.opened_at,
                    closed_at=row.closed_at,
                    human_commits=life.human_commits if life else None,
                    merged_by_bot=bool(life and life.merged_by_bot),
                )
                for row, full_name, life in session.execute(query)
            ]
