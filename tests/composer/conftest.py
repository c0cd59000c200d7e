from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulator.harness import Harness, running_emulator


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running_emulator(tmp_path / "emulator") as running:
        running.seed()
        yield running
