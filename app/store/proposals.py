"""Proposals and their pull requests: what each moves, merge requests, human commits,
comments whose commands ran, and how each PR ended (for `maintainer stats`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.model import Change
from app.store.engine import StoreArea
from app.store.models import (
    HandledCommentRow,
    ProposalChangeRow,
    ProposalRow,
    PullLifecycleRow,
    RepositoryRow,
)
from app.store.records import MergeRequest, Outcome, ProposalRecord, ProposalStatus


class Proposals(StoreArea):
    # -- proposals and their pull requests -----------------------------------------------

    def save_proposal(
        self, repository_id: int, kind: str, branch: str, title: str, subject: str = ""
    ) -> ProposalRecord:
        """Create the proposal for `branch`, or update its title; returns the stored record."""
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.scalar(_by_branch(repository_id, branch))
            if row is None:
                row = ProposalRow(
                    repository_id=repository_id,
                    kind=kind,
                    branch=branch,
                    title=title,
                    subject=subject,
                    status=ProposalStatus.DRAFT,
                    stopped=False,
                    stop_notice_posted=False,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
            else:
                row.kind, row.title, row.subject, row.updated_at = kind, title, subject, now
            session.flush()
            return _proposal(row)

    def set_pull_request(self, proposal_id: int, number: int, head_sha: str) -> None:
        """The proposal's PR was opened (or updated) at `head_sha`."""
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.get_one(ProposalRow, proposal_id)
            if row.pr_number != number:
                row.opened_at = now
            row.pr_number, row.head_sha, row.updated_at = number, head_sha, now
            row.status = ProposalStatus.OPEN

    def mark_stopped(self, proposal_id: int, *, notice_posted: bool) -> None:
        """A human committed on the bot branch: no more updates; remember whether we said so."""
        self._set_proposal(proposal_id, stopped=True, stop_notice_posted=notice_posted)

    def close_proposal(self, proposal_id: int, status: ProposalStatus, outcome: str) -> None:
        self._set_proposal(proposal_id, status=status, outcome=outcome, closed_at=self._clock())

    def record_pr_outcome(
        self, repository_id: int, number: int, merged: bool
    ) -> ProposalRecord | None:
        """A bot PR was closed or merged on GitHub; None if it is not one of ours."""
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.scalar(_by_number(repository_id, number))
            if row is None:
                return None
            row.status = ProposalStatus.MERGED if merged else ProposalStatus.CLOSED
            row.outcome = "merged" if merged else (row.outcome or "closed")
            row.closed_at, row.updated_at = now, now
            session.flush()
            return _proposal(row)

    def record_ci_result(
        self, repository_id: int, head_sha: str, result: str
    ) -> list[ProposalRecord]:
        """Record CI's conclusion on every open proposal whose head is `head_sha`."""
        with Session(self.engine) as session, session.begin():
            rows = list(
                session.scalars(
                    select(ProposalRow).where(
                        ProposalRow.repository_id == repository_id,
                        ProposalRow.head_sha == head_sha,
                    )
                )
            )
            for row in rows:
                row.ci_result, row.ci_sha, row.updated_at = result, head_sha, self._clock()
            session.flush()
            return [_proposal(row) for row in rows]

    def proposal(self, proposal_id: int) -> ProposalRecord | None:
        with Session(self.engine) as session:
            row = session.get(ProposalRow, proposal_id)
            return None if row is None else _proposal(row)

    def proposal_by_branch(self, repository_id: int, branch: str) -> ProposalRecord | None:
        with Session(self.engine) as session:
            row = session.scalar(_by_branch(repository_id, branch))
            return None if row is None else _proposal(row)

    def proposals(
        self, repository_id: int, statuses: Sequence[ProposalStatus] | None = None
    ) -> list[ProposalRecord]:
        with Session(self.engine) as session:
            query = select(ProposalRow).where(ProposalRow.repository_id == repository_id)
            if statuses is not None:
                query = query.where(ProposalRow.status.in_(list(statuses)))
            return [_proposal(row) for row in session.scalars(query.order_by(ProposalRow.id))]

    def _set_proposal(self, proposal_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(ProposalRow)
                .where(ProposalRow.id == proposal_id)
                .values(updated_at=self._clock(), **values)
            )

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
            row = session.scalar(_by_number(repository_id, number))
            return None if row is None else _proposal(row)

    def reopen(self, proposal_id: int) -> None:
        """The PR is open again: no longer a rejection."""
        self._set_proposal(proposal_id, status=ProposalStatus.OPEN, outcome=None, closed_at=None)

    # -- merge requests and how a PR ended -------------------------------------------------

    def request_merge(self, proposal_id: int, by: str) -> None:
        self._lifecycle(proposal_id, merge_requested_by=by, merge_requested_at=self.now())

    def cancel_merge(self, proposal_id: int) -> None:
        self._lifecycle(proposal_id, merge_requested_by=None, merge_requested_at=None)

    def merge_request(self, proposal_id: int) -> MergeRequest | None:
        with Session(self.engine) as session:
            row = session.get(PullLifecycleRow, proposal_id)
            if row is None or row.merge_requested_by is None or row.merge_requested_at is None:
                return None
            by, at = row.merge_requested_by, row.merge_requested_at
        proposal = self.proposal(proposal_id)
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
                        handled_at=self.now(),
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


def _by_branch(repository_id: int, branch: str) -> Any:
    return select(ProposalRow).where(
        ProposalRow.repository_id == repository_id, ProposalRow.branch == branch
    )


def _by_number(repository_id: int, number: int) -> Any:
    return select(ProposalRow).where(
        ProposalRow.repository_id == repository_id, ProposalRow.pr_number == number
    )


def _proposal(row: ProposalRow) -> ProposalRecord:
    return ProposalRecord(
        id=row.id,
        repository_id=row.repository_id,
        kind=row.kind,
        branch=row.branch,
        title=row.title,
        subject=row.subject,
        pr_number=row.pr_number,
        head_sha=row.head_sha,
        status=ProposalStatus(row.status),
        outcome=row.outcome,
        ci_result=row.ci_result,
        ci_sha=row.ci_sha,
        stopped=row.stopped,
        stop_notice_posted=row.stop_notice_posted,
        created_at=row.created_at,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
    )
