"""The emulator's state: users, installations, tokens, repositories and their pull requests,
issues, comments, labels, reactions, check runs, reviews, collaborators and protected branches. Git
data lives in the bare repositories."""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.emulator.gitrepo import BareRepo

DEFAULT_TOKEN_TTL = 3600.0
MANIFEST_USER = "emulator-user"  # who "is logged in" when a manifest is posted to /settings
MANIFEST_CODE_TTL = 3600.0  # GitHub: a manifest's code is exchanged within an hour, once
DEFAULT_DOWNLOAD_TTL = 60.0  # GitHub's artifact download URLs last about a minute
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")
_NOREPLY = re.compile(r"^(?:(\d+)\+)?(.+)@users\.noreply\.github\.com$", re.IGNORECASE)


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    id: int
    login: str
    type: str = "User"
    email: str | None = None


@dataclass
class RegisteredApp:
    """An App created through the manifest flow; its JWTs are accepted like the main App's."""

    id: int
    slug: str
    name: str
    owner: User
    public_key: str
    webhook_url: str
    permissions: dict[str, str]
    events: list[str]
    created_at: float


@dataclass
class PendingManifest:
    manifest: dict[str, Any]
    owner: str
    expires_at: float


@dataclass
class Installation:
    id: int
    account: User
    repositories: list[str]
    suspended: bool = False


@dataclass
class Token:
    installation_id: int
    expires_at: float


@dataclass
class Pull:
    number: int
    id: int
    title: str
    body: str
    head_ref: str
    base_ref: str
    draft: bool
    user: User
    created_at: float
    updated_at: float
    head_sha: str
    base_sha: str
    state: str = "open"
    merged: bool = False
    closed_at: float | None = None


@dataclass
class Issue:
    """A plain issue; it shares the repository's number sequence with the pull requests."""

    number: int
    id: int
    title: str
    body: str
    user: User
    created_at: float
    updated_at: float
    state: str = "open"
    state_reason: str | None = None
    closed_at: float | None = None


@dataclass
class Reaction:
    id: int
    content: str
    user: User
    created_at: float


@dataclass
class Comment:
    id: int
    number: int
    body: str
    user: User
    created_at: float
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    output: dict[str, Any]
    started_at: float
    completed_at: float | None


@dataclass
class Review:
    id: int
    user: User
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED
    commit_id: str
    submitted_at: float


@dataclass
class Artifact:
    """An uploaded workflow artifact: a zip archive kept in memory; `attempt` is the run attempt
    that uploaded it (GitHub's JSON does not show it, the emulator needs it for the listing)."""

    id: int
    name: str
    data: bytes
    run_id: int
    attempt: int
    created_at: float
    expired: bool = False


@dataclass
class RunAttempt:
    number: int
    status: str
    conclusion: str | None
    started_at: float
    updated_at: float


@dataclass
class WorkflowRun:
    """A GitHub Actions workflow run and its attempts (the last one is the run's state)."""

    id: int
    workflow_id: int
    name: str
    path: str
    head_sha: str
    head_branch: str
    event: str
    run_number: int
    created_at: float
    attempts: list[RunAttempt] = field(default_factory=list)
    artifact_ids: list[int] = field(default_factory=list)

    @property
    def latest(self) -> RunAttempt:
        return self.attempts[-1]


@dataclass
class SignedDownload:
    """A short-lived URL to an artifact's zip, as GitHub's blob storage signs them."""

    artifact_id: int
    full_name: str
    expires_at: float
    uses: int = 0


@dataclass
class Repo:
    id: int
    owner: User
    name: str
    default_branch: str
    git: BareRepo
    private: bool = False
    archived: bool = False
    created_at: float = field(default_factory=time.time)
    next_number: int = 1
    pulls: dict[int, Pull] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)  # plain issues only
    comments: dict[int, Comment] = field(default_factory=dict)
    labels: dict[int, list[str]] = field(default_factory=dict)
    check_runs: dict[int, CheckRun] = field(default_factory=dict)
    reviews: dict[int, list[Review]] = field(default_factory=dict)  # by PR number
    roles: dict[str, str] = field(default_factory=dict)  # collaborator login (lower) -> role
    required_checks: dict[str, list[str]] = field(default_factory=dict)  # by protected branch
    workflow_runs: dict[int, WorkflowRun] = field(default_factory=dict)
    artifacts: dict[int, Artifact] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"

    def role(self, login: str) -> str:
        """A user's role here: the owner is admin, collaborators have theirs, others read."""
        if login.lower() == self.owner.login.lower():
            return "admin"
        return self.roles.get(login.lower(), "read")


@dataclass
class Fault:
    """Answer the next `remaining` requests matching `method` and `path` with `status`."""

    path: str
    status: int
    remaining: int
    method: str | None = None
    retry_after: int | None = None
    kind: str = "error"  # "error", "rate_limit" (429), "secondary" (403) or "delay"
    seconds: float = 0.0  # "delay": answer normally, this much later

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return re.fullmatch(self.path, path) is not None or path.startswith(self.path)


@dataclass
class Request:
    method: str
    path: str
    status: int


class State:
    """Everything the emulator remembers; one lock guards it (requests are small)."""

    def __init__(self, data_dir: Path, app_id: int, app_slug: str, public_key: str) -> None:
        self.data_dir = data_dir
        self.app_id = app_id
        self.app_slug = app_slug
        self.public_key = public_key
        self.token_ttl = DEFAULT_TOKEN_TTL
        self.download_ttl = DEFAULT_DOWNLOAD_TTL
        self.downloads: dict[str, SignedDownload] = {}
        self.started_at = time.time()
        self.index_dir: Path | None = None
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.installations: dict[int, Installation] = {}
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repo] = {}
        self.faults: list[Fault] = []
        self.requests: list[Request] = []
        self._ids = 1000
        self.bot = self.user(f"{app_slug}[bot]", "Bot")
        self.manifest_code_ttl = MANIFEST_CODE_TTL
        self.manifest_codes: dict[str, PendingManifest] = {}
        self.registered_apps: dict[int, RegisteredApp] = {}

    def next_id(self) -> int:
        with self.lock:
            self._ids += 1
            return self._ids

    # -- apps registered from a manifest ------------------------------------------------

    def app_key(self, app_id: int) -> str | None:
        """The public key that verifies JWTs issued by App `app_id`."""
        with self.lock:
            if app_id == self.app_id:
                return self.public_key
            registered = self.registered_apps.get(app_id)
            return registered.public_key if registered else None

    def pend_manifest(self, manifest: dict[str, Any], owner: str) -> str:
        code = secrets.token_hex(16)
        with self.lock:
            now = time.time()
            for stale in [c for c, p in self.manifest_codes.items() if p.expires_at <= now]:
                del self.manifest_codes[stale]
            self.manifest_codes[code] = PendingManifest(
                manifest, owner, now + self.manifest_code_ttl
            )
        return code

    def take_manifest(self, code: str) -> PendingManifest | None:
        """The manifest behind `code`, once: a used or expired code is gone."""
        with self.lock:
            pending = self.manifest_codes.pop(code, None)
        if pending is None or pending.expires_at <= time.time():
            return None
        return pending

    def register_app(self, pending: PendingManifest, slug: str, public_key: str) -> RegisteredApp:
        manifest = pending.manifest
        with self.lock:
            taken = {a.slug for a in self.registered_apps.values()} | {self.app_slug}
            if slug in taken:
                raise ValueError(f"Name {manifest['name']!r} is already in use")
            kind = "User" if pending.owner == MANIFEST_USER else "Organization"
            registered = RegisteredApp(
                self.next_id(),
                slug,
                str(manifest["name"]),
                self.user(pending.owner, kind),
                public_key,
                str(manifest["hook_attributes"]["url"]),
                dict(manifest.get("default_permissions") or {}),
                list(manifest.get("default_events") or []),
                time.time(),
            )
            self.registered_apps[registered.id] = registered
            self.user(f"{slug}[bot]", "Bot")
            return registered

    # -- users ---------------------------------------------------------------------------

    def user(self, login: str, type: str = "User", email: str | None = None) -> User:
        with self.lock:
            known = self.users.get(login.lower())
            if known is None:
                known = User(self.next_id(), login, type, email)
                self.users[login.lower()] = known
            elif email and not known.email:
                known.email = email
            return known

    def user_by_email(self, email: str) -> User | None:
        with self.lock:
            for user in self.users.values():
                if user.email and user.email.lower() == email.lower():
                    return user
            found = _NOREPLY.match(email)
            if found is None:
                return None
            named = self.users.get(found.group(2).lower())
            if named is not None and found.group(1) and int(found.group(1)) != named.id:
                return None
            return named

    # -- installations and tokens --------------------------------------------------------

    def install(self, installation_id: int, account: str, repositories: list[str]) -> Installation:
        with self.lock:
            installation = Installation(installation_id, self.user(account), list(repositories))
            self.installations[installation_id] = installation
            return installation

    def issue_token(self, installation_id: int) -> tuple[str, float]:
        with self.lock:
            value = "ghs_" + secrets.token_urlsafe(27)
            expires_at = time.time() + self.token_ttl
            self.tokens[value] = Token(installation_id, expires_at)
            return value, expires_at

    def token_installation(self, value: str) -> Installation | None:
        with self.lock:
            token = self.tokens.get(value)
            if token is None or token.expires_at <= time.time():
                return None
            return self.installations.get(token.installation_id)

    def expire_tokens(self) -> int:
        with self.lock:
            for token in self.tokens.values():
                token.expires_at = min(token.expires_at, time.time() - 1)
            return len(self.tokens)

    # -- repositories --------------------------------------------------------------------

    def repo_path(self, full_name: str) -> Path:
        return self.data_dir / "repos" / f"{full_name}.git"

    def create_repo(
        self, owner: str, name: str, tree: Path | None, default_branch: str = "main"
    ) -> Repo:
        for part in (owner, name):
            if not _NAME.fullmatch(part):
                raise ValueError(f"{part!r} is not a GitHub owner or repository name")
        with self.lock:
            user = self.user(owner)
            author = (user.login, user.email or f"{user.id}+{user.login}@users.noreply.github.com")
            path = self.repo_path(f"{owner}/{name}")
            git = (
                BareRepo(path)
                if path.is_dir()
                else BareRepo.create(path, tree, default_branch, author)
            )
            repo = Repo(self.next_id(), user, name, default_branch, git)
            self.repos[repo.full_name.lower()] = repo
            return repo

    def repo(self, full_name: str) -> Repo | None:
        with self.lock:
            return self.repos.get(full_name.lower())

    def next_number(self, repo: Repo) -> int:
        with self.lock:
            number = repo.next_number
            repo.next_number += 1
            return number

    # -- workflow runs and artifacts -----------------------------------------------------

    def add_workflow_run(
        self,
        repo: Repo,
        *,
        name: str,
        head_sha: str,
        conclusion: str | None,
        artifacts: dict[str, bytes],
        run_id: int | None = None,
        path: str | None = None,
        event: str = "push",
        head_branch: str | None = None,
        status: str = "completed",
    ) -> WorkflowRun:
        """A new run (attempt 1), or, with `run_id`, a re-run attempt of that run; each with
        the artifacts it uploaded (name -> zip bytes)."""
        with self.lock:
            now = time.time()
            run = repo.workflow_runs.get(run_id) if run_id is not None else None
            if run_id is not None and run is None:
                raise KeyError(f"no workflow run {run_id}")
            if run is None:
                same = [r for r in repo.workflow_runs.values() if r.name == name]
                workflow_id = same[0].workflow_id if same else self.next_id()
                run = WorkflowRun(
                    id=self.next_id(),
                    workflow_id=workflow_id,
                    name=name,
                    path=path or f".github/workflows/{name.lower().replace(' ', '-')}.yml",
                    head_sha=head_sha,
                    head_branch=head_branch or repo.default_branch,
                    event=event,
                    run_number=len(repo.workflow_runs) + 1,
                    created_at=now,
                )
                repo.workflow_runs[run.id] = run
            attempt = RunAttempt(len(run.attempts) + 1, status, conclusion, now, now)
            run.attempts.append(attempt)
            for artifact_name, data in artifacts.items():
                artifact = Artifact(
                    self.next_id(), artifact_name, data, run.id, attempt.number, now
                )
                repo.artifacts[artifact.id] = artifact
                run.artifact_ids.append(artifact.id)
            return run

    def sign_download(self, repo: Repo, artifact: Artifact) -> str:
        with self.lock:
            key = secrets.token_urlsafe(24)
            self.downloads[key] = SignedDownload(
                artifact.id, repo.full_name, time.time() + self.download_ttl
            )
            return key

    def signed_download(self, key: str) -> bytes | None:
        """The zip a signed URL names, or None when the signature is unknown or expired."""
        with self.lock:
            signed = self.downloads.get(key)
            if signed is None or signed.expires_at <= time.time():
                return None
            repo = self.repos.get(signed.full_name.lower())
            artifact = repo.artifacts.get(signed.artifact_id) if repo else None
            if artifact is None or artifact.expired:
                return None
            signed.uses += 1
            return artifact.data

    # -- faults and the request log ------------------------------------------------------

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    return fault
            return None

    def log(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.requests.append(Request(method, path, status))
