"""`maintainer migrate` and `maintainer tick`: the deploy's migration step and its tick."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from pydantic import SecretStr

from app.cli import cli
from app.server import create_app
from app.store import JobKind, NewDelivery, alembic_config
from tests.server.support import SECRET, TICK_SECRET, live_server


def test_migrate_brings_the_database_to_head_and_says_so(tmp_path: Path) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    env = {"MAINTAINER_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["migrate"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"database schema at revision {head}\n"  # logs go to stderr
    assert (tmp_path / "maintainer.db").exists()
    again = CliRunner().invoke(cli, ["migrate"], env=env)
    assert again.stdout == result.stdout


class RecordingIntake:
    def __init__(self) -> None:
        self.enqueued: list[tuple[JobKind, Mapping[str, Any] | None]] = []

    def accept_deliveries(self, batch: list[NewDelivery]) -> list[bool]:
        return [True for _ in batch]

    def enqueue(
        self, kind: JobKind, repository: str | None, args: Mapping[str, Any] | None = None
    ) -> str:
        self.enqueued.append((kind, args))
        return "job-1"


@pytest.fixture
def server() -> Iterator[tuple[str, RecordingIntake]]:
    intake = RecordingIntake()
    app = create_app(SecretStr(SECRET), intake, SecretStr(TICK_SECRET))
    with live_server(app) as url:
        yield url, intake


def test_tick_posts_once_with_the_secret(server: tuple[str, RecordingIntake]) -> None:
    url, intake = server
    result = CliRunner().invoke(
        cli, ["tick", "--url", url], env={"MAINTAINER_TICK_SECRET": TICK_SECRET}
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "tick queued (job job-1)\n"
    assert intake.enqueued == [(JobKind.TICK, {"reason": "ticks"})]


def test_tick_fails_when_the_server_refuses_or_is_not_there(
    server: tuple[str, RecordingIntake],
) -> None:
    url, intake = server
    runner = CliRunner()
    wrong = runner.invoke(cli, ["tick", "--url", url], env={"MAINTAINER_TICK_SECRET": "nope"})
    assert wrong.exit_code == 1 and "tick not queued" in wrong.output and "401" in wrong.output
    unset = runner.invoke(cli, ["tick", "--url", url], env={"MAINTAINER_TICK_SECRET": ""})
    assert unset.exit_code == 1 and "MAINTAINER_TICK_SECRET is not set" in unset.output
    gone = runner.invoke(
        cli, ["tick", "--url", "http://127.0.0.1:9"], env={"MAINTAINER_TICK_SECRET": "x"}
    )
    assert gone.exit_code == 1 and "cannot reach" in gone.output
    bad = runner.invoke(cli, ["tick", "--url", "file:///etc"], env={"MAINTAINER_TICK_SECRET": "x"})
    assert bad.exit_code == 1 and "http(s) URL" in bad.output
    assert intake.enqueued == []
