"""The GitHub composer: one draft pull request per proposal, kept up to date without ever
overwriting someone else's commits.

For each proposal: an open PR on its branch is updated in place (force-pushing the bot's one
commit, and only while every commit there is the bot's); a human commit on the branch stops
updates, said once in a comment; otherwise the branch is pushed and a draft PR opened and
labelled. The limits of `.maintainer.yml` are the planner's: `budget()` hands it the bot's open
PRs and those opened in the last hour, and the composer opens what the plan admitted. Older
bumps of the same package are closed as superseded. Re-running with the same proposals changes
nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from app.composer import Composed
from app.composer.commit import Identity
from app.config import RepoConfig
from app.github import (
    Commit,
    Installation,
    NotFound,
    PullRequest,
    Unprocessable,
)
from app.model import EditConflict, Proposal
from app.planner import Budget, supersede_key
from app.proposals import is_bot_branch
from app.templates import render
from app.workspace import Checkout, Workspace, WorkspaceError, with_token

STOPPED_MARKER = "<!-- maintainer:stopped -->"
FAILED = "failed"  # the action of a proposal that could not be carried out (an error)

RebasePolicy = Literal["conflicted", "behind", "never"]


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


@dataclass(frozen=True)
class Bot:
    """The App's bot account: ``<slug>[bot]``, committing as ``<id>+<slug>[bot]@users...``."""

    login: str
    identity: Identity

    def wrote(self, commit: Commit) -> bool:
        if commit.author_login is not None:
            return commit.author_login == self.login
        return commit.author_email.lower() == self.identity.email.lower()


def bot_for(gh: Installation, slug: str) -> Bot:
    login = f"{slug}[bot]"
    try:
        email = f"{gh.user_id(login)}+{login}@users.noreply.github.com"
    except NotFound:
        email = f"{login}@users.noreply.github.com"
    return Bot(login, Identity(login, email))


@dataclass(frozen=True)
class ComposedPull(Composed):
    """A `Composed` that also says which pull request and head commit it is about."""

    number: int | None = None
    head_sha: str | None = None


class GitHubComposer:
    def __init__(
        self,
        gh: Installation,
        workspace: Workspace,
        checkout: Checkout,
        bot: Bot,
        config: RepoConfig,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rebase: Collection[str] = (),
        recreate: Collection[str] = (),
    ) -> None:
        self.gh = gh
        self.workspace = workspace
        self.checkout = checkout
        self.repo = checkout.full_name
        self.owner = checkout.full_name.split("/", 1)[0]
        self.bot = bot
        self.config = config
        # Wall-clock time, not the scan's `now`: the hourly limit is about GitHub's own clock.
        self.clock = clock
        # Branches a maintainer asked to rebase / recreate (`/maintainer rebase|recreate`).
        self.rebase = frozenset(rebase)
        self.recreate = frozenset(recreate)

    def open_pulls(self) -> dict[str, PullRequest]:
        """The bot's open pull requests by branch."""
        return {p.head_ref: p for p in self.gh.pulls(self.repo) if self._ours(p)}

    def budget(self) -> Budget:
        """What the planner's limits count: the bot's open PRs and those of the last hour."""
        return Budget(frozenset(self.open_pulls()), self._opened_last_hour())

    def compose(self, proposals: Sequence[Proposal]) -> list[Composed]:
        open_pulls = self.open_pulls()
        results: list[Composed] = []
        for proposal in proposals:
            results.append(self._compose_one(proposal, open_pulls))
        results.extend(self._close_superseded(results, open_pulls))
        return results

    def _ours(self, pull: PullRequest) -> bool:
        return is_bot_branch(pull.head_ref) and pull.user_login == self.bot.login

    def _opened_last_hour(self) -> int:
        since = self.clock() - timedelta(hours=1)
        return sum(
            1
            for p in self.gh.recent_pulls(self.repo)
            if self._ours(p) and p.created_at and _when(p.created_at) >= since
        )

    def _compose_one(self, proposal: Proposal, open_pulls: dict[str, PullRequest]) -> Composed:
        try:
            pull = open_pulls.get(proposal.branch)
            if pull is not None:
                return self._update(proposal, pull)
            return self._open(proposal, open_pulls)
        except WorkspaceError as exc:
            if exc.retryable:
                raise  # the job fails and the queue runs it again: nothing passes for done
            return ComposedPull(proposal.id, proposal.branch, FAILED, str(exc))
        except EditConflict as exc:
            return ComposedPull(proposal.id, proposal.branch, FAILED, str(exc))

    # -- a new pull request ---------------------------------------------------------------

    def _open(self, proposal: Proposal, open_pulls: dict[str, PullRequest]) -> Composed:
        history = self.gh.pulls(self.repo, state="all", head=f"{self.owner}:{proposal.branch}")
        for earlier in history:
            if earlier.merged:
                return self._result(proposal, "skipped", f"already merged in #{earlier.number}")
            if not earlier.open:
                detail = f"#{earlier.number} was closed without merging; not proposing it again"
                return self._result(proposal, "skipped", detail)
        commit = self._commit(proposal)
        remote_tip = self._fetch_branch(proposal.branch)
        if remote_tip is not None and self._foreign_on_branch(remote_tip):
            detail = f"branch {proposal.branch} exists with commits by others; left alone"
            return self._result(proposal, "skipped", detail)
        self._push(commit, proposal.branch, force=remote_tip is not None)
        pull = self._create_pull(proposal)
        if proposal.labels:
            self.gh.add_labels(self.repo, pull.number, proposal.labels)
        open_pulls[proposal.branch] = pull
        return self._result(proposal, "created", f"#{pull.number}", pull.number, commit)

    def _create_pull(self, proposal: Proposal) -> PullRequest:
        try:
            return self.gh.create_pull(
                self.repo,
                title=proposal.title,
                head=proposal.branch,
                base=self.checkout.branch,
                body=proposal.body,
                draft=True,
            )
        except Unprocessable:
            # A run that crashed after opening it, or a concurrent one: adopt that PR.
            head = f"{self.owner}:{proposal.branch}"
            existing = self.gh.pulls(self.repo, state="open", head=head)
            if not existing:
                raise
            return existing[0]

    def _foreign_on_branch(self, tip: str) -> bool:
        """Commits on the branch (not on the default branch) that the bot didn't write."""
        emails = self.workspace.author_emails(self.checkout, self.checkout.sha, tip)
        return any(email.lower() != self.bot.identity.email.lower() for email in emails)

    # -- an existing pull request ---------------------------------------------------------

    def _update(self, proposal: Proposal, pull: PullRequest) -> Composed:
        commits = self.gh.pull_commits(self.repo, pull.number)
        foreign = [c for c in commits if not self.bot.wrote(c)]
        if foreign and proposal.branch not in self.recreate:
            return self._stop(proposal, pull, foreign)
        commit = self._commit(proposal)
        tip = self._fetch_branch(proposal.branch)
        unchanged = tip is not None and self._same_change(tip, commit)
        if tip is not None and not unchanged and not foreign:
            unchanged = not self._may_update(proposal.branch, tip, commit)
        if not unchanged:
            self._push(commit, proposal.branch, force=True)
        if pull.title != proposal.title or pull.body != proposal.body:
            self.gh.update_pull(self.repo, pull.number, title=proposal.title, body=proposal.body)
            unchanged = False
        missing = [label for label in proposal.labels if label not in pull.labels]
        if missing:
            self.gh.add_labels(self.repo, pull.number, missing)
        head = tip if unchanged and tip is not None else commit
        action = "unchanged" if unchanged else "updated"
        return self._result(proposal, action, f"#{pull.number}", pull.number, head)

    def _same_change(self, tip: str, commit: str) -> bool:
        """The branch already holds this change on top of the current default branch."""
        parents = self.workspace.parents(self.checkout, tip)
        same_tree = self.workspace.tree_of(self.checkout, tip) == self.workspace.tree_of(
            self.checkout, commit
        )
        return same_tree and parents == (self.checkout.sha,)

    def _may_update(self, branch: str, tip: str, commit: str) -> bool:
        """The `rebase` policy of `.maintainer.yml` (or an explicit `/maintainer rebase`)."""
        parents = self.workspace.parents(self.checkout, tip)
        same_edit = bool(parents) and self.workspace.edit(
            self.checkout, parents[0], tip
        ) == self.workspace.edit(self.checkout, self.checkout.sha, commit)
        return should_update_branch(
            self.config.rebase, requested=branch in self.rebase, same_edit=same_edit
        )

    def _stop(self, proposal: Proposal, pull: PullRequest, foreign: list[Commit]) -> Composed:
        said = any(
            c.user_login == self.bot.login and STOPPED_MARKER in c.body
            for c in self.gh.comments(self.repo, pull.number)
        )
        if not said:
            body = render("comments/stopped.md.j2", branch=proposal.branch, commits=foreign)
            self.gh.comment(self.repo, pull.number, body)
        detail = f"#{pull.number} has commits by others; updates stopped"
        return self._result(proposal, "stopped", detail, pull.number, pull.head_sha)

    # -- superseded pull requests ---------------------------------------------------------

    def _close_superseded(
        self, results: Sequence[Composed], open_pulls: dict[str, PullRequest]
    ) -> list[Composed]:
        fresh = {
            supersede_key(r.branch): r
            for r in results
            if isinstance(r, ComposedPull)
            and r.number is not None
            and r.action in ("created", "updated", "unchanged")
        }
        closed: list[Composed] = []
        for branch, pull in sorted(open_pulls.items()):
            newer = fresh.get(supersede_key(branch))
            if newer is None or newer.branch == branch or newer.number == pull.number:
                continue
            body = render("comments/superseded.md.j2", number=newer.number)
            self.gh.comment(self.repo, pull.number, body)
            self.gh.update_pull(self.repo, pull.number, state="closed")
            with contextlib.suppress(NotFound):
                self.gh.delete_branch(self.repo, branch)
            detail = f"#{pull.number} superseded by #{newer.number}"
            closed.append(ComposedPull("", branch, "superseded", detail, pull.number))
        return closed

    # -- helpers --------------------------------------------------------------------------

    def _fetch_branch(self, branch: str) -> str | None:
        return with_token(
            self.gh, lambda token: self.workspace.fetch_branch(self.checkout, branch, token)
        )

    def _push(self, commit: str, branch: str, *, force: bool) -> None:
        with_token(
            self.gh,
            lambda token: self.workspace.push(self.checkout, commit, branch, token, force=force),
        )

    def _commit(self, proposal: Proposal) -> str:
        return self.workspace.commit(
            self.checkout, proposal.edits, proposal.commit_message, self.bot.identity
        )

    def _result(
        self,
        proposal: Proposal,
        action: str,
        detail: str,
        number: int | None = None,
        head_sha: str | None = None,
    ) -> ComposedPull:
        return ComposedPull(proposal.id, proposal.branch, action, detail, number, head_sha)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
