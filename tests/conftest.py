from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import IndexServer, index_server


@pytest.fixture
def index() -> Iterator[IndexServer]:
    with index_server() as server:
        yield server
