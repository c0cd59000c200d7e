"""Local clones of installed repositories, kept in a cache folder and fetched before each scan.

The installation token travels in an `http.<origin>/.extraHeader` set through git's
`GIT_CONFIG_COUNT` environment, never in a URL, an argument list (visible in `ps` and in
gitpython's logged command lines) or a config file. gitpython's unsafe-option and
unsafe-protocol guards stay on: clone URLs come from webhook payloads.
"""

from __future__ import annotations

import base64
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from git import GitCommandError, Repo
from pydantic import SecretStr

from app.composer.commit import GitFailed, Identity, commit_edits
from app.model import Edit

REMOTE = "origin"
T = TypeVar("T")
_AUTH_FAILURES = ("Authentication failed", "returned error: 401", "HTTP 401")
# git's words for failures that may pass on a later try: the server's 5xx or 429, the network.
_TRANSIENT = re.compile(
    r"returned error: (?:5\d\d|429)\b|\bHTTP (?:5\d\d|429)\b|Could not resolve host"
    r"|Failed to connect|Connection (?:refused|reset|timed out)|Operation timed out"
    r"|SSL_ERROR_SYSCALL|transfer closed with outstanding read data",
    re.IGNORECASE,
)
# GitHub's character sets: accounts are letters, digits and hyphens (GitHub Enterprise Server
# also allows `_`), at most 39; repositories letters, digits, `.`, `_` and `-`, at most 100.
_OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,38}")
_REPOSITORY = re.compile(r"[A-Za-z0-9._-]{1,100}")


class WorkspaceError(Exception):
    """A clone, fetch or push failed; the message never holds the token.

    ``retryable`` tells the queue whether trying again later may help (a network or server
    failure) or not (a refused URL, a push to the default branch).
    """

    def __init__(self, message: str, *, retryable: bool = False, auth: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.auth = auth


class TokenSource(Protocol):
    """Hands out the installation token, and forgets it when git says it no longer works."""

    def token(self) -> SecretStr: ...

    def forget_token(self) -> None: ...


def with_token(source: TokenSource, action: Callable[[SecretStr], T]) -> T:
    """Run a git operation with the token; if git's server refuses it, once more with a new one.

    A REST 401 refreshes the token in `app.github`; this is the same for git over HTTP.
    """
    try:
        return action(source.token())
    except WorkspaceError as exc:
        if not exc.auth:
            raise
    source.forget_token()
    return action(source.token())


@dataclass(frozen=True)
class Checkout:
    """A work tree at the tip of ``branch`` (commit ``sha``)."""

    path: Path
    full_name: str
    branch: str
    sha: str


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    def checkout(self, full_name: str, clone_url: str, branch: str, token: SecretStr) -> Checkout:
        """Clone or fetch `full_name` and leave its work tree at the tip of `branch`."""
        _check_url(clone_url)
        path = self.path_of(full_name)
        with _auth_env(clone_url, token) as env:
            try:
                repo = self._fetch(path, clone_url, branch, env)
            except GitCommandError as exc:
                raise _failure(f"cannot fetch {full_name}", exc) from None
        sha = repo.git.rev_parse("HEAD")
        return Checkout(path, full_name, branch, sha)

    def path_of(self, full_name: str) -> Path:
        """`root/owner/name`, once `full_name` is a GitHub name and the folder (symlinks
        resolved) lies inside the workspace: a name from a payload never reaches another path."""
        owner, _, name = full_name.partition("/")
        if not _OWNER.fullmatch(owner) or not _REPOSITORY.fullmatch(name) or name in (".", ".."):
            raise WorkspaceError(f"{full_name!r} is not a GitHub repository name")
        root = self.root.resolve()
        path = root / owner / name
        if not path.resolve().is_relative_to(root):
            raise WorkspaceError(f"{full_name!r} resolves outside the workspace {root}")
        return path

    def _fetch(self, path: Path, url: str, branch: str, env: Mapping[str, str]) -> Repo:
        if not (path / ".git").is_dir():
            if path.exists():
                shutil.rmtree(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            return Repo.clone_from(url, path, env=env, branch=branch, no_tags=True)
        repo = Repo(path)
        if repo.remotes[REMOTE].url != url:
            repo.remotes[REMOTE].set_url(url)
        tracking = f"refs/remotes/{REMOTE}/{branch}"
        with repo.git.custom_environment(**env):
            repo.remotes[REMOTE].fetch(f"+refs/heads/{branch}:{tracking}", no_tags=True)
        repo.git.checkout("--force", "-B", branch, tracking)
        repo.git.clean("-ffdx")
        return repo

    def fetch_branch(self, checkout: Checkout, branch: str, token: SecretStr) -> str | None:
        """Fetch a remote branch (say, the bot's) and return its tip, None if it is absent."""
        repo = Repo(checkout.path)
        url = repo.remotes[REMOTE].url
        tracking = f"refs/remotes/{REMOTE}/{branch}"
        with _auth_env(url, token) as env, repo.git.custom_environment(**env):
            try:
                listed = str(repo.git.ls_remote(REMOTE, f"refs/heads/{branch}"))
                if not listed.strip():
                    return None
                repo.remotes[REMOTE].fetch(f"+refs/heads/{branch}:{tracking}", no_tags=True)
            except GitCommandError as exc:
                raise _failure(f"cannot fetch {branch}", exc) from None
        return str(repo.git.rev_parse(tracking))

    def commit(
        self,
        checkout: Checkout,
        edits: Sequence[Edit],
        message: str,
        author: Identity,
    ) -> str:
        """One commit on top of the checkout's tip holding `edits`; returns its sha.

        Built with plumbing in a scratch index, so the work tree stays at the default branch.
        """
        try:
            return commit_edits(checkout.path, checkout.sha, edits, message, author)
        except GitFailed as exc:
            raise WorkspaceError(f"cannot commit: {exc.reason}") from None

    def author_emails(self, checkout: Checkout, base: str, tip: str) -> list[str]:
        """Author emails of the commits reachable from `tip` but not from `base`."""
        listed = str(Repo(checkout.path).git.log("--format=%ae", f"{base}..{tip}"))
        return [line for line in listed.splitlines() if line]

    def parents(self, checkout: Checkout, commit: str) -> tuple[str, ...]:
        line = str(Repo(checkout.path).git.rev_parse(f"{commit}^@"))
        return tuple(line.split())

    def tree_of(self, checkout: Checkout, commit: str) -> str:
        return str(Repo(checkout.path).git.rev_parse(f"{commit}^{{tree}}"))

    def edit(self, checkout: Checkout, base: str, commit: str) -> str:
        """What `commit` changes against `base`: `git diff-tree -r` (modes, blobs, paths)."""
        return str(Repo(checkout.path).git.diff_tree("-r", base, commit))

    def push(
        self, checkout: Checkout, commit: str, branch: str, token: SecretStr, *, force: bool
    ) -> None:
        if branch == checkout.branch:
            raise WorkspaceError(f"refusing to push to the default branch {branch}")
        repo = Repo(checkout.path)
        refspec = f"{'+' if force else ''}{commit}:refs/heads/{branch}"
        url = repo.remotes[REMOTE].url
        with _auth_env(url, token) as env, repo.git.custom_environment(**env):
            try:
                repo.git.push(REMOTE, refspec)
            except GitCommandError as exc:
                raise _failure(f"cannot push {branch}", exc) from None


def _check_url(url: str) -> None:
    if urlsplit(url).scheme not in ("https", "http"):
        raise WorkspaceError(f"refusing a clone URL that is not http(s): {url!r}")


@contextmanager
def _auth_env(url: str, token: SecretStr) -> Iterator[dict[str, str]]:
    """Environment that makes git send the token to `url`'s origin only."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}/"
    basic = base64.b64encode(f"x-access-token:{token.get_secret_value()}".encode()).decode()
    yield {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{origin}.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "true",
    }


def _failure(what: str, exc: GitCommandError) -> WorkspaceError:
    """A fetch or push that failed: retryable when git's words say the server or the network
    failed (the queue then retries the job), not when the server refused for good."""
    stderr = str(exc.stderr or "")
    auth = any(marker in stderr for marker in _AUTH_FAILURES)
    transient = _TRANSIENT.search(stderr) is not None
    return WorkspaceError(f"{what}: {_git_reason(exc)}", retryable=transient, auth=auth)


def _git_reason(exc: GitCommandError) -> str:
    """git's first `error:` or `fatal:` line, else its last: it names the problem, and it never
    holds the header."""
    text = str(exc.stderr or "").strip().removeprefix("stderr:")
    lines = [line.strip(" '\"") for line in text.splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        if line.startswith(("error:", "fatal:")):
            return line
    return lines[-1] if lines else f"git exited with {exc.status}"
