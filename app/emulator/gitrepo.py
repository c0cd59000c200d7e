"""The emulator's bare repositories: what GitHub's REST API reads from and writes to git."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ZERO_SHA = "0" * 40
_FIELD = "\x1f"
_RECORD = "\x1e"
_LOG_FORMAT = (
    _FIELD.join(["%H", "%T", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B"]) + _RECORD
)


class GitFailed(Exception):
    pass


@dataclass(frozen=True)
class GitCommit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str
    committer_name: str
    committer_email: str
    committer_date: str
    message: str


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str
    sha: str
    size: int
    path: str


class BareRepo:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(
        cls, path: Path, tree: Path | None, branch: str, author: tuple[str, str]
    ) -> BareRepo:
        """A bare repository whose `branch` holds one commit of `tree` (or nothing)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        _run(["git", "init", "-q", "--bare", "-b", branch, str(path)])
        repo = cls(path)
        repo.git("config", "http.receivepack", "true")
        if tree is not None:
            repo._import_tree(tree, branch, author)
        return repo

    def _import_tree(self, tree: Path, branch: str, author: tuple[str, str]) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            work = Path(scratch) / "work"
            shutil.copytree(tree, work, symlinks=True)
            env = _identity(*author)
            _run(["git", "init", "-q", "-b", branch, str(work)], env)
            _run(["git", "-C", str(work), "add", "-A"], env)
            _run(
                ["git", "-C", str(work), "commit", "-q", "--allow-empty", "-m", "Initial commit"],
                env,
            )
            _run(["git", "-C", str(work), "push", "-q", str(self.path), f"{branch}:{branch}"], env)

    def git(self, *args: str, stdin: bytes | None = None) -> str:
        return _run(["git", "--git-dir", str(self.path), *args], stdin=stdin)

    def resolve(self, ref: str) -> str | None:
        """The commit `ref` (a sha, a branch, `refs/...`) names, or None."""
        try:
            return self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip() or None
        except GitFailed:
            return None

    def branch_sha(self, branch: str) -> str | None:
        return self.resolve(f"refs/heads/{branch}")

    def refs(self) -> dict[str, str]:
        listed = self.git("for-each-ref", "--format=%(refname) %(objectname)")
        return dict(line.split(" ", 1) for line in listed.splitlines() if line)

    def set_ref(self, ref: str, sha: str, old: str | None = None) -> None:
        self.git("update-ref", ref, sha, *([old] if old is not None else []))

    def delete_ref(self, ref: str) -> None:
        self.git("update-ref", "-d", ref)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        try:
            self.git("merge-base", "--is-ancestor", ancestor, descendant)
        except GitFailed:
            return False
        return True

    def merge_commit(
        self, base: str, head: str, *, squash: bool, message: str, author: tuple[str, str]
    ) -> str:
        """A commit of `head` merged into `base` (one parent when squashed); GitFailed on a
        conflict. No ref moves."""
        tree = self.git("merge-tree", "--write-tree", base, head).split()[0]
        parents = ["-p", base] if squash else ["-p", base, "-p", head]
        command = ["git", "--git-dir", str(self.path), "commit-tree", tree, *parents, "-m", message]
        return _run(command, _identity(*author)).strip()

    def commit(self, sha: str) -> GitCommit | None:
        if self.resolve(sha) is None:
            return None
        return self._log("-1", sha)[0]

    def commits_between(self, base: str, head: str) -> list[GitCommit]:
        """Commits reachable from `head` and not from `base`, oldest first."""
        return self._log("--reverse", f"{base}..{head}")

    def log_from(self, head: str, limit: int = 20) -> list[GitCommit]:
        """The newest `limit` commits reachable from `head`, newest first."""
        return self._log(f"-{limit}", head)

    def _log(self, *args: str) -> list[GitCommit]:
        listed = self.git("log", f"--format={_LOG_FORMAT}", *args)
        commits = []
        for record in listed.split(_RECORD):
            record = record.lstrip("\n")
            if not record:
                continue
            f = record.split(_FIELD)
            commits.append(
                GitCommit(
                    sha=f[0],
                    tree=f[1],
                    parents=tuple(f[2].split()),
                    author_name=f[3],
                    author_email=f[4],
                    author_date=f[5],
                    committer_name=f[6],
                    committer_email=f[7],
                    committer_date=f[8],
                    message=f[9].rstrip("\n"),
                )
            )
        return commits

    def changes(self, sha: str) -> dict[str, list[str]]:
        """Paths a commit added, removed and modified (against its first parent)."""
        listed = self.git("diff-tree", "--no-commit-id", "-r", "--name-status", "--root", sha)
        found: dict[str, list[str]] = {"added": [], "removed": [], "modified": []}
        names = {"A": "added", "D": "removed"}
        for line in listed.splitlines():
            status, _, path = line.partition("\t")
            found[names.get(status[:1], "modified")].append(path.split("\t")[-1])
        return found

    def object_type(self, ref: str, path: str) -> str | None:
        try:
            return self.git("cat-file", "-t", f"{ref}:{path}").strip()
        except GitFailed:
            return None

    def blob(self, ref: str, path: str) -> tuple[str, bytes]:
        sha = self.git("rev-parse", f"{ref}:{path}").strip()
        return sha, _run_bytes(["git", "--git-dir", str(self.path), "cat-file", "blob", sha])

    def tree(self, ref: str, path: str) -> list[TreeEntry]:
        spec = f"{ref}:{path}" if path else f"{ref}^{{tree}}"
        listed = self.git("ls-tree", "-l", spec)
        entries = []
        for line in listed.splitlines():
            meta, name = line.split("\t", 1)
            mode, kind, sha, size = meta.split()
            full = f"{path}/{name}" if path else name
            entries.append(TreeEntry(mode, kind, sha, int(size) if size.isdigit() else 0, full))
        return entries

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _identity(name: str, email: str) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


def _run(args: list[str], env: dict[str, str] | None = None, stdin: bytes | None = None) -> str:
    return _run_bytes(args, env, stdin).decode("utf-8", "replace")


def _run_bytes(
    args: list[str], env: dict[str, str] | None = None, stdin: bytes | None = None
) -> bytes:
    completed = subprocess.run(
        args,
        input=stdin,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})},
        check=False,
    )
    if completed.returncode != 0:
        raise GitFailed(completed.stderr.decode("utf-8", "replace").strip())
    return completed.stdout
