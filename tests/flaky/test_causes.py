"""Likely causes from a test's code and messages, each with its evidence lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.flaky.causes import Category, likely_cause
from app.flaky.sources import locate_test_file, read_source

SOURCE = """\
import random
import socket
import threading
import time
from datetime import datetime

import requests

SEEN = []


def test_dice():
    assert random.randint(1, 6) < 6


def test_deadline():
    started = datetime.now()
    assert started.microsecond < 500_000


def test_poll():
    start_worker()
    time.sleep(0.5)
    assert done()


def test_tags():
    tags = {"b", "a"}
    assert list(tags) == ["b", "a"]


def test_fetch():
    assert requests.get("https://example.org/api").ok


def test_local_fetch():
    assert requests.get("http://127.0.0.1:8000/api").ok


def test_register():
    SEEN.append("x")


def test_nothing_registered():
    assert SEEN == []


def test_threads():
    worker = threading.Thread(target=run)
    worker.start()


def test_sum():
    assert 0.1 + 0.2 == 0.3


def test_sum_approx():
    assert 0.1 + 0.2 == pytest.approx(0.3)


def test_log():
    handle = open("log.txt")
    assert handle.read()


class TestClock:
    def test_now(self):
        self.assertLess(time.time() - START, 1.0)
"""

EXPECTED = {
    "test_dice": (Category.RANDOMNESS, [13]),
    "test_deadline": (Category.TIME, [17, 18]),
    "test_poll": (Category.ASYNC_WAIT, [23]),
    "test_tags": (Category.UNORDERED_COLLECTION, [29]),
    "test_fetch": (Category.NETWORK, [33]),
    "test_nothing_registered": (Category.TEST_ORDER, [9, 41, 45]),
    "test_threads": (Category.CONCURRENCY, [49]),
    "test_sum": (Category.FLOATING_POINT, [54]),
    "test_log": (Category.RESOURCE_LEAK, [62]),
    "TestClock::test_now": (Category.TIME, [68]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_category_is_found_with_its_lines(name: str) -> None:
    cause = likely_cause(f"tests.test_x::{name}", "tests/test_x.py", SOURCE, [])
    assert cause is not None
    category, lines = EXPECTED[name]
    assert cause.category is category
    assert sorted({e.line or 0 for e in cause.evidence}) == lines
    assert all(e.file == "tests/test_x.py" and e.text for e in cause.evidence)


@pytest.mark.parametrize("name", ["test_local_fetch", "test_sum_approx", "test_register"])
def test_clean_code_has_no_cause(name: str) -> None:
    assert likely_cause(f"tests.test_x::{name}", "tests/test_x.py", SOURCE, []) is None


def test_seeding_random_removes_the_randomness_cause() -> None:
    seeded = SOURCE.replace("SEEN = []", "SEEN = []\nrandom.seed(4)")
    assert likely_cause("m::test_dice", "t.py", seeded, []) is None


def test_failure_messages_point_to_a_cause() -> None:
    timeout = likely_cause("m::test_x", None, None, ["Failed: Timeout >5.0s"])
    assert timeout is not None and timeout.category is Category.ASYNC_WAIT
    assert timeout.evidence[0].text == "failure message: Failed: Timeout >5.0s"
    refused = likely_cause("m::test_x", None, None, ["ConnectionRefusedError: Connection refused"])
    assert refused is not None and refused.category is Category.NETWORK
    drifting = likely_cause("m::test_x", None, None, ["assert 17 == 3", "assert 42 == 3"])
    assert drifting is not None and drifting.category is Category.RANDOMNESS
    assert likely_cause("m::test_x", None, None, ["assert 'a' == 'b'"]) is None


def test_unparsable_or_missing_code_gives_no_code_cause() -> None:
    assert likely_cause("m::test_dice", "t.py", "def (:", []) is None
    assert likely_cause("m::test_gone", "t.py", SOURCE, []) is None


def test_the_file_is_found_only_inside_the_checkout(tmp_path: Path) -> None:
    (tmp_path / "repo" / "tests").mkdir(parents=True)
    (tmp_path / "repo" / "tests" / "test_x.py").write_text(SOURCE)
    (tmp_path / "secret.py").write_text("x = 1")
    root = tmp_path / "repo"
    assert locate_test_file(root, "tests.test_x.TestClock::test_now", None) == "tests/test_x.py"
    assert locate_test_file(root, "tests.test_x::test_dice", "tests/test_x.py") == "tests/test_x.py"
    assert locate_test_file(root, "x::t", "../secret.py") is None
    assert locate_test_file(root, "x::t", "/etc/passwd") is None
    assert read_source(root, "../secret.py") is None
    assert read_source(root, "tests/test_x.py") == SOURCE
