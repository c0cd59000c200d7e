from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.server import create_app
from app.service.wiring import Services, build_services
from app.settings import Settings
from tests.server.support import SECRET, TICK_SECRET, live_server


class RecordingReplies:
    def __init__(self) -> None:
        self.comments: list[tuple[int, str, int, str]] = []

    def comment(self, installation_id: int, repository: str, number: int, body: str) -> None:
        self.comments.append((installation_id, repository, number, body))


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "webhook_secret": SecretStr(SECRET),
        "tick_secret": SecretStr(TICK_SECRET),
        "workers": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def services(tmp_path: Path) -> Services:
    return build_services(make_settings(tmp_path / "data"), replies=RecordingReplies())


@pytest.fixture
def client(services: Services) -> Iterator[httpx.Client]:
    app = create_app(SecretStr(SECRET), services.queue, SecretStr(TICK_SECRET))
    with live_server(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http
