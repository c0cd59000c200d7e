"""Registering the GitHub App from a manifest (GitHub's "App manifest flow").

The manifest names what the bot needs and nothing more: each permission and event below is
derived from what `app/github/` calls and what `app/events/` handles, with the reason (the
README's "Registering the App" table is this list). `convert` is the one call of the flow that
talks to GitHub: `POST /app-manifests/{code}/conversions`, which answers the new App's id, slug,
private key and webhook secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from pydantic import SecretStr

from app.payloads import BadPayload, load_object

PUBLIC_GITHUB_WEB = "https://github.com"
MAX_CONVERSION_BYTES = 64 * 1024  # a 4096-bit PEM and a few hundred bytes of fields
MAX_NAME = 34  # GitHub's limit on an App's name
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
_ORG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")


@dataclass(frozen=True)
class Need:
    name: str
    level: str
    reason: str


PERMISSIONS: tuple[Need, ...] = (
    Need("contents", "write", "clone and fetch, read `.maintainer.yml`, push bot branches, merge"),
    Need("pull_requests", "write", "open, update, mark ready and merge the draft PRs; reviews"),
    Need("issues", "write", "reply to `@bot` commands, label PRs, react to command comments"),
    Need("checks", "write", "read CI check runs of a PR; post the `.maintainer.yml` check run"),
    Need("administration", "read", "read the default branch's required status checks"),
    Need("actions", "read", "list workflow runs and download their artifacts (JUnit, coverage)"),
    Need("metadata", "read", "repository lookups and collaborator permissions (always granted)"),
)
"""Repository permissions (no organisation or account permissions)."""

EVENTS: tuple[Need, ...] = (
    Need("push", "", "a push to the default branch rescans; a human push to a bot branch stops it"),
    Need("pull_request", "", "PR closed / merged / reopened: outcomes, rejections, cleanup"),
    Need("check_suite", "", "CI finished: merge-when-green and flaky-test history"),
    Need("check_run", "", "CI finished: merge-when-green and flaky-test history"),
    Need("issue_comment", "", "the `@bot` command language on pull requests and bot issues"),
    Need("workflow_run", "", "a CI run finished: collect its test results (flaky tests)"),
    Need("repository", "", "renamed, transferred, archived, deleted: keep the store in step"),
)
"""Webhook events. `installation` and `installation_repositories` (which the bot also handles)
are delivered to every App without subscribing."""


class RegistrationError(Exception):
    """The manifest flow failed; the message says where (never a secret)."""


@dataclass(frozen=True)
class Registration:
    """The App GitHub created from the manifest."""

    id: int
    slug: str
    name: str
    html_url: str
    pem: SecretStr
    webhook_secret: SecretStr

    def install_url(self) -> str:
        return f"{self.html_url.rstrip('/')}/installations/new"


def web_url(api_url: str) -> str:
    """GitHub's web address for a REST API base: api.github.com → github.com, GHES
    `https://HOST/api/v3` → `https://HOST`; any other base (the emulator) serves both."""
    parts = urlsplit(api_url.rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistrationError(f"not an http(s) URL: {api_url!r}")
    if parts.netloc == "api.github.com":
        return PUBLIC_GITHUB_WEB
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return base.removesuffix("/api/v3")


def new_app_url(api_url: str, org: str | None, state: str) -> str:
    """Where the manifest form posts: the user's or the organisation's "new App" page."""
    if org is not None and not _ORG.fullmatch(org):
        raise RegistrationError(f"not a GitHub organisation name: {org!r}")
    owner = f"/organizations/{org}" if org else ""
    return f"{web_url(api_url)}{owner}/settings/apps/new?state={quote(state, safe='')}"


def build_manifest(
    name: str, public_url: str, redirect_url: str, description: str | None = None
) -> dict[str, Any]:
    """GitHub's App manifest: webhooks to `public_url`/webhooks/github, the permissions and
    events above, private (installable only on the owning account)."""
    if not name.strip() or len(name) > MAX_NAME:
        raise RegistrationError(f"an App name has 1 to {MAX_NAME} characters: {name!r}")
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise RegistrationError(f"--url must be the bot's public http(s) base URL: {public_url!r}")
    base = public_url.rstrip("/")
    return {
        "name": name,
        "url": base,
        "description": description
        or "Drafts maintenance pull requests and forecasts repository health.",
        "hook_attributes": {"url": f"{base}/webhooks/github", "active": True},
        "redirect_url": redirect_url,
        "public": False,
        "default_permissions": {need.name: need.level for need in PERMISSIONS},
        "default_events": [need.name for need in EVENTS],
    }


def convert(http: httpx.Client, api_url: str, code: str) -> Registration:
    """Exchange the redirect's `code` for the App's credentials (single use, within an hour)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,200}", code):
        raise RegistrationError("the redirect carried a malformed code")
    url = f"{api_url.rstrip('/')}/app-manifests/{code}/conversions"
    try:
        response = http.post(url, headers={"Accept": "application/vnd.github+json"})
    except httpx.HTTPError as exc:
        raise RegistrationError(f"could not reach {api_url}: {type(exc).__name__}") from None
    body = response.content
    if response.status_code != 201:
        raise RegistrationError(
            f"GitHub refused the manifest conversion ({response.status_code}): {_message(body)}"
        )
    if len(body) > MAX_CONVERSION_BYTES:
        raise RegistrationError(f"the conversion answer is over {MAX_CONVERSION_BYTES} bytes")
    try:
        data = load_object(body)
    except BadPayload as exc:
        raise RegistrationError(f"the conversion answer is not a JSON object: {exc}") from None
    return _registration(data)


def _registration(data: dict[str, Any]) -> Registration:
    app_id, slug, name = data.get("id"), data.get("slug"), data.get("name")
    pem, secret, html_url = data.get("pem"), data.get("webhook_secret"), data.get("html_url")
    if not isinstance(app_id, int) or isinstance(app_id, bool) or app_id <= 0:
        raise RegistrationError("the conversion answer has no App id")
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise RegistrationError("the conversion answer has no usable slug")
    if not isinstance(pem, str) or not pem.startswith("-----BEGIN ") or len(pem) > 16_000:
        raise RegistrationError("the conversion answer has no PEM private key")
    if not isinstance(secret, str) or not re.fullmatch(r"[\x21-\x7e]{16,256}", secret):
        raise RegistrationError(
            "the conversion answer has no webhook secret (did the manifest lose hook_attributes?)"
        )
    return Registration(
        app_id,
        slug,
        name if isinstance(name, str) else slug,
        html_url if isinstance(html_url, str) else "",
        SecretStr(pem),
        SecretStr(secret),
    )


def _message(body: bytes) -> str:
    try:
        message = load_object(body[:MAX_CONVERSION_BYTES]).get("message")
    except BadPayload:
        return "no JSON message"
    return str(message)[:200] if message else "no message"
