"""Signed webhook deliveries, built from recorded GitHub payloads with the emulator's objects
in place of the recorded ones, and sent to a server as GitHub would send them."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx

import app

Json = dict[str, Any]


def fixtures_dir() -> Path:
    """`app/_fixtures` in an installed wheel, the repository's `fixtures/` otherwise."""
    package = Path(app.__file__).resolve().parent
    bundled = package / "_fixtures"
    return bundled if bundled.is_dir() else package.parent / "fixtures"


@cache
def template(event: str, name: str = "payload") -> Json:
    """A recorded payload: `fixtures/github-payloads/<event>/<name>.payload.json`."""
    filename = "payload.json" if name == "payload" else f"{name}.payload.json"
    path = fixtures_dir() / "github-payloads" / event / filename
    document = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@dataclass(frozen=True)
class Delivery:
    event: str
    id: str
    body: bytes

    def headers(self, secret: str) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/emulator",
            "X-GitHub-Event": self.event,
            "X-GitHub-Delivery": self.id,
            "X-Hub-Signature-256": sign(secret, self.body),
        }


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delivery(event: str, payload: Mapping[str, Any], delivery_id: str | None = None) -> Delivery:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Delivery(event, delivery_id or str(uuid.uuid4()), body)


def send(
    server_url: str, secret: str, item: Delivery, client: httpx.Client | None = None
) -> httpx.Response:
    """POST a delivery to `<server_url>/webhooks/github` with GitHub's headers and signature."""
    url = f"{server_url.rstrip('/')}/webhooks/github"
    if client is not None:
        return client.post(url, content=item.body, headers=item.headers(secret))
    return httpx.post(url, content=item.body, headers=item.headers(secret), timeout=30)


def _sender(account: Mapping[str, Any]) -> Json:
    return _merge(template("installation", "created")["sender"], account)


def _repository(recorded: Mapping[str, Any], repository: Mapping[str, Any]) -> Json:
    """The recorded repository with the emulator's values over it, nested objects included,
    so every field GitHub sends (and a strict model may require) is still there."""
    return _merge(recorded, repository)


def _merge(recorded: Mapping[str, Any], actual: Mapping[str, Any]) -> Json:
    merged = copy.deepcopy(dict(recorded))
    for key, value in actual.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _installation_ref(installation_id: int) -> Json:
    """What events other than `installation` say about it: the id and its (legacy) node id."""
    node = base64.b64encode(f"023:IntegrationInstallation{installation_id}".encode()).decode()
    return {"id": installation_id, "node_id": node}


def installation_created(
    installation: Mapping[str, Any], repositories: Sequence[Mapping[str, Any]]
) -> Json:
    """`installation.created` for an installation (GitHub's JSON) and its repositories."""
    payload = copy.deepcopy(template("installation", "created"))
    payload["installation"] = _merge(payload["installation"], installation)
    payload["repositories"] = [
        {k: repo[k] for k in ("id", "node_id", "name", "full_name", "private") if k in repo}
        for repo in repositories
    ]
    payload["sender"] = _sender(installation.get("account", {}))
    return payload


def push(
    installation_id: int,
    repository: Mapping[str, Any],
    before: str,
    after: str,
    commits: Sequence[Mapping[str, Any]],
    branch: str | None = None,
) -> Json:
    """`push` of `commits` (as a push payload lists them) to a branch, default: the default one."""
    payload = copy.deepcopy(template("push", "payload"))
    branch = branch or str(repository.get("default_branch", "main"))
    payload.update(
        ref=f"refs/heads/{branch}",
        before=before,
        after=after,
        created=before.strip("0") == "",
        deleted=False,
        forced=False,
        base_ref=None,
        compare=f"{repository.get('html_url', '')}/compare/{before[:12]}...{after[:12]}",
        commits=list(commits),
        head_commit=commits[-1] if commits else None,
        repository=_repository(payload["repository"], repository),
        installation=_installation_ref(installation_id),
    )
    owner = repository.get("owner", {})
    payload["pusher"] = {"name": owner.get("login", ""), "email": None}
    payload["sender"] = _sender(owner)
    return payload


def issue_comment(
    installation_id: int,
    repository: Mapping[str, Any],
    pull: Mapping[str, Any],
    comment: Mapping[str, Any],
) -> Json:  # `pull`: the pull request or issue commented on
    """`issue_comment.created` for a comment (GitHub's JSON) on a pull request (its `/pulls`
    or `/issues` JSON) or on a plain issue (its `/issues` JSON, without `pull_request`)."""
    payload = copy.deepcopy(template("issue_comment", "created"))
    payload["issue"].update(
        number=pull["number"],
        title=pull.get("title", ""),
        body=pull.get("body", ""),
        state=pull.get("state", "open"),
        user=pull.get("user", payload["issue"]["user"]),
    )
    if "pull_request" in pull or "head" in pull:  # an issue's view of a PR, or the PR itself
        link = pull.get("pull_request") or {}
        payload["issue"]["pull_request"] = {
            "url": link.get("url", pull.get("url")),
            "html_url": link.get("html_url", pull.get("html_url")),
        }
    else:
        payload["issue"].pop("pull_request", None)
        payload["issue"].pop("draft", None)
        for key in ("url", "html_url", "comments_url", "labels"):
            if key in pull:
                payload["issue"][key] = pull[key]
    author = _sender(comment.get("user", {}))
    payload["comment"].update({**comment, "user": author})
    payload.update(
        action="created",
        repository=_repository(payload["repository"], repository),
        installation=_installation_ref(installation_id),
        sender=author,
    )
    return payload


def workflow_run(
    installation_id: int,
    repository: Mapping[str, Any],
    run: Mapping[str, Any],
    action: str = "completed",
) -> Json:
    """`workflow_run.<action>` for a run (GitHub's JSON of the run at one attempt, from
    `GET .../actions/runs/{id}` or `.../attempts/{n}`), over the recorded payload."""
    payload = copy.deepcopy(template("workflow_run", action))
    recorded = payload["workflow_run"]
    merged = _merge(recorded, run)
    merged["repository"] = _repository(recorded["repository"], repository)
    merged["head_repository"] = _repository(recorded["head_repository"], repository)
    merged["head_commit"] = _merge(
        recorded["head_commit"], run.get("head_commit") or {"id": run.get("head_sha")}
    )
    workflow = payload["workflow"]
    workflow.update(
        id=run.get("workflow_id", workflow["id"]),
        name=run.get("name", workflow["name"]),
        path=run.get("path", workflow["path"]),
        url=run.get("workflow_url", workflow["url"]),
    )
    payload.update(
        action=action,
        workflow_run=merged,
        repository=_repository(payload["repository"], repository),
        installation=_installation_ref(installation_id),
        sender=_sender(repository.get("owner", {})),
    )
    return payload
