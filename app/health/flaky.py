"""The flaky-test slot of the health memory: the flake rate and the flaky tests as debt items.

Fed from JUnit results (`maintainer health --junit DIR`: the same detection as
`maintainer flaky`). The current sample gets the flake rate (runs in which a flaky test failed
÷ runs) and one item per flaky test; a history sample gets the rate of its ISO week when the
results cover that week. Without JUnit results the component is unknown, never 0.

Points: the component loses 100 × the flake rate, shared among the flaky tests by their
failures, so its value is 100 − 100 × flake rate and every point lost is a test's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from app.flaky.detect import Detection, State
from app.health.inventory import Item

MINUTES_PER_FLAKY_TEST = 60
"""Remediation: reproduce, find the cause, fix or quarantine (an hour, the literature's floor)."""


@dataclass(frozen=True)
class FlakyTest:
    id: str
    file: str | None
    flip_rate: float
    failures: int
    runs: int


@dataclass(frozen=True)
class FlakyHealth:
    flake_rate: float
    runs: int
    weeks: Mapping[str, float]
    """ISO week (``2026-W45``) → that week's flake rate."""
    tests: tuple[FlakyTest, ...]

    def rate_at(self, at: datetime) -> float | None:
        year, week, _ = at.isocalendar()
        return self.weeks.get(f"{year}-W{week:02d}")


def flaky_health(
    detection: Detection, locate: Callable[[str, str | None], str | None] = lambda i, f: f
) -> FlakyHealth:
    """``locate``: a test's file in the checkout from its id and the file JUnit names."""
    return FlakyHealth(
        flake_rate=detection.flake_rate,
        runs=detection.runs,
        weeks={w.week: w.flake_rate for w in detection.trend},
        tests=tuple(
            FlakyTest(v.id, locate(v.id, v.file), v.flip_rate, v.failures, v.runs)
            for v in detection.verdicts
            if v.state is State.FLAKY
        ),
    )


def flaky_items(health: FlakyHealth) -> list[Item]:
    failures = sum(t.failures for t in health.tests)
    items = []
    for test in health.tests:
        name = test.id.rpartition("::")[2]
        slug = f"quarantine-{test.file}-{name}" if test.file else f"quarantine-{name}"
        items.append(
            Item(
                id=f"flaky-test:{test.id}",
                kind="flaky-test",
                component="flaky",
                subject=f"{test.file}::{name}" if test.file else test.id,
                evidence=f"flip rate {test.flip_rate:.0%}, failed {test.failures} of "
                f"{test.runs} runs",
                minutes=MINUTES_PER_FLAKY_TEST,
                risk="medium",
                fix={"kind": "flaky-test", "branch": _branch(slug)},
                points=100.0 * health.flake_rate * test.failures / failures if failures else 0.0,
            )
        )
    return items


def _branch(slug: str) -> str:
    from app.proposals import branch_name

    return branch_name("flaky-test", slug)
