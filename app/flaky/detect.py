"""Which tests are flaky, which are broken, from the runs' results (pure: values in, values out).

Rules (anchors: Trunk, BuildPulse, the flip rate of Datadog and the literature):

- A run where more than ``infrastructure_failure_ratio`` of its tests failed is an
  infrastructure failure: all of it is ignored (and listed).
- **Broken**: the latest ``broken_min_runs`` or more results all failed, and no run on the
  commits of that streak passed; ``since`` is the commit where the streak began.
- **Flaky**, at once: the test passed and failed on the same commit (a re-run attempt, several
  workflows on one head, or ``maintainer flaky --runs``).
- **Flaky**, over time: once a test has ``min_runs`` results, the flip rate
  (flips ÷ (runs − 1)) over the last ``window`` results flags it at ``flag_flip_rate`` and clears
  it at ``clear_flip_rate`` or under; walking the history in order with two thresholds keeps a
  test from bouncing between states. A regression (PPPFF, 25 %) is not a flake (PFPFP, 100 %).
- Otherwise **Healthy**. Broken > Flaky > Healthy. Skipped results are not runs.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from itertools import pairwise

from app.config import FlakySettings
from app.flaky.junit import Outcome, Run, location, workers

MAX_MESSAGES = 5
QUARANTINE_REASON = "flaky:"
"""How the reason of a quarantine's xfail marker starts (`app.flaky.quarantine`)."""

_PASS = 0
_FAIL = 1
_ABSENT = 2
_ABSENT_BYTE = bytes([_ABSENT])


class State(StrEnum):
    BROKEN = "broken"
    FLAKY = "flaky"
    HEALTHY = "healthy"


@dataclass(frozen=True)
class IgnoredRun:
    source: str
    reason: str


@dataclass(frozen=True)
class Verdict:
    """One test's state and the numbers behind it."""

    id: str
    file: str | None
    line: int | None
    state: State
    reason: str
    runs: int
    failures: int
    flip_rate: float
    failure_rate: float
    since: str | None = None
    """Broken: the commit where the failures began."""
    both_outcomes: tuple[str, ...] = ()
    """Commits on which the test both passed and failed."""
    messages: tuple[str, ...] = ()
    """Distinct failure messages, the first few."""


@dataclass(frozen=True)
class WeekRate:
    week: str
    flake_rate: float


@dataclass(frozen=True)
class Detection:
    runs: int
    tests: int
    flake_rate: float
    """Runs in which a flaky test failed ÷ runs."""
    verdicts: tuple[Verdict, ...]
    """Tests that are not Healthy: Broken first, then Flaky, each by flip rate."""
    trend: tuple[WeekRate, ...]
    ignored: tuple[IgnoredRun, ...]


@dataclass
class _Test:
    file: str | None = None
    line: int | None = None
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _RunInfo:
    commit: str | None
    time: datetime | None


class History:
    """The results of many runs folded per test; add runs in any order, then :func:`detect`."""

    def __init__(self, settings: FlakySettings) -> None:
        self.settings = settings
        self.tests: dict[str, _Test] = {}
        self.codes: dict[str, bytearray] = {}
        """Per test, one code per run in the order added: passed, failed, or absent/skipped."""
        self.runs: list[_RunInfo] = []
        self.ignored: list[IgnoredRun] = []
        self.quarantined_failures: dict[str, set[int]] = {}
        """Per test, the runs where it failed under a quarantine marker (an xfail that pytest
        writes as a skip with the marker's ``flaky:`` reason)."""
        self.numbers: dict[str, int] = {}
        """Each test's number, in the order first seen (for the runs' orders)."""
        self.orders: list[array[int]] = []
        """Per run, its tests' numbers in the order the JUnit file lists them."""
        self.workers: list[tuple[str | None, ...] | None] = []
        """Per run, each testcase's pytest-xdist worker (``gw0``…), ``None`` when none is known."""

    def add(self, run: Run) -> None:
        ids = run.ids()
        failures = run.failures
        skipped = sum(1 for outcome, _ in failures.values() if outcome is Outcome.SKIPPED)
        counted = len(ids) - skipped
        failed = len(failures) - skipped
        guard = self.settings
        if (
            counted >= guard.infrastructure_min_tests
            and failed > guard.infrastructure_failure_ratio * counted
        ):
            self.ignored.append(
                IgnoredRun(
                    run.source,
                    f"{failed} of {counted} tests failed (more than "
                    f"{guard.infrastructure_failure_ratio:.0%}): an infrastructure failure",
                )
            )
            return
        index = len(self.runs)
        self.runs.append(_RunInfo(run.commit, run.time))
        codes_of = self.codes
        for position, test_id in enumerate(ids):
            codes = codes_of.get(test_id)
            if codes is None:
                codes = codes_of[test_id] = bytearray(_ABSENT_BYTE * index)
                self.tests[test_id] = _Test(*location(run.cases[position]))
                self.numbers[test_id] = len(self.numbers)
            elif len(codes) != index:
                if len(codes) > index:  # the same id twice in one run: the first counts
                    continue
                codes.extend(_ABSENT_BYTE * (index - len(codes)))
            codes.append(_PASS)
        self.orders.append(array("I", map(self.numbers.__getitem__, ids)))
        self.workers.append(workers(run.cases) if run.has_workers else None)
        for position, (outcome, message) in failures.items():
            test_id = ids[position]
            if outcome is Outcome.SKIPPED:
                if codes_of[test_id][index] == _PASS:
                    codes_of[test_id][index] = _ABSENT
                if QUARANTINE_REASON in message:
                    self.quarantined_failures.setdefault(test_id, set()).add(index)
                continue
            codes_of[test_id][index] = _FAIL
            messages = self.tests[test_id].messages
            if len(messages) < MAX_MESSAGES and message not in messages:
                messages.append(message)

    def outcomes(self, test_id: str) -> list[tuple[datetime | None, str]]:
        """The test's results in time order: ``passed``, ``failed``, or ``quarantined`` (failed
        under its quarantine marker); skips and absences left out."""
        codes = self.codes.get(test_id, bytearray())
        quarantined = self.quarantined_failures.get(test_id, set())
        found = []
        for index in chronological(self.runs):
            if index in quarantined:
                found.append((self.runs[index].time, "quarantined"))
            elif index < len(codes) and codes[index] != _ABSENT:
                found.append((self.runs[index].time, "failed" if codes[index] else "passed"))
        return found


def detect(history: History) -> Detection:
    settings = history.settings
    total = len(history.runs)
    ordered = chronological(history.runs)
    in_order = ordered == list(range(total))
    verdicts: list[Verdict] = []
    flaky_failed_runs: set[int] = set()
    for test_id, codes in history.codes.items():
        if _FAIL not in codes:
            continue  # never failed: Healthy, nothing to compute
        sequence = (
            codes if in_order else bytes(codes[i] if i < len(codes) else _ABSENT for i in ordered)
        )
        runs = [ordered[p] for p, code in enumerate(sequence) if code != _ABSENT]
        present = bytes(sequence).replace(_ABSENT_BYTE, b"")
        verdict = _judge(test_id, history.tests[test_id], runs, present, history.runs, settings)
        if verdict.state is State.HEALTHY:
            continue
        verdicts.append(verdict)
        if verdict.state is State.FLAKY:
            flaky_failed_runs.update(r for r, c in zip(runs, present, strict=True) if c)
    verdicts.sort(key=lambda v: (v.state is not State.BROKEN, -v.flip_rate, v.id))
    total = len(history.runs)
    return Detection(
        runs=total,
        tests=len(history.codes),
        flake_rate=len(flaky_failed_runs) / total if total else 0.0,
        verdicts=tuple(verdicts),
        trend=_trend(history.runs, flaky_failed_runs),
        ignored=tuple(history.ignored),
    )


def detect_runs(runs: Iterable[Run], settings: FlakySettings) -> Detection:
    history = History(settings)
    for run in runs:
        history.add(run)
    return detect(history)


def flip_rate(codes: bytes | bytearray | list[int]) -> float:
    """Flips ÷ (runs − 1): PPPFF is 0.25, PFPFP is 1.0."""
    if len(codes) < 2:
        return 0.0
    flips = sum(1 for a, b in pairwise(codes) if a != b)
    return flips / (len(codes) - 1)


def chronological(runs: Sequence[_RunInfo]) -> list[int]:
    """The runs' indices in time order when every run has a time, else as added."""
    if runs and all(r.time is not None for r in runs):
        return sorted(range(len(runs)), key=lambda i: (runs[i].time, i))
    return list(range(len(runs)))


def _judge(
    test_id: str,
    test: _Test,
    runs: list[int],
    codes: bytes,
    infos: list[_RunInfo],
    settings: FlakySettings,
) -> Verdict:
    failures = codes.count(_FAIL)
    recent = codes[-settings.window :]
    recent_flip_rate = flip_rate(recent)
    healthy = Verdict(
        test_id,
        test.file,
        test.line,
        State.HEALTHY,
        "never failed",
        runs=len(codes),
        failures=failures,
        flip_rate=recent_flip_rate,
        failure_rate=recent.count(_FAIL) / len(recent) if recent else 0.0,
        messages=tuple(test.messages),
    )
    if not failures:
        return healthy
    outcomes_by_commit: dict[str, set[int]] = {}
    for run, code in zip(runs, codes, strict=True):
        commit = infos[run].commit
        if commit is not None:
            outcomes_by_commit.setdefault(commit, set()).add(code)
    both = tuple(c for c, seen in outcomes_by_commit.items() if len(seen) == 2)
    streak = len(codes) - len(codes.rstrip(bytes([_FAIL])))
    if streak >= settings.broken_min_runs:
        streak_commits = {infos[r].commit for r in runs[-streak:]}
        if not streak_commits & set(both):
            since = infos[runs[-streak]].commit
            where = f"since {since[:12]}" if since else f"in the latest {streak} runs"
            reason = f"failed {streak} times in a row {where}"
            return replace(healthy, state=State.BROKEN, reason=reason, since=since)
    if both:
        shown = ", ".join(c[:12] for c in both[:3])
        reason = f"passed and failed on the same commit ({shown})"
        return replace(healthy, state=State.FLAKY, reason=reason, both_outcomes=both)
    if _flagged(codes, settings):
        reason = f"flip rate {recent_flip_rate:.0%} over the last {len(recent)} runs"
        return replace(healthy, state=State.FLAKY, reason=reason)
    return replace(healthy, reason="flip rate under the threshold")


def _flagged(codes: bytes, settings: FlakySettings) -> bool:
    """Walk the history with a sliding window: flag at one threshold, clear at the other."""
    window, minimum = settings.window, settings.min_runs
    if len(codes) < minimum:
        return False
    flips = [0] * len(codes)  # flips[i]: codes[i] differs from codes[i - 1]
    for i in range(1, len(codes)):
        flips[i] = codes[i] != codes[i - 1]
    flagged = False
    in_window = 0  # flips inside codes[start:end]
    for end in range(1, len(codes) + 1):
        start = max(0, end - window)
        if end > 1:
            in_window += flips[end - 1]
        if start > 0:
            in_window -= flips[start]  # the flip into codes[start] left the window's pairs
        size = end - start
        if size < minimum:
            continue
        rate = in_window / (size - 1)
        if not flagged and rate >= settings.flag_flip_rate:
            flagged = True
        elif flagged and rate <= settings.clear_flip_rate:
            flagged = False
    return flagged


def _trend(runs: list[_RunInfo], flaky_failed: set[int]) -> tuple[WeekRate, ...]:
    weeks: dict[str, list[int]] = {}
    for index, run in enumerate(runs):
        if run.time is None:
            continue
        year, week, _ = run.time.isocalendar()
        counts = weeks.setdefault(f"{year}-W{week:02d}", [0, 0])
        counts[0] += 1
        counts[1] += index in flaky_failed
    return tuple(WeekRate(week, flaky / total) for week, (total, flaky) in sorted(weeks.items()))
