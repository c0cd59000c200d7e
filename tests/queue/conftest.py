from __future__ import annotations

from pathlib import Path

import pytest

from app.queue import Queue, RetryPolicy, build_huey
from app.settings import Settings
from app.store import Store, open_store


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", workers=1)


@pytest.fixture
def store(settings: Settings) -> Store:
    return open_store(settings.database())


@pytest.fixture
def queue(settings: Settings, store: Store) -> Queue:
    return Queue(build_huey(settings), store, RetryPolicy(retries=2, base_delay=5.0))
