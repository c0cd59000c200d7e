"""Detection on plain values: regressions, flakes, broken tests, the infrastructure guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.config import FlakySettings
from app.flaky.detect import State, detect_runs, flip_rate
from app.flaky.junit import CaseResult, Outcome, Run

START = datetime(2026, 11, 2, 9, tzinfo=UTC)  # a Monday: ISO week 2026-W45
STABLE = [f"tests.test_stable::test_{i}" for i in range(12)]


def runs_of(
    patterns: dict[str, str],
    commits: list[str] | None = None,
    days_apart: float = 1.0,
) -> list[Run]:
    """One run per character position: P passed, F failed, E error, S skipped, - absent."""
    length = max(len(p) for p in patterns.values())
    codes = {"P": Outcome.PASSED, "F": Outcome.FAILED, "E": Outcome.ERROR, "S": Outcome.SKIPPED}
    runs = []
    for i in range(length):
        results = [
            CaseResult(test, "tests/test_x.py", 3, codes[p[i]], 0.1, f"boom {i}")
            for test, p in patterns.items()
            if i < len(p) and p[i] != "-"
        ]
        results += [CaseResult(s, None, None, Outcome.PASSED, 0.1, "") for s in STABLE]
        commit = commits[i] if commits else None
        when = START + timedelta(days=i * days_apart)
        runs.append(Run.of(f"run{i}.xml", commit, "ci", 1, when, results))
    return runs


def states(patterns: dict[str, str], **kwargs: object) -> dict[str, State]:
    settings = FlakySettings(**kwargs.pop("settings", {}))  # type: ignore[arg-type]
    detection = detect_runs(runs_of(patterns, **kwargs), settings)  # type: ignore[arg-type]
    return {v.id: v.state for v in detection.verdicts}


def test_flip_rate_separates_a_regression_from_a_flake() -> None:
    assert flip_rate([0, 0, 0, 1, 1]) == 0.25
    assert flip_rate([0, 1, 0, 1, 0]) == 1.0
    assert flip_rate([1]) == 0.0


def test_passing_and_failing_on_one_commit_is_flaky_at_once() -> None:
    found = states({"t::flaky": "PF", "t::fixed": "FP"}, commits=["a" * 40, "a" * 40])
    assert found == {"t::flaky": State.FLAKY, "t::fixed": State.FLAKY}
    # the same outcomes on two commits: a fix, not a flake (too few runs to judge a flip rate)
    assert states({"t::fixed": "FP"}, commits=["a" * 40, "b" * 40]) == {}


def test_a_regression_is_broken_since_its_commit_and_not_flaky() -> None:
    commits = [f"{i:040x}" for i in range(25)]
    detection = detect_runs(runs_of({"t::reg": "P" * 20 + "FFFFF"}, commits), FlakySettings())
    (verdict,) = detection.verdicts
    assert verdict.state is State.BROKEN
    assert verdict.since == commits[20]
    assert verdict.flip_rate == pytest.approx(1 / 24)
    assert detection.flake_rate == 0.0


def test_an_alternating_test_is_flaky_over_time_but_not_before_min_runs() -> None:
    flake = "PF" * 15
    assert states({"t::flake": flake}) == {"t::flake": State.FLAKY}
    assert states({"t::flake": flake[:19]}) == {}
    assert states({"t::flake": flake[:19]}, settings={"min_runs": 10}) == {"t::flake": State.FLAKY}


def test_a_flag_clears_only_under_the_lower_threshold() -> None:
    settings = {"window": 20, "min_runs": 20, "flag_flip_rate": 0.15, "clear_flip_rate": 0.05}
    flaky_then_quiet = "PF" * 10 + "P" * 18 + "PFP"  # 2 flips in the last 20: 10.5 %
    assert states({"t::x": flaky_then_quiet}, settings=settings) == {"t::x": State.FLAKY}
    long_quiet = "PF" * 10 + "P" * 40
    assert states({"t::x": long_quiet}, settings=settings) == {}
    # never flagged: the same 10.5 % alone is under the flag threshold
    assert states({"t::x": "P" * 28 + "PFP"}, settings=settings) == {}


def test_broken_outranks_flaky() -> None:
    assert states({"t::x": "PF" * 12 + "FFFF"}) == {"t::x": State.BROKEN}


def test_a_streak_on_a_commit_where_the_test_also_passed_is_flaky_not_broken() -> None:
    same = ["c" * 40] * 6
    assert states({"t::x": "PPFFFF"}, commits=same) == {"t::x": State.FLAKY}


def test_runs_where_most_tests_failed_are_ignored_as_infrastructure() -> None:
    runs = runs_of({"t::x": "P" * 25})
    crashed = tuple(r._replace(outcome=Outcome.ERROR) for r in runs[5].results)
    runs[5] = Run.of("crash.xml", None, "ci", 1, runs[5].time, crashed)
    detection = detect_runs(runs, FlakySettings())
    assert detection.verdicts == ()
    assert [i.source for i in detection.ignored] == ["crash.xml"]
    assert "13 of 13 tests failed" in detection.ignored[0].reason
    assert detection.runs == 24


def test_skipped_results_are_not_runs_and_order_comes_from_time() -> None:
    runs = runs_of({"t::x": "PSPSPSPSP" + "FFF"})
    detection = detect_runs(list(reversed(runs)), FlakySettings())
    (verdict,) = detection.verdicts
    assert (verdict.state, verdict.runs, verdict.failures) == (State.BROKEN, 8, 3)


def test_flake_rate_and_weekly_trend_count_runs_where_a_flaky_test_failed() -> None:
    commits = ["d" * 40] * 14
    detection = detect_runs(runs_of({"t::x": "PFPPPPP" + "PPPPPPP"}, commits), FlakySettings())
    assert [v.state for v in detection.verdicts] == [State.FLAKY]
    assert detection.flake_rate == pytest.approx(1 / 14)
    assert [(w.week, w.flake_rate) for w in detection.trend] == [
        ("2026-W45", pytest.approx(1 / 7)),
        ("2026-W46", 0.0),
    ]
    assert detection.verdicts[0].messages == ("boom 1",)
