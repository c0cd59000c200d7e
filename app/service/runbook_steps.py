"""Running one runbook step, at the edge: an HTTP call to an endpoint of the operator's
allowlist (`MAINTAINER_RUNBOOK_ENDPOINTS`), or a draft pull request reverting the triage's
first suspect, built with the git plumbing the composer uses.

A step never contacts an address from the repository: it names an endpoint, and a name that
is not in the allowlist is refused before anything is sent. Redirects are not followed (they
would lead to an address nobody allowed). What came back is kept short (`MAX_OUTPUT`) for the
timeline and the issue; the URL and the token are never part of it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from app.composer.commit import GitFailed, commit_tree, git
from app.composer.github import Bot
from app.github import Installation, Unprocessable
from app.incidents.runbooks import Step
from app.incidents.triage import Change
from app.templates import render
from app.workspace import Checkout, Workspace, with_token

MAX_OUTPUT = 1000
MAX_RESPONSE_BYTES = 64 * 1024
TIMEOUT_SECONDS = 10.0
REVERT_PREFIX = "maintainer/revert/"


@dataclass(frozen=True)
class StepResult:
    ok: bool
    output: str
    status: int | None = None
    """The endpoint's HTTP status (http, scale and restart steps)."""
    refused: bool = False
    """Nothing was attempted (an endpoint outside the allowlist, nothing to revert)."""
    pull: int | None = None
    """The revert pull request (rollback steps)."""

    def detail(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "output": self.output[:MAX_OUTPUT],
            "status": self.status,
            "refused": self.refused,
            "pull": self.pull,
        }


@dataclass(frozen=True)
class Endpoints:
    """The operator's allowlist and bearer token."""

    urls: Mapping[str, SecretStr]
    token: SecretStr | None = None


def call_endpoint(
    step: Step, endpoints: Endpoints, context: dict[str, Any], client: httpx.Client
) -> StepResult:
    """One http, scale or restart step: the request to the allowlisted endpoint it names."""
    assert step.endpoint is not None  # the schema requires it for these kinds
    url = endpoints.urls.get(step.endpoint)
    if url is None:
        allowed = ", ".join(sorted(endpoints.urls)) or "none"
        return StepResult(
            ok=False,
            refused=True,
            output=f"endpoint {step.endpoint!r} is not in the service's allowlist "
            f"(MAINTAINER_RUNBOOK_ENDPOINTS; allowed: {allowed}); nothing was sent",
        )
    headers = {"User-Agent": "maintainer-bot runbook", "Accept": "application/json, text/*"}
    if endpoints.token is not None:
        headers["Authorization"] = f"Bearer {endpoints.token.get_secret_value()}"
    body = step.request_body(context)
    if body is not None:
        headers["Content-Type"] = "application/json"
    method = step.method or "POST"
    try:
        with client.stream(
            method, url.get_secret_value(), headers=headers, content=body
        ) as response:
            data = b""
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_RESPONSE_BYTES:
                    break
            status = response.status_code
    except httpx.HTTPError as exc:
        reason = type(exc).__name__  # the message may hold the URL: the class says enough
        return StepResult(ok=False, output=f"{method} to {step.endpoint} failed: {reason}")
    text = data[:MAX_RESPONSE_BYTES].decode("utf-8", "replace").strip()
    return StepResult(ok=200 <= status < 300, status=status, output=text[:MAX_OUTPUT])


def revert_branch(sha: str) -> str:
    return f"{REVERT_PREFIX}{sha[:12]}"


def open_revert(
    gh: Installation,
    workspace: Workspace,
    checkout: Checkout,
    bot: Bot,
    suspect: Change | None,
    incident: Mapping[str, Any],
) -> StepResult:
    """A draft pull request reverting `suspect` on the default branch (the one already open
    for it, when there is one). A revert that conflicts with later changes is not attempted.
    `incident` holds what the PR body names: `alertname`, `service`, `issue`."""
    if suspect is None:
        return StepResult(False, "no suspected change to revert", refused=True)
    repo, branch = checkout.full_name, revert_branch(suspect.sha)
    owner = repo.split("/", 1)[0]
    for pull in gh.pulls(repo, state="open", head=f"{owner}:{branch}"):
        return StepResult(
            True, f"the revert of {suspect.sha[:10]} is open: #{pull.number}", pull=pull.number
        )
    root = checkout.path
    try:
        parent = git(root, "rev-parse", f"{suspect.sha}^1").strip()
        merged = _revert_tree(root, suspect.sha, checkout.sha, parent)
        if merged is None:
            return StepResult(
                False,
                f"reverting {suspect.sha[:10]} conflicts with later changes on "
                f"{checkout.branch}; revert it by hand",
            )
        if merged == git(root, "rev-parse", f"{checkout.sha}^{{tree}}").strip():
            return StepResult(False, f"{suspect.sha[:10]} is already undone on {checkout.branch}")
        message = (
            f'Revert "{suspect.subject}"\n\nThis reverts commit {suspect.sha}, the first '
            f"suspect of the incident {incident.get('alertname', '')}."
        )
        commit = commit_tree(root, merged, checkout.sha, message, bot.identity)
    except GitFailed as exc:
        return StepResult(False, f"cannot build the revert: {exc.reason}")
    tip = with_token(gh, lambda token: workspace.fetch_branch(checkout, branch, token))
    if tip is not None:
        emails = workspace.author_emails(checkout, checkout.sha, tip)
        if any(email.lower() != bot.identity.email.lower() for email in emails):
            return StepResult(False, f"branch {branch} has commits by others; left alone")
    with_token(
        gh, lambda token: workspace.push(checkout, commit, branch, token, force=tip is not None)
    )
    body = render("incidents/revert.md.j2", change=suspect, incident=incident, branch=branch)
    title = f'Revert "{suspect.subject}"'[:256]
    try:
        pull = gh.create_pull(
            repo, title=title, head=branch, base=checkout.branch, body=body, draft=True
        )
    except Unprocessable:
        existing = gh.pulls(repo, state="open", head=f"{owner}:{branch}")
        if not existing:
            raise
        pull = existing[0]
    gh.add_labels(repo, pull.number, ["incident"])
    return StepResult(True, f"opened #{pull.number} reverting {suspect.sha[:10]}", pull=pull.number)


def _revert_tree(root: Path, sha: str, head: str, parent: str) -> str | None:
    """The tree of `head` with `sha` undone (`sha`'s diff, reversed, applied to `head` in a
    scratch index: the work tree and the clone's index stay as they are), None when the
    reversed diff does not apply (later changes touched the same lines)."""
    patch = git(root, "diff", "--binary", "--no-ext-diff", "--no-textconv", sha, parent)
    with tempfile.TemporaryDirectory() as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        git(root, "read-tree", head, env=index)
        if patch.strip():
            try:
                git(root, "apply", "--cached", "--whitespace=nowarn", "-", env=index, stdin=patch)
            except GitFailed:
                return None
        return git(root, "write-tree", env=index).strip()
