"""Failures that go with the test order or the pytest-xdist worker (pure: the history in, the
evidence out).

- **Order**: for every other test X, the share of the test's failing runs where X ran earlier
  in the same run, against the share of its passing runs. When X ran earlier in (nearly) every
  failure and (nearly) no pass, or the other way round, the test depends on what X leaves
  behind (or sets up): a test-order dependency, X named.
- **Worker**: when every failure happened on one pytest-xdist worker (``gw1``) while the test
  also ran, and passed, on others, the worker's state is the suspect.

Both look at the test's latest results (the detection ``window``), and order only when the runs
did not all run in the same order. A correlation needs ``MIN_EACH`` failing and passing runs and
a difference of shares of at least ``MIN_DIFFERENCE``: with few runs chance alone makes
patterns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.flaky.causes import Category, Evidence
from app.flaky.detect import History, chronological

MIN_EACH = 3
MIN_DIFFERENCE = 0.8


@dataclass(frozen=True)
class Correlation:
    category: Category
    evidence: Evidence


def correlations(history: History, test_id: str) -> list[Correlation]:
    """What the test's failures go with, strongest first (empty when nothing stands out)."""
    number = history.numbers.get(test_id)
    codes = history.codes.get(test_id)
    if number is None or codes is None:
        return []
    found = []
    order = _order(history, number, codes)
    if order is not None:
        found.append(order)
    worker = _worker(history, number, codes)
    if worker is not None:
        found.append(worker)
    return found


def _outcomes(history: History, codes: bytearray) -> list[tuple[int, bool]]:
    """(run, failed) for the test's latest results (the detection window), oldest first."""
    found = [(run, bool(codes[run])) for run in chronological(history.runs) if run < len(codes)]
    found = [(run, failed) for run, failed in found if codes[run] in (0, 1)]
    return found[-history.settings.window :]


def _orders_vary(history: History, runs: list[tuple[int, bool]]) -> bool:
    """Whether the runs ran their tests in more than one order (else order shows nothing)."""
    return len({history.orders[run].tobytes() for run, _ in runs}) > 1


def _order(history: History, number: int, codes: bytearray) -> Correlation | None:
    earlier = {True: Counter[int](), False: Counter[int]()}
    totals = {True: 0, False: 0}
    runs = _outcomes(history, codes)
    if not _orders_vary(history, runs):
        return None
    for run, failed in runs:
        order = history.orders[run]
        try:
            position = order.index(number)
        except ValueError:
            continue
        earlier[failed].update(set(order[:position]))
        totals[failed] += 1
    if totals[True] < MIN_EACH or totals[False] < MIN_EACH:
        return None
    best: tuple[float, int] | None = None
    for other in set(earlier[True]) | set(earlier[False]):
        difference = earlier[True][other] / totals[True] - earlier[False][other] / totals[False]
        if best is None or abs(difference) > abs(best[0]):
            best = (difference, other)
    if best is None or abs(best[0]) < MIN_DIFFERENCE:
        return None
    difference, other = best
    name = _name(history, other)
    fails_after, passes_after = earlier[True][other], earlier[False][other]
    if difference > 0:
        text = (
            f"failed in {fails_after} of {totals[True]} runs where {name} ran before it, "
            f"passed in {totals[False] - passes_after} of {totals[False]} runs where it did not"
        )
    else:
        text = (
            f"passed in {passes_after} of {totals[False]} runs where {name} ran before it, "
            f"failed in {totals[True] - fails_after} of {totals[True]} runs where it did not"
        )
    return Correlation(Category.TEST_ORDER, Evidence(None, None, f"test order: {text}"))


def _worker(history: History, number: int, codes: bytearray) -> Correlation | None:
    runs: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for run, bad in _outcomes(history, codes):
        workers = history.workers[run]
        if workers is None:
            continue
        order = history.orders[run]
        try:
            worker = workers[order.index(number)]
        except (ValueError, IndexError):
            continue
        if worker is None:
            continue
        runs[worker] += 1
        failed[worker] += bad
    total_failed = sum(failed.values())
    total = sum(runs.values())
    if total_failed < MIN_EACH or total - total_failed < MIN_EACH or len(runs) < 2:
        return None
    worst = max(failed, key=lambda w: (failed[w], w))
    on_worst = failed[worst] / total_failed
    elsewhere = total - runs[worst]
    share_elsewhere = (total_failed - failed[worst]) / elsewhere if elsewhere else 1.0
    if elsewhere < MIN_EACH or failed[worst] / runs[worst] - share_elsewhere < MIN_DIFFERENCE:
        return None
    text = (
        f"pytest-xdist worker: failed {failed[worst]} of {runs[worst]} runs on {worst} "
        f"({on_worst:.0%} of its failures), {total_failed - failed[worst]} of {elsewhere} on "
        "the other workers"
    )
    return Correlation(Category.TEST_ORDER, Evidence(None, None, text))


def _name(history: History, number: int) -> str:
    for test_id, known in history.numbers.items():
        if known == number:
            return test_id
    return f"test #{number}"
