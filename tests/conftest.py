from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.support import IndexServer, index_server
from tests.support.backends import postgres_schema, redis_queue
from tests.support.harness import Harness, running_emulator


@pytest.fixture(autouse=True, scope="session")
def private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Caches (index pages, distributions, dead-code facts) go to a temporary directory, for
    this process and the commands it starts, never to the user's ~/.cache."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    yield cache
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(autouse=True, scope="session")
def no_resident_process() -> Iterator[None]:
    """``maintainer scan`` run by a test runs in its own process and starts no resident
    process (`app.resident`); tests/resident turn it on for the commands they start."""
    before = os.environ.get("MAINTAINER_RESIDENT")
    os.environ["MAINTAINER_RESIDENT"] = "off"
    yield
    if before is None:
        del os.environ["MAINTAINER_RESIDENT"]
    else:
        os.environ["MAINTAINER_RESIDENT"] = before


@pytest.fixture
def index() -> Iterator[IndexServer]:
    with index_server() as server:
        yield server


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    """The GitHub emulator on a loopback port, seeded with the demo repository, installed."""
    with running_emulator(tmp_path / "emulator") as running:
        running.seed()
        yield running


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store's URL: a SQLite file, then a scratch schema on the machine's PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'state.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql+redis"])
def service_backends(request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """Settings overrides for the two deployments: everything on SQLite (store and queue in the
    data dir), or PostgreSQL (a scratch schema) with the queue on Redis (a queue of its own)."""
    if request.param == "sqlite":
        yield {}
        return
    with postgres_schema() as url, redis_queue() as (redis_url, name):
        yield {
            "database_url": SecretStr(url),
            "redis_url": SecretStr(redis_url),
            "queue_name": name,
        }
