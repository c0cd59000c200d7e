"""The service commands and logging: refusing to start unconfigured, no secret in any log line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from app.cli import cli
from app.logs import REDACTED, configure_logging, redact
from app.server import create_app
from app.service.wiring import build_services
from app.store import JobKind, JobStatus
from tests.server.support import (
    SECRET,
    TICK_SECRET,
    RecordingReplies,
    deliver,
    live_server,
    load,
    make_settings,
)

PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3\n-----END RSA PRIVATE KEY-----"
)
TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_serve_refuses_to_start_without_a_webhook_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MAINTAINER_WEBHOOK_SECRET", raising=False)
    monkeypatch.setenv("MAINTAINER_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert "MAINTAINER_WEBHOOK_SECRET" in result.output
    assert not (tmp_path / "maintainer.db").exists()  # refused before touching anything


def test_jobs_command_with_no_jobs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MAINTAINER_DATA_DIR", str(tmp_path))
    assert CliRunner().invoke(cli, ["jobs", "--failed"]).output == "no failed jobs\n"


def test_no_secret_reaches_a_log_line(tmp_path: Path, captured: io.StringIO) -> None:
    settings = make_settings(
        tmp_path / "data", private_key=SecretStr(PRIVATE_KEY), log_level="DEBUG"
    )
    configure_logging(settings, logging.StreamHandler(captured))
    replies = RecordingReplies()
    services = build_services(settings, replies=replies)

    def leaky(job: object) -> None:  # the worst case: an exception quoting every secret
        raise RuntimeError(f"failed with {SECRET} {TICK_SECRET} {TOKEN} {PRIVATE_KEY}")

    services.queue.handlers[JobKind.SCAN] = leaky
    app = create_app(SecretStr(SECRET), services.queue, SecretStr(TICK_SECRET))
    with live_server(app) as url, httpx.Client(base_url=url) as http:
        deliver(http, "installation", load("installation", "created.payload.json"))
        deliver(http, "push", b"{}", secret="wrong")
        http.post("/ticks", headers={"X-Maintainer-Tick-Secret": "wrong"})
    for job in services.store.jobs(JobStatus.QUEUED):
        services.queue.run_job(job.id)
    for job in services.store.jobs(JobStatus.QUEUED):  # the scan the installation enqueued
        services.queue.run_job(job.id)
    logging.getLogger("test").error("settings: %r / %s", settings, settings)

    output = captured.getvalue()
    assert "RuntimeError" in output and REDACTED in output
    for secret in (SECRET, TICK_SECRET, TOKEN, "MIIEowIBAAKCAQEA0Z3VS5JJcds3"):
        assert secret not in output
    [failed] = services.store.jobs(JobStatus.FAILED)
    assert TOKEN not in (failed.error or "") and "PRIVATE KEY-----" not in (failed.error or "")


def test_redact_patterns() -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjEyM30.c2lnbmF0dXJlX19f"
    text = f"postgresql://bot:hunter2@db/x ghp_abcdefghijklmnopqrstuvwxyz {jwt}"
    assert redact(text) == f"postgresql://{REDACTED}@db/x {REDACTED} {REDACTED}"
    assert redact("the secret s3cr3t", ["s3cr3t"]) == f"the secret {REDACTED}"
