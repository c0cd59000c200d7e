"""The local composer: one branch per proposal with one commit each, built with git plumbing
so the user's current branch, index and working tree are never touched."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from app.composer import Composed
from app.model import EditConflict, Proposal, apply_edits, edits_by_path

BOT_NAME = "maintainer-bot"
BOT_EMAIL = "maintainer-bot@users.noreply.github.com"


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
        commit = self._git(
            "commit-tree", tree, "-p", base_commit, "-m", proposal.commit_message, env=_bot_env()
        ).strip()
        self._git("update-ref", f"refs/heads/{proposal.branch}", commit)
        return Composed(proposal.id, proposal.branch, "updated" if existing else "created", commit)

    def _tree(self, proposal: Proposal, base_commit: str) -> str:
        with tempfile.TemporaryDirectory() as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self._git("read-tree", base_commit, env=env)
            for path, edits in edits_by_path(proposal.edits).items():
                original = self._blob_text(base_commit, path)
                updated = apply_edits(original, edits)
                if updated is None:
                    self._git("update-index", "--force-remove", "--", path, env=env)
                    continue
                mode = self._mode(base_commit, path)
                blob = self._git("hash-object", "-w", "--stdin", stdin=updated).strip()
                self._git("update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}", env=env)
            return self._git("write-tree", env=env).strip()

    def _blob_text(self, commit: str, path: str) -> str:
        try:
            return self._git("show", f"{commit}:{path}")
        except ComposeError as exc:
            raise ComposeError(f"{path} is not committed at {self.base}; commit it first") from exc

    def _mode(self, commit: str, path: str) -> str:
        listing = self._git("ls-tree", commit, "--", path).split()
        return listing[0] if listing else "100644"

    def _ref(self, branch: str) -> str | None:
        try:
            return self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").strip()
        except ComposeError:
            return None

    def _git(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
        # Bytes, not text mode: universal newlines would turn CRLF files into LF ones.
        completed = subprocess.run(
            ["git", "-C", str(self.root), *args],
            input=stdin.encode("utf-8", "surrogateescape") if stdin is not None else None,
            capture_output=True,
            env={**os.environ, **(env or {})},
            check=False,
        )
        if completed.returncode != 0:
            stderr = completed.stderr.decode("utf-8", "replace").strip()
            raise ComposeError(f"git {args[0]} failed: {stderr}")
        return completed.stdout.decode("utf-8", "surrogateescape")


def _bot_env() -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": BOT_NAME,
        "GIT_AUTHOR_EMAIL": BOT_EMAIL,
        "GIT_COMMITTER_NAME": BOT_NAME,
        "GIT_COMMITTER_EMAIL": BOT_EMAIL,
    }
