"""The App manifest: the events are those the bot handles, and the conversion answer is
checked before anything is written."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from app.events import router
from app.github.app_manifest import (
    EVENTS,
    PERMISSIONS,
    RegistrationError,
    build_manifest,
    convert,
    new_app_url,
    web_url,
)

ALWAYS_DELIVERED = {"installation", "installation_repositories"}


def test_the_events_subscribed_are_exactly_the_events_handled() -> None:
    handled = {event for event, _ in router.events()}
    assert {need.name for need in EVENTS} == handled - ALWAYS_DELIVERED


def test_the_manifest_names_webhook_redirect_permissions_and_events() -> None:
    manifest = build_manifest("acme-bot", "https://bot.example.org/", "http://127.0.0.1:5/cb")
    assert manifest["url"] == "https://bot.example.org"
    assert manifest["hook_attributes"] == {
        "url": "https://bot.example.org/webhooks/github",
        "active": True,
    }
    assert manifest["redirect_url"] == "http://127.0.0.1:5/cb"
    assert manifest["public"] is False
    assert manifest["default_permissions"] == {p.name: p.level for p in PERMISSIONS}
    assert manifest["default_permissions"]["metadata"] == "read"
    assert all(level in ("read", "write") for level in manifest["default_permissions"].values())
    assert manifest["default_events"] == [e.name for e in EVENTS]


@pytest.mark.parametrize(
    ("name", "url"),
    [("", "https://x.org"), ("n" * 35, "https://x.org"), ("ok", "ftp://x.org"), ("ok", "x.org")],
)
def test_bad_names_and_urls_are_refused(name: str, url: str) -> None:
    with pytest.raises(RegistrationError):
        build_manifest(name, url, "http://127.0.0.1:1/cb")


def test_web_addresses_for_github_ghes_and_the_emulator() -> None:
    assert web_url("https://api.github.com") == "https://github.com"
    assert web_url("https://ghe.example.org/api/v3/") == "https://ghe.example.org"
    assert web_url("http://127.0.0.1:9999") == "http://127.0.0.1:9999"
    assert new_app_url("https://api.github.com", "acme", "s t") == (
        "https://github.com/organizations/acme/settings/apps/new?state=s%20t"
    )
    assert new_app_url("https://api.github.com", None, "s") == (
        "https://github.com/settings/apps/new?state=s"
    )
    with pytest.raises(RegistrationError):
        new_app_url("https://api.github.com", "../evil", "s")


GOOD: dict[str, Any] = {
    "id": 7,
    "slug": "acme-bot",
    "name": "acme-bot",
    "html_url": "https://github.com/apps/acme-bot",
    "pem": "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n",
    "webhook_secret": "0123456789abcdef0123",
}


def _client(status: int, body: bytes, seen: list[httpx.Request]) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body)

    return httpx.Client(transport=httpx.MockTransport(answer))


def test_convert_posts_the_code_and_reads_the_answer() -> None:
    seen: list[httpx.Request] = []
    with _client(201, json.dumps(GOOD).encode(), seen) as http:
        registration = convert(http, "https://ghe.example.org/api/v3/", "abc123")
    assert [(r.method, str(r.url)) for r in seen] == [
        ("POST", "https://ghe.example.org/api/v3/app-manifests/abc123/conversions")
    ]
    assert (registration.id, registration.slug) == (7, "acme-bot")
    assert registration.install_url() == "https://github.com/apps/acme-bot/installations/new"
    assert "BEGIN" not in repr(registration) and "0123456789" not in repr(registration)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (404, b'{"message": "Not Found"}', "refused the manifest conversion \\(404\\): Not Found"),
        (201, b"[]", "not a JSON object"),
        (201, json.dumps({**GOOD, "id": "7"}).encode(), "no App id"),
        (201, json.dumps({**GOOD, "slug": "../x"}).encode(), "no usable slug"),
        (201, json.dumps({**GOOD, "pem": "nope"}).encode(), "no PEM"),
        (201, json.dumps({**GOOD, "webhook_secret": None}).encode(), "no webhook secret"),
        (201, b"{" + b" " * 70_000 + b"}", "over 65536 bytes"),
    ],
)
def test_a_bad_conversion_answer_is_a_clear_error(status: int, body: bytes, message: str) -> None:
    with _client(status, body, []) as http, pytest.raises(RegistrationError, match=message):
        convert(http, "https://api.github.com", "abc")


def test_a_malformed_code_is_refused_before_any_request() -> None:
    seen: list[httpx.Request] = []
    with _client(201, b"{}", seen) as http, pytest.raises(RegistrationError, match="malformed"):
        convert(http, "https://api.github.com", "../../user")
    assert seen == []
