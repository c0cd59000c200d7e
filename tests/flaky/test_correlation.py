"""Failures correlated with the test order or the pytest-xdist worker, as causes with evidence."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from app.config import FlakySettings
from app.flaky.causes import Category, likely_cause
from app.flaky.correlation import correlations
from app.flaky.detect import History
from app.flaky.junit import parse_junit

START = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _xml(cases: Sequence[tuple[str, bool, str | None]], index: int, hostname: str = "") -> bytes:
    """One run: (test name, failed, worker property) in the order they ran."""
    body = ""
    for name, failed, worker in cases:
        properties = (
            f'<properties><property name="worker" value="{worker}"/></properties>' if worker else ""
        )
        failure = '<failure message="assert [1] == []">E</failure>' if failed else ""
        body += (
            f'<testcase classname="tests.test_reg" name="{name}" time="0.01">'
            f"{properties}{failure}</testcase>"
        )
    when = (START + timedelta(hours=index)).isoformat()
    host = f' hostname="{hostname}"' if hostname else ""
    return (
        f'<?xml version="1.0"?><testsuites><testsuite name="pytest" timestamp="{when}"{host}>'
        f"{body}</testsuite></testsuites>"
    ).encode()


def _order_history(seed: int, runs: int) -> History:
    """``test_empty`` fails exactly when ``test_adds`` ran before it; four others never fail."""
    shuffle = random.Random(seed)
    history = History(FlakySettings())
    names = ["test_adds", "test_empty", "test_a", "test_b", "test_c", "test_d"]
    for index in range(runs):
        order = names[:]
        shuffle.shuffle(order)
        polluted = order.index("test_adds") < order.index("test_empty")
        cases = [(name, name == "test_empty" and polluted, None) for name in order]
        history.add(parse_junit(io.BytesIO(_xml(cases, index)), f"run-{index}.xml"))
    return history


def test_a_failure_that_follows_another_test_names_that_test() -> None:
    history = _order_history(seed=3, runs=16)
    (found,) = correlations(history, "tests.test_reg::test_empty")
    assert found.category is Category.TEST_ORDER
    text = found.evidence.text
    assert text.startswith("test order: failed in ")
    assert "where tests.test_reg::test_adds ran before it" in text
    codes = history.codes["tests.test_reg::test_empty"]
    failures, passes = codes.count(1), codes.count(0)
    assert f"failed in {failures} of {failures} runs" in text
    assert f"passed in {passes} of {passes} runs where it did not" in text
    # the runs' evidence outweighs a code line pointing elsewhere
    source = "import time\n\ndef test_empty():\n    time.sleep(1)\n    assert REG == []\n"
    cause = likely_cause(
        "tests.test_reg::test_empty",
        "tests/test_reg.py",
        source,
        [],
        [(found.category, found.evidence)],
    )
    assert cause is not None and cause.category is Category.TEST_ORDER


def test_no_order_correlation_for_independent_failures_or_too_few_runs() -> None:
    shuffle = random.Random(5)
    history = History(FlakySettings())
    names = ["test_x", "test_a", "test_b", "test_c"]
    for index in range(20):
        order = names[:]
        shuffle.shuffle(order)
        cases = [(n, n == "test_x" and index % 2 == 0, None) for n in order]
        history.add(parse_junit(io.BytesIO(_xml(cases, index)), f"run-{index}.xml"))
    assert correlations(history, "tests.test_reg::test_x") == []
    assert correlations(_order_history(seed=3, runs=4), "tests.test_reg::test_empty") == []
    assert correlations(history, "tests.test_reg::unknown") == []


def test_failures_on_one_xdist_worker_are_named_from_testcase_properties() -> None:
    history = History(FlakySettings())
    for index in range(12):
        worker = f"gw{index % 3}"
        cases = [("test_cache", worker == "gw1", worker), ("test_other", False, "gw0")]
        history.add(parse_junit(io.BytesIO(_xml(cases, index)), f"run-{index}.xml"))
    found = correlations(history, "tests.test_reg::test_cache")
    by_worker = [c for c in found if "xdist" in c.evidence.text]
    assert [c.evidence.text for c in by_worker] == [
        "pytest-xdist worker: failed 4 of 4 runs on gw1 (100% of its failures), "
        "0 of 8 on the other workers"
    ]


def test_the_worker_is_read_from_a_suites_hostname_too() -> None:
    run = parse_junit(
        io.BytesIO(_xml([("test_a", False, None), ("test_b", True, "gw3")], 0, hostname="gw2")),
        "x.xml",
    )
    assert run.has_workers
    assert [case.get("worker") for case in run.cases] == ["gw2", "gw3"]
    plain = parse_junit(io.BytesIO(_xml([("test_a", False, None)], 0, hostname="ci-42")), "y")
    assert not plain.has_workers and "worker" not in plain.cases[0]
