"""GitHub's App manifest flow: the "new App" pages a manifest form posts to, which redirect to
the manifest's `redirect_url` with a `code`, and `POST /app-manifests/{code}/conversions`, which
turns the code (single use, one hour) into the new App's id, slug, key and webhook secret.

GitHub shows the signed-in user a confirmation page between the post and the redirect; the
emulator, having no users signed in, confirms at once as `MANIFEST_USER` (or the organisation).
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.emulator import shapes
from app.emulator.keys import generate
from app.emulator.rest import ApiError, EmulatorState, Json, base_url
from app.emulator.state import MANIFEST_USER, State

router = APIRouter()

MAX_FORM = 64 * 1024
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


@router.post("/settings/apps/new")
async def new_user_app(request: Request, state: EmulatorState) -> RedirectResponse:
    return await _new_app(request, state, MANIFEST_USER)


@router.post("/organizations/{org}/settings/apps/new")
async def new_org_app(request: Request, state: EmulatorState, org: str) -> RedirectResponse:
    return await _new_app(request, state, org)


@router.post("/app-manifests/{code}/conversions", status_code=201)
def conversion(request: Request, state: EmulatorState, code: str) -> Json:
    pending = state.take_manifest(code)
    if pending is None:
        raise ApiError(404, "Not Found")
    keys = generate()
    slug = _slug(str(pending.manifest["name"]))
    try:
        registered = state.register_app(pending, slug, keys.public_pem)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None
    answer = shapes.registered_app_json(base_url(request), registered)
    answer.update(
        client_id=f"Iv1.{secrets.token_hex(8)}",
        client_secret=secrets.token_hex(20),
        webhook_secret=secrets.token_hex(20),
        pem=keys.private_pem,
    )
    return answer


async def _new_app(request: Request, state: State, owner: str) -> RedirectResponse:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise ApiError(413, f"form larger than {MAX_FORM} bytes")
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise ApiError(415, "post the manifest as a form (application/x-www-form-urlencoded)")
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    manifest = _manifest(fields.get("manifest", [""])[0])
    code = state.pend_manifest(manifest, owner)
    query = {"code": code}
    if "state" in request.query_params:
        query["state"] = request.query_params["state"]
    target = str(manifest["redirect_url"])
    separator = "&" if urlsplit(target).query else "?"
    return RedirectResponse(f"{target}{separator}{urlencode(query)}", status_code=302)


def _manifest(text: str) -> dict[str, Any]:
    """The checks GitHub makes before showing the confirmation page, 422 for each failure."""
    try:
        manifest = json.loads(text)
    except ValueError:
        raise ApiError(422, "the manifest is not valid JSON") from None
    if not isinstance(manifest, dict):
        raise ApiError(422, "the manifest is not a JSON object")
    name = manifest.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= 34 or not _slug(name):
        raise ApiError(422, "name is missing or invalid")
    hook = manifest.get("hook_attributes")
    for field, value in (
        ("url", manifest.get("url")),
        ("redirect_url", manifest.get("redirect_url")),
        ("hook_attributes.url", hook.get("url") if isinstance(hook, dict) else None),
    ):
        if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
            raise ApiError(422, f"{field} must be an http(s) URL")
    permissions = manifest.get("default_permissions", {})
    if not isinstance(permissions, dict) or not all(
        isinstance(v, str) and v in ("read", "write") for v in permissions.values()
    ):
        raise ApiError(422, "default_permissions must map names to read or write")
    events = manifest.get("default_events", [])
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise ApiError(422, "default_events must be a list of event names")
    return manifest


def _slug(name: str) -> str:
    """GitHub's slug of an App name: lower case, runs of other characters become one dash."""
    return _SLUG_CHARS.sub("-", name.lower()).strip("-")
