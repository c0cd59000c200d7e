from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.queue import Queue, RetryPolicy, build_huey
from app.settings import Settings
from app.store import Store, open_store


@pytest.fixture
def settings(tmp_path: Path, service_backends: dict[str, object]) -> Settings:
    """SQLite store and queue, then PostgreSQL and Redis (`service_backends`)."""
    return Settings(data_dir=tmp_path / "data", workers=1, **service_backends)  # type: ignore[arg-type]


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings.database())
    yield store
    store.engine.dispose()


@pytest.fixture
def queue(settings: Settings, store: Store) -> Queue:
    return Queue(build_huey(settings), store, RetryPolicy(retries=2, base_delay=5.0))
