from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.server import create_app
from app.service.wiring import Services, build_services
from tests.server.support import SECRET, TICK_SECRET, RecordingReplies, live_server, make_settings


@pytest.fixture
def services(tmp_path: Path, service_backends: dict[str, object]) -> Iterator[Services]:
    """On SQLite, then on PostgreSQL + Redis (`service_backends`)."""
    settings = make_settings(tmp_path / "data", **service_backends)
    services = build_services(settings, replies=RecordingReplies())
    yield services
    services.store.engine.dispose()


@pytest.fixture
def client(services: Services) -> Iterator[httpx.Client]:
    app = create_app(SecretStr(SECRET), services.queue, SecretStr(TICK_SECRET))
    with live_server(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http
