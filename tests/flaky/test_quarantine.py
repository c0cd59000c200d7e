"""What a flaky test's proposal would change."""

from __future__ import annotations

from datetime import date

from app.flaky.causes import Category, Cause, Evidence
from app.flaky.detect import State, Verdict
from app.flaky.quarantine import propose, quarantine_marker

VERDICT = Verdict("tests.test_a::test_b", "tests/test_a.py", 3, State.FLAKY, "", 30, 9, 0.4, 0.3)
TODAY = date(2026, 11, 30)


def test_the_marker_depends_on_pytest_rerunfailures() -> None:
    assert quarantine_marker(VERDICT, None, True, 3, TODAY) == "@pytest.mark.flaky(reruns=3)"
    cause = Cause(Category.TIME, (Evidence("tests/test_a.py", 4, "assert now()"),))
    marker = quarantine_marker(VERDICT, cause, False, 3, TODAY)
    assert marker == (
        "@pytest.mark.xfail(strict=False, reason='flaky: flip rate 40% over 30 runs, likely time, "
        "quarantined on 2026-11-30, expires 2026-12-30')"
    )


def test_unseeded_randomness_in_the_code_also_gets_a_fix() -> None:
    in_code = Cause(Category.RANDOMNESS, (Evidence("tests/test_a.py", 4, "random.choice(x)"),))
    assert propose(VERDICT, in_code, False, 2, TODAY).fix == (
        "seed the random number generator at the start of the test"
    )
    from_message = Cause(Category.RANDOMNESS, (Evidence(None, None, "failure message: 3"),))
    quarantine = propose(VERDICT, from_message, True, 2, TODAY)
    assert (quarantine.action, quarantine.kind, quarantine.fix) == (
        "quarantine",
        "flaky-test",
        None,
    )
    assert quarantine.change == "add @pytest.mark.flaky(reruns=2)"
