"""The local composer: one branch per proposal with one commit each, built with git plumbing
so the user's current branch, index and working tree are never touched."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.composer import Composed
from app.composer.commit import GitFailed, Identity, NotCommitted, commit_tree, git, tree_with_edits
from app.model import EditConflict, Proposal

BOT = Identity("maintainer-bot", "maintainer-bot@users.noreply.github.com")


class ComposeError(Exception):
    pass


class LocalComposer:
    def __init__(self, root: Path, base: str = "HEAD") -> None:
        self.root = root
        self.base = base

    def compose(self, proposals: Sequence[Proposal]) -> list[Composed]:
        base_commit = self._git("rev-parse", "--verify", f"{self.base}^{{commit}}").strip()
        return [self._branch(proposal, base_commit) for proposal in proposals]

    def _branch(self, proposal: Proposal, base_commit: str) -> Composed:
        try:
            tree = self._tree(proposal, base_commit)
        except ComposeError as exc:
            return Composed(proposal.id, proposal.branch, "skipped", str(exc))
        except EditConflict as exc:
            detail = f"{exc} (uncommitted changes? commit or stash them first)"
            return Composed(proposal.id, proposal.branch, "skipped", detail)
        existing = self._ref(proposal.branch)
        if existing and self._git("rev-parse", f"{existing}^{{tree}}").strip() == tree:
            parent = self._git("rev-parse", f"{existing}^").strip()
            if parent == base_commit:
                return Composed(proposal.id, proposal.branch, "unchanged")
        try:
            commit = commit_tree(self.root, tree, base_commit, proposal.commit_message, BOT)
        except GitFailed as exc:
            raise ComposeError(str(exc)) from exc
        self._git("update-ref", f"refs/heads/{proposal.branch}", commit)
        return Composed(proposal.id, proposal.branch, "updated" if existing else "created", commit)

    def _tree(self, proposal: Proposal, base_commit: str) -> str:
        try:
            return tree_with_edits(self.root, base_commit, proposal.edits)
        except NotCommitted as exc:
            raise ComposeError(
                f"{exc.path} is not committed at {self.base}; commit it first"
            ) from exc
        except GitFailed as exc:
            raise ComposeError(str(exc)) from exc

    def _ref(self, branch: str) -> str | None:
        try:
            return self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").strip()
        except ComposeError:
            return None

    def _git(self, *args: str) -> str:
        try:
            return git(self.root, *args)
        except GitFailed as exc:
            raise ComposeError(str(exc)) from exc
