from datetime import timedelta
from typing import Any

from app.config import UpdateType
from app.model import RiskFactor, RiskLevel
from app.risk import combine, update_factors
from tests.support import NOW


def factors(**overrides: Any) -> tuple[RiskFactor, ...]:
    arguments: dict[str, Any] = dict(
        update_type=UpdateType.PATCH,
        old_major=2,
        released=NOW - timedelta(days=60),
        now=NOW,
        development=True,
        importing_files=0,
    )
    arguments.update(overrides)
    return update_factors(**arguments)


def test_a_dev_only_patch_is_low() -> None:
    assert combine(factors()).level is RiskLevel.LOW


def test_a_runtime_major_is_high_and_says_why() -> None:
    risk = combine(factors(update_type=UpdateType.MAJOR, development=False, importing_files=12))
    assert risk.level is RiskLevel.HIGH
    texts = [f.text for f in risk.factors]
    assert texts[0] == "major update: breaking changes are allowed"
    assert "12 files import it" in texts
    assert "runtime dependency: ships with the application" in texts


def test_pre_1_0_and_fresh_releases_add_risk() -> None:
    risk = combine(
        factors(update_type=UpdateType.MINOR, old_major=0, released=NOW - timedelta(days=2))
    )
    assert risk.level is RiskLevel.MEDIUM
    assert any("pre-1.0" in f.text for f in risk.factors)
    assert any("released 2 days ago" in f.text for f in risk.factors)


def test_duplicate_factors_count_once() -> None:
    factor = RiskFactor("runtime", 1)
    assert combine([factor, factor]).level is RiskLevel.LOW
