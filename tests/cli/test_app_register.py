"""`maintainer app register` against the emulator: the form, GitHub's redirect, the conversion,
the files written; then the env file starts a `maintainer serve` that accepts a signed delivery."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import jwt
import pytest
from click.testing import CliRunner

from app.cli import cli
from app.envfile import read_env
from app.github.app_manifest import EVENTS, PERMISSIONS
from tests.server.support import ROOT, deliver, load
from tests.support import free_port, wait_for
from tests.support.harness import Harness


class FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = values["action"]
        if tag == "input":
            self.fields[values["name"]] = values["value"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")} | {
        "PYTHONPATH": str(ROOT)
    }


@pytest.mark.slow
def test_register_against_the_emulator_then_serve_from_the_env_file(
    harness: Harness, tmp_path: Path
) -> None:
    env_file = tmp_path / "deploy.env"
    env_file.write_text("POSTGRES_PASSWORD=kept\n")
    command = [sys.executable, "-m", "app", "app", "register", "--url", "https://bot.example.org"]
    command += ["--org", "acme", "--name", "Acme Maintainer", "--github-url", harness.url]
    command += ["--env-file", str(env_file), "--no-browser", "--timeout", "60"]
    process = subprocess.Popen(
        command, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        local = first.split("Open ", 1)[1].split(" ", 1)[0].rstrip("/")
        page = httpx.get(f"{local}/")
        assert page.status_code == 200
        form = FormReader()
        form.feed(page.text)
        assert form.action.startswith(f"{harness.url}/organizations/acme/settings/apps/new?")
        manifest = json.loads(form.fields["manifest"])
        assert manifest["hook_attributes"]["url"] == "https://bot.example.org/webhooks/github"
        assert manifest["default_permissions"] == {p.name: p.level for p in PERMISSIONS}
        assert manifest["default_events"] == [e.name for e in EVENTS]
        # an answer for some other registration is turned away; the command keeps waiting
        stray = httpx.get(f"{local}/callback", params={"code": "abc", "state": "forged"})
        assert stray.status_code == 400 and process.poll() is None
        done = httpx.post(form.action, data=form.fields, follow_redirects=True)
        assert done.status_code == 200 and str(done.url).startswith(f"{local}/callback?")
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Registered Acme Maintainer" in out and "/installations/new" in out

    key_file = tmp_path / "app.pem"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    values = read_env(env_file)
    [registered] = harness.emulator.state.registered_apps.values()
    assert values == {
        "POSTGRES_PASSWORD": "kept",
        "MAINTAINER_APP_ID": str(registered.id),
        "MAINTAINER_APP_SLUG": "acme-maintainer",
        "MAINTAINER_WEBHOOK_SECRET": values["MAINTAINER_WEBHOOK_SECRET"],
        "MAINTAINER_PRIVATE_KEY_PATH": str(key_file),
        "MAINTAINER_GITHUB_URL": harness.url,
    }
    secret = values["MAINTAINER_WEBHOOK_SECRET"]
    assert secret not in out + err and "PRIVATE KEY" not in out + err

    # the key written authenticates as the new App
    now = int(time.time())
    pem = key_file.read_text()
    token = jwt.encode({"iat": now - 30, "exp": now + 500, "iss": str(registered.id)}, pem, "RS256")
    app = httpx.get(f"{harness.url}/app", headers={"Authorization": f"Bearer {token}"})
    assert app.json()["slug"] == "acme-maintainer"

    # the env file, as `set -a; . ./deploy.env` or compose's env_file loads it, starts the server
    port = free_port()
    env = _env() | {k: v for k, v in values.items() if k.startswith("MAINTAINER_")}
    env["MAINTAINER_DATA_DIR"] = str(tmp_path / "data")
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            assert server.poll() is None, log.read_text()
            try:
                return httpx.get(f"{url}/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(up, 30, "maintainer serve")
        with httpx.Client(base_url=url) as client:
            created = load("installation", "created.payload.json")
            assert deliver(client, "installation", created, secret=secret).status_code == 202
            forged = deliver(client, "installation", created, secret="not-the-secret")
            assert forged.status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0, log.read_text()


def test_register_refuses_to_overwrite_a_key_or_another_app(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["app", "register", "--url", "https://bot.example.org", "--no-browser"]
    key = tmp_path / "app.pem"
    key.write_text("old key")
    result = runner.invoke(cli, [*base, "--env-file", str(tmp_path / ".env")])
    assert result.exit_code == 1 and "app.pem exists" in result.output
    assert key.read_text() == "old key" and not (tmp_path / ".env").exists()

    other = tmp_path / "other"
    other.mkdir()
    (other / ".env").write_text("MAINTAINER_APP_ID=5\n")
    result = runner.invoke(cli, [*base, "--env-file", str(other / ".env")])
    assert result.exit_code == 1 and "already names App 5" in result.output
    assert (other / ".env").read_text() == "MAINTAINER_APP_ID=5\n"
    assert sorted(p.name for p in other.iterdir()) == [".env"]


def test_register_refuses_a_bad_url_or_org_before_serving_anything(tmp_path: Path) -> None:
    runner = CliRunner()
    env = ["--env-file", str(tmp_path / ".env"), "--no-browser"]
    result = runner.invoke(cli, ["app", "register", "--url", "bot.example.org", *env])
    assert result.exit_code == 1 and "public http(s) base URL" in result.output
    result = runner.invoke(cli, ["app", "register", "--url", "https://b.org", "--org", "a/b", *env])
    assert result.exit_code == 1 and "organisation name" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_expired_code_fails_clearly_and_writes_nothing(harness: Harness, tmp_path: Path) -> None:
    harness.emulator.state.manifest_code_ttl = 0.0
    target = tmp_path / "deploy"
    target.mkdir()
    env_file = target / ".env"
    command = [sys.executable, "-m", "app", "app", "register", "--url", "https://b.example.org"]
    command += ["--github-url", harness.url, "--env-file", str(env_file), "--no-browser"]
    process = subprocess.Popen(
        command, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        local = process.stdout.readline().split("Open ", 1)[1].split(" ", 1)[0].rstrip("/")
        form = FormReader()
        form.feed(httpx.get(f"{local}/").text)
        httpx.post(form.action, data=form.fields, follow_redirects=True)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1
    assert "refused the manifest conversion (404)" in err and "Nothing was written" in err
    assert list(target.iterdir()) == []
