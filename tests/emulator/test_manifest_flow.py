"""The emulator's App manifest flow: the "new App" form post redirects with a code, and the
code converts once, within its lifetime, into a working App."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from app.github.app_manifest import build_manifest
from tests.support.harness import Harness

REDIRECT = "http://127.0.0.1:1/callback"


def _post(harness: Harness, manifest: Any, path: str = "/settings/apps/new") -> httpx.Response:
    form = {"manifest": manifest if isinstance(manifest, str) else json.dumps(manifest)}
    return httpx.post(f"{harness.url}{path}?state=st4te", data=form)


def _code(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT
    query = parse_qs(target.query)
    assert query["state"] == ["st4te"]
    return query["code"][0]


def test_a_code_converts_once_into_an_app_whose_key_works(harness: Harness) -> None:
    manifest = build_manifest("Acme Bot", "https://bot.example.org", REDIRECT)
    code = _code(_post(harness, manifest, "/organizations/acme/settings/apps/new"))
    converted = httpx.post(f"{harness.url}/app-manifests/{code}/conversions")
    assert converted.status_code == 201
    app = converted.json()
    assert app["slug"] == "acme-bot" and app["owner"]["login"] == "acme"
    assert app["permissions"] == manifest["default_permissions"]
    assert app["events"] == manifest["default_events"]
    assert len(app["webhook_secret"]) >= 32 and app["pem"].startswith("-----BEGIN")
    again = httpx.post(f"{harness.url}/app-manifests/{code}/conversions")
    assert again.status_code == 404

    now = int(time.time())
    token = jwt.encode(
        {"iat": now - 30, "exp": now + 500, "iss": str(app["id"])}, app["pem"], "RS256"
    )
    shown = httpx.get(f"{harness.url}/app", headers={"Authorization": f"Bearer {token}"})
    assert shown.status_code == 200 and shown.json()["slug"] == "acme-bot"
    forged = jwt.encode({"iat": now, "exp": now + 500, "iss": "999999"}, app["pem"], "RS256")
    refused = httpx.get(f"{harness.url}/app", headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401


def test_an_expired_code_converts_to_nothing(harness: Harness) -> None:
    harness.emulator.state.manifest_code_ttl = 0.0
    code = _code(_post(harness, build_manifest("late", "https://x.org", REDIRECT)))
    assert httpx.post(f"{harness.url}/app-manifests/{code}/conversions").status_code == 404


def test_a_name_in_use_is_refused_at_conversion(harness: Harness) -> None:
    first = _code(_post(harness, build_manifest("twin", "https://x.org", REDIRECT)))
    second = _code(_post(harness, build_manifest("Twin", "https://x.org", REDIRECT)))
    assert httpx.post(f"{harness.url}/app-manifests/{first}/conversions").status_code == 201
    refused = httpx.post(f"{harness.url}/app-manifests/{second}/conversions")
    assert refused.status_code == 422 and "already in use" in refused.json()["message"]


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "not a JSON object"),
        ({"name": "x", "url": "https://x.org", "redirect_url": REDIRECT}, "hook_attributes.url"),
        (
            {
                "name": "x",
                "url": "https://x.org",
                "redirect_url": REDIRECT,
                "hook_attributes": {"url": "https://x.org/h"},
                "default_permissions": {"contents": "admin"},
            },
            "default_permissions",
        ),
        ({"name": "!!!", "url": "https://x.org"}, "name"),
    ],
)
def test_a_bad_manifest_is_refused_without_a_code(
    harness: Harness, manifest: Any, message: str
) -> None:
    response = _post(harness, manifest)
    assert response.status_code == 422 and message in response.json()["message"]
    assert harness.emulator.state.manifest_codes == {}


def test_the_manifest_must_come_as_a_form(harness: Harness) -> None:
    response = httpx.post(f"{harness.url}/settings/apps/new", json={"manifest": "{}"})
    assert response.status_code == 415
