"""The command lines of deploy/compose.yaml and the Dockerfile, run as processes against this
machine's PostgreSQL (a scratch database `deploy_<random>`) and Redis (a queue name of its own):
migrate, the server answering /healthz (and the image's HEALTHCHECK command), two workers, the
tick. Two substitutions, and only these: the server's `--port` becomes a free port (tests never
bind fixed ports), and the compose host name `server` becomes 127.0.0.1. GitHub is the emulator
(`MAINTAINER_GITHUB_URL`), as everywhere in the tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.envfile import read_env
from app.store import JobKind, JobStatus, alembic_config, open_store
from tests.deploy.support import DEPLOY, command_lines, compose
from tests.deploy.test_dockerfile import healthcheck_argv
from tests.server.support import deliver, load
from tests.support import free_port, wait_for
from tests.support.harness import Harness, app_keys

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
MAINTAINER = str(Path(sys.executable).with_name("maintainer"))


def _unreachable() -> str | None:
    for port, what in ((5432, "PostgreSQL"), (6379, "Redis")):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError as exc:
            return f"{what} is not reachable on 127.0.0.1:{port} ({exc})"
    return None


@pytest.fixture
def scratch_database() -> Iterator[str]:
    reason = _unreachable()
    if reason:
        pytest.skip(reason)
    name = f"deploy_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def queue_name() -> Iterator[str]:
    import redis

    name = f"deploy_{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


@dataclass
class Running:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)


def _environment(service: str, database: str, queue: str, tmp: Path, github: str) -> dict[str, str]:
    """The container's environment as compose builds it: `.env` (here `.env.example`), then
    the service's `environment`, with the addresses of this machine's PostgreSQL and Redis."""
    key = app_keys().write_private(tmp / "app.pem")
    declared: dict[str, Any] = compose()["services"][service].get("environment", {})
    values = read_env(DEPLOY / ".env.example") | {k: str(v) for k, v in declared.items()}
    values |= {
        "MAINTAINER_DATABASE_URL": database,
        "MAINTAINER_REDIS_URL": REDIS_URL,
        "MAINTAINER_PRIVATE_KEY_PATH": str(key),
        "MAINTAINER_DATA_DIR": str(tmp / f"{service}-data"),
        "MAINTAINER_QUEUE_NAME": queue,
        "MAINTAINER_GITHUB_URL": github,
    }
    base = {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")}
    return base | {k: v for k, v in values.items() if k.startswith("MAINTAINER_")}


def _argv(where: str, port: int) -> list[str]:
    argv = list(command_lines()[where])
    if "--port" in argv:
        argv[argv.index("--port") + 1] = str(port)
    if "--url" in argv:
        argv[argv.index("--url") + 1] = argv[argv.index("--url") + 1].replace(
            "//server:8000", f"//127.0.0.1:{port}"
        )
    return [MAINTAINER, *argv[1:]]


def _start(name: str, argv: list[str], env: dict[str, str], tmp: Path) -> Running:
    log = tmp / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Running(name, process, log)


@pytest.mark.slow
def test_the_compose_command_lines_run_on_postgresql_and_redis(
    scratch_database: str, queue_name: str, tmp_path: Path, harness: Harness
) -> None:
    port = free_port()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()

    migrate = subprocess.run(
        _argv("compose migrate", port),
        env=_environment("migrate", scratch_database, queue_name, tmp_path, harness.url),
        capture_output=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr.decode()
    assert migrate.stdout.decode().strip() == f"database schema at revision {head}"

    running: list[Running] = []
    try:
        server_env = _environment("server", scratch_database, queue_name, tmp_path, harness.url)
        assert server_env["MAINTAINER_WORKERS"] == "0"
        server = _start("server", _argv("compose server", port), server_env, tmp_path)
        running.append(server)
        url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            assert server.process.poll() is None, server.log.read_text()
            try:
                return httpx.get(f"{url}/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(healthy, 60, "maintainer serve to answer /healthz")
        probe = [a.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for a in healthcheck_argv()]
        assert probe[0] == "python"
        checked = subprocess.run([sys.executable, *probe[1:]], timeout=30)
        assert checked.returncode == 0

        worker_env = _environment("worker", scratch_database, queue_name, tmp_path, harness.url)
        replicas = compose()["services"]["worker"]["deploy"]["replicas"]
        for number in range(replicas):
            running.append(
                _start(f"worker-{number}", _argv("compose worker", port), worker_env, tmp_path)
            )

        with httpx.Client(base_url=url) as client:
            secret = server_env["MAINTAINER_WEBHOOK_SECRET"]
            created = load("installation", "created.payload.json")
            assert deliver(client, "installation", created, secret=secret).status_code == 202

        tick_env = _environment("tick", scratch_database, queue_name, tmp_path, harness.url)
        tick = subprocess.Popen(_argv("compose tick", port), env=tick_env, stdout=subprocess.PIPE)
        try:
            assert tick.stdout is not None
            first = tick.stdout.readline().decode()
            assert first.startswith("tick queued (job "), first
        finally:
            tick.send_signal(signal.SIGTERM)
            tick.wait(30)

        store = open_store(scratch_database)

        def consumed() -> bool:
            for worker in running[1:]:
                assert worker.process.poll() is None, worker.log.read_text()
            ticks = [j for j in store.jobs(None, 50) if j.kind == JobKind.TICK]
            routed = [r.full_name for r in store.repositories()]
            return (
                bool(ticks)
                and all(j.status == JobStatus.SUCCEEDED for j in ticks)
                and routed == ["Codertocat/Hello-World"]
            )

        wait_for(consumed, 90, "the workers to run the tick and route the delivery")
        store.engine.dispose()
    finally:
        codes = {r.name: r.stop() for r in running}
    assert codes == {r.name: 0 for r in running}, {r.name: r.log.read_text() for r in running}
    assert secret not in "".join(r.log.read_text() for r in running)
