"""`maintainer app register`: create the GitHub App from its manifest and write its settings.

A one-page form served on 127.0.0.1 posts the manifest (`app.github.app_manifest`) to GitHub's
"new App" page; GitHub sends the browser back to this server with a `code`, which is exchanged
for the App's id, slug, private key and webhook secret. The key goes to a file and the settings
to an env file, both mode 0600.
"""

from __future__ import annotations

import html
import json
import os
import queue
import secrets
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click
import httpx

from app.envfile import EnvFileError, read_env, update_env, write_private
from app.github.app_manifest import (
    RegistrationError,
    build_manifest,
    convert,
    new_app_url,
)
from app.settings import ENV_PREFIX, PUBLIC_GITHUB_API

CALLBACK = "/callback"


class FormServer(ThreadingHTTPServer):
    """The local server: the form page, and the callback GitHub redirects the browser to."""

    page = b""


@click.group("app")
def app() -> None:
    """The GitHub App itself."""


@app.command("register")
@click.option("--url", "public_url", required=True, help="The bot's public base URL (HTTPS).")
@click.option("--org", help="Create the App in this organisation (default: your account).")
@click.option("--name", default="maintainer-bot", show_default=True, help="The App's name.")
@click.option(
    "--github-url",
    help=f"GitHub's REST API base (default: {ENV_PREFIX}GITHUB_URL, else {PUBLIC_GITHUB_API}).",
)
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="Env file to write the App's settings to (other lines are kept).",
)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the private key (default: app.pem beside the env file).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Local port (0: any).")
@click.option("--timeout", type=click.IntRange(10, 86_400), default=900, show_default=True)
@click.option("--no-browser", is_flag=True, help="Print the form's address; open no browser.")
def register(
    public_url: str,
    org: str | None,
    name: str,
    github_url: str | None,
    env_file: Path,
    key_file: Path | None,
    port: int,
    timeout: int,
    no_browser: bool,
) -> None:
    """Register the GitHub App from its manifest and write MAINTAINER_APP_ID, the key file,
    the webhook secret and the slug to an env file."""
    api = (github_url or os.environ.get(f"{ENV_PREFIX}GITHUB_URL") or PUBLIC_GITHUB_API).rstrip("/")
    env_file = env_file.absolute()
    key_file = (key_file or env_file.with_name("app.pem")).absolute()
    _check_targets(env_file, key_file)
    state = secrets.token_urlsafe(24)
    codes: queue.Queue[str] = queue.Queue()
    server = FormServer(("127.0.0.1", port), _handler(codes, state))
    local = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        manifest = build_manifest(name, public_url, f"{local}{CALLBACK}")
        action = new_app_url(api, org, state)
    except RegistrationError as exc:
        server.server_close()
        raise click.ClickException(str(exc)) from None
    server.page = _page(action, manifest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        click.echo(f"Open {local}/ in a browser signed in to GitHub and create the App.")
        if not no_browser:
            webbrowser.open(f"{local}/")
        try:
            code = codes.get(timeout=timeout)
        except queue.Empty:
            raise click.ClickException(
                f"no answer from GitHub within {timeout} s: nothing was registered or written"
            ) from None
        with httpx.Client(timeout=30.0) as http:
            registration = convert(http, api, code)
    except RegistrationError as exc:
        raise click.ClickException(
            f"{exc}. Nothing was written; if GitHub created the App, delete it in its "
            "settings and register again."
        ) from None
    finally:
        server.shutdown()
        server.server_close()
    updates = {
        f"{ENV_PREFIX}APP_ID": str(registration.id),
        f"{ENV_PREFIX}APP_SLUG": registration.slug,
        f"{ENV_PREFIX}WEBHOOK_SECRET": registration.webhook_secret.get_secret_value(),
        f"{ENV_PREFIX}PRIVATE_KEY_PATH": str(key_file),
    }
    if api != PUBLIC_GITHUB_API:
        updates[f"{ENV_PREFIX}GITHUB_URL"] = api
    try:
        write_private(key_file, registration.pem.get_secret_value())
        update_env(env_file, updates)
    except (OSError, EnvFileError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise click.ClickException(
            f"GitHub created App {registration.slug} (id {registration.id}), but its settings "
            f"could not be written: {detail}. Delete the App on GitHub and register again."
        ) from None
    click.echo(
        f"Registered {registration.name} (App id {registration.id}, slug {registration.slug})."
    )
    click.echo(f"Wrote {env_file} and the private key {key_file} (mode 0600).")
    if registration.html_url:
        click.echo(f"Install it on repositories: {registration.install_url()}")


def _check_targets(env_file: Path, key_file: Path) -> None:
    """Refuse before anything happens on GitHub if writing would lose an earlier App."""
    if key_file.exists():
        raise click.ClickException(f"{key_file} exists: choose another --key-file")
    if not env_file.parent.is_dir():
        raise click.ClickException(f"{env_file.parent} is not a directory")
    if env_file.exists():
        try:
            earlier = read_env(env_file).get(f"{ENV_PREFIX}APP_ID")
        except EnvFileError as exc:
            raise click.ClickException(str(exc)) from None
        if earlier:
            raise click.ClickException(
                f"{env_file} already names App {earlier}: choose another --env-file"
            )


def _page(action: str, manifest: dict[str, Any]) -> bytes:
    value = html.escape(json.dumps(manifest), quote=True)
    name = html.escape(manifest["name"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Register {name}</title></head>
<body>
<h1>Register the GitHub App “{name}”</h1>
<p>Webhooks go to <code>{html.escape(manifest["hook_attributes"]["url"])}</code>.
GitHub will show the App's permissions before creating it.</p>
<form id="manifest" action="{html.escape(action, quote=True)}" method="post">
<input type="hidden" name="manifest" value="{value}">
<button type="submit">Create the App on GitHub</button>
</form>
</body></html>
""".encode()


def _handler(codes: queue.Queue[str], state: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/":
                assert isinstance(self.server, FormServer)
                self._answer(200, self.server.page)
                return
            if parts.path != CALLBACK:
                self._answer(404, b"not found\n")
                return
            query = parse_qs(parts.query, max_num_fields=10)
            given = query.get("state", [""])[0]
            code = query.get("code", [""])[0]
            if not secrets.compare_digest(given.encode(), state.encode()):
                self._answer(400, b"this answer is not for the registration in progress\n")
                return
            if not code:
                self._answer(400, b"GitHub sent no code: the App was not created\n")
                return
            codes.put(code)
            self._answer(200, b"GitHub answered; the terminal finishes the registration.\n")

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            kind = "text/html" if body.startswith(b"<!doctype") else "text/plain"
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None  # the query carries the code: keep it off the terminal

    return Handler
