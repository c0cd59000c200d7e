"""`maintainer sandbox`: the whole GitHub App loop on loopback, without a GitHub account.

Starts the GitHub emulator (which also serves a recorded package index), `maintainer serve` and
`maintainer worker` as child processes, seeds the demo repository, sends a signed
`installation.created` and a `push`, waits for the queue to drain and shows the draft PRs.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

import click
import httpx
from pydantic import SecretStr

from app.emulator import deliveries
from app.emulator.keys import generate
from app.github import AppCredentials, GitHub, PullRequest
from app.store import JobKind, JobRecord, JobStatus, open_store

APP_ID = 1
INSTALLATION_ID = 1
OWNER = "octo-org"
REPOSITORY = f"{OWNER}/demo-shop"
WEBHOOK_SECRET_BYTES = 16
START_TIMEOUT = 30.0
JOBS_TIMEOUT = 180.0
TERMINAL = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class SandboxError(Exception):
    pass


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Sandbox:
    root: Path
    index_url: str | None = None
    say: Any = None
    secret: str = field(default_factory=lambda: secrets.token_hex(WEBHOOK_SECRET_BYTES))
    children: list[Child] = field(default_factory=list)
    _env: dict[str, str] = field(default_factory=dict)
    github_url: str = ""
    server_url: str = ""

    def _say(self, message: str) -> None:
        if self.say is not None:
            self.say(message)

    # -- processes ------------------------------------------------------------------------

    def start(self) -> None:
        fixtures = deliveries.fixtures_dir()
        for needed in ("demo-repo", "index", "github-payloads"):
            if not (fixtures / needed).is_dir():
                raise SandboxError(f"{fixtures / needed} is missing: run from a checkout")
        keys = generate()
        key_path = keys.write_private(self.root / "app-key.pem")
        github_port, server_port = _free_port(), _free_port()
        self.github_url = f"http://127.0.0.1:{github_port}"
        self.server_url = f"http://127.0.0.1:{server_port}"
        emulator = ["-m", "app.emulator", "--port", str(github_port), "--app-id", str(APP_ID)]
        options = ["--data", str(self.root / "github"), "--key", str(key_path)]
        self._spawn("emulator", [*emulator, *options, "--index", str(fixtures / "index")], {})
        _wait_until_up(f"{self.github_url}/_emulator/requests", self.children[-1])
        self._env = self._service_env(key_path)
        # The server only accepts deliveries (no in-process consumer); the worker runs the jobs.
        serve = ["-m", "app", "serve", "--port", str(server_port)]
        self._spawn("server", serve, {**self._env, "MAINTAINER_WORKERS": "0"})
        _wait_until_up(f"{self.server_url}/healthz", self.children[-1])
        self.start_worker()
        self._say(f"GitHub emulator: {self.github_url}")
        self._say(f"maintainer serve: {self.server_url} (logs in {self.root})")

    def start_worker(self) -> Child:
        self._spawn("worker", ["-m", "app", "worker", "--workers", "2"], self._env)
        return self.children[-1]

    def child(self, name: str) -> Child:
        return next(c for c in reversed(self.children) if c.name == name)

    def _service_env(self, key_path: Path) -> dict[str, str]:
        return {
            "MAINTAINER_APP_ID": str(APP_ID),
            "MAINTAINER_PRIVATE_KEY_PATH": str(key_path),
            "MAINTAINER_WEBHOOK_SECRET": self.secret,
            "MAINTAINER_GITHUB_URL": self.github_url,
            "MAINTAINER_DATA_DIR": str(self.root / "bot"),
            "MAINTAINER_JOB_RETRY_DELAY": "1",
            "PIP_INDEX_URL": self.index_url or f"{self.github_url}/simple",
        }

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = self.root / f"{name}.log"
        handle: IO[bytes] = log.open("ab")
        clean = {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")}
        process = subprocess.Popen(
            [sys.executable, *args],
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**clean, **env},
            cwd=Path(__file__).resolve().parents[2],  # the checkout: `-m app` imports this app
        )
        handle.close()
        self.children.append(Child(name, process, log))

    def stop(self) -> None:
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGINT)
        for child in reversed(self.children):
            try:
                child.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        self.children.clear()

    # -- the demo -------------------------------------------------------------------------

    def seed(self) -> None:
        tree = deliveries.fixtures_dir() / "demo-repo"
        owner, name = REPOSITORY.split("/")
        with httpx.Client(base_url=f"{self.github_url}/_emulator", timeout=30) as admin:
            _ok(admin.post("/repos", json={"owner": owner, "name": name, "tree": str(tree)}))
            body = {"id": INSTALLATION_ID, "account": OWNER, "repositories": [REPOSITORY]}
            installation = _ok(admin.post("/installations", json=body)).json()
            repository = _ok(admin.get(f"/repos/{REPOSITORY}")).json()
            head = repository["head"]
            zero = "0" * 40
            commits = _ok(admin.get(f"/repos/{REPOSITORY}/pushed", params={"after": head}))
        self._say(f"seeded {REPOSITORY} from {tree}")
        self.deliver("installation", deliveries.installation_created(installation, [repository]))
        push = deliveries.push(INSTALLATION_ID, repository, zero, head, commits.json())
        self.deliver("push", push)

    def deliver(self, event: str, payload: dict[str, Any]) -> str:
        item = deliveries.delivery(event, payload)
        response = deliveries.send(self.server_url, self.secret, item)
        if response.status_code >= 300:
            raise SandboxError(f"the server answered {response.status_code} to {event}")
        self._say(f"sent {event} delivery {item.id}: {response.status_code}")
        return item.id

    def wait_for_jobs(self, timeout: float = JOBS_TIMEOUT) -> list[JobRecord]:
        """Wait until both deliveries and every job they caused have finished."""
        store = open_store(f"sqlite:///{self.root / 'bot' / 'maintainer.db'}")
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self._check_children()
                jobs = store.jobs(limit=1000)
                delivered = [j for j in jobs if j.kind == JobKind.DELIVERY]
                scans = [j for j in jobs if j.kind == JobKind.SCAN]
                if len(delivered) >= 2 and scans and all(j.status in TERMINAL for j in jobs):
                    return jobs
                time.sleep(0.2)
        finally:
            store.engine.dispose()
        raise SandboxError(f"the jobs did not finish within {timeout:.0f} s")

    def pulls(self) -> list[PullRequest]:
        key = SecretStr((self.root / "app-key.pem").read_text(encoding="ascii"))
        with GitHub(self.github_url, AppCredentials(APP_ID, key)) as gh:
            pulls = gh.installation(INSTALLATION_ID).pulls(REPOSITORY)
        return sorted(pulls, key=lambda p: p.number)

    def _check_children(self) -> None:
        for child in self.children:
            if child.process.poll() is not None:
                raise SandboxError(f"{child.name} exited:\n{child.tail()}")

    def summary(self, pulls: list[PullRequest]) -> dict[str, Any]:
        return {
            "github_url": self.github_url,
            "server_url": self.server_url,
            "webhook_secret": self.secret,
            "installation_id": INSTALLATION_ID,
            "repository": REPOSITORY,
            "pull_requests": [p.number for p in pulls],
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, child: Child, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise SandboxError(f"{child.name} exited:\n{child.tail()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SandboxError(f"{child.name} did not answer on {url} within {timeout:.0f} s")


def _ok(response: httpx.Response) -> httpx.Response:
    response.raise_for_status()
    return response


@contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM ends the sandbox like Ctrl-C does, so the children are always stopped."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command("sandbox")
@click.option("--keep", is_flag=True, help="Stay up (emulator, server, worker) until interrupted.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--index-url", help="Package index for the scan (default: the recorded pages).")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep repositories, state and logs here (default: a temporary folder, of which only "
    "the logs are kept on exit).",
)
def sandbox(keep: bool, output_format: str, index_url: str | None, data_dir: Path | None) -> None:
    """Run the GitHub App against a local GitHub emulator and show the draft PRs it opens."""
    quiet = output_format == "json"
    root = data_dir or Path(tempfile.mkdtemp(prefix="maintainer-sandbox-"))
    root.mkdir(parents=True, exist_ok=True)
    box = Sandbox(root, index_url, say=lambda m: click.echo(m, err=True))
    try:
        with _interruptible():
            box.start()
            box.seed()
            jobs = box.wait_for_jobs()
            pulls = box.pulls()
            if not pulls:
                failed = [f"{j.kind}: {j.error}" for j in jobs if j.status == JobStatus.FAILED]
                raise SandboxError("no draft PR was opened; " + ("; ".join(failed) or "see logs"))
            if quiet:
                click.echo(json.dumps(box.summary(pulls)))
            else:
                _show(box, pulls)
            if keep:
                click.echo("sandbox running; press Ctrl-C to stop", err=True)
                while True:
                    box._check_children()
                    time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except SandboxError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        box.stop()
        if data_dir is None:
            logs = _keep_only_logs(root)
            click.echo(f"logs kept in {root}: {', '.join(logs) or 'none'}", err=True)


def _keep_only_logs(root: Path) -> list[str]:
    """Remove the temporary repositories, keys and state; keep the processes' logs, which the
    sandbox said were there. Returns the names of the logs kept."""
    kept = []
    for entry in sorted(root.iterdir()):
        if entry.is_file() and not entry.is_symlink() and entry.suffix == ".log":
            kept.append(entry.name)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return kept


def _show(box: Sandbox, pulls: list[PullRequest]) -> None:
    click.echo(f"{len(pulls)} draft pull request(s) in {REPOSITORY} on {box.github_url}\n")
    for pull in pulls:
        click.echo(f"#{pull.number} {pull.title}")
        click.echo(f"branch: {pull.head_ref} → {pull.base_ref}  draft: {pull.draft}")
        click.echo(f"labels: {', '.join(pull.labels) or '-'}\n")
        click.echo(pull.body)
        click.echo("-" * 72)
