"""Risk: the factors that make a change likely to break something, and the level they add to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app import ci
from app.config import UpdateType
from app.model import Risk, RiskFactor, RiskLevel

MEDIUM_AT = 2
HIGH_AT = 4
FRESH_RELEASE_DAYS = 14
WIDELY_IMPORTED = 10


def combine(factors: Iterable[RiskFactor]) -> Risk:
    """The level is the sum of the factors' weights: < 2 low, < 4 medium, else high."""
    unique = tuple(dict.fromkeys(factors))
    score = sum(f.weight for f in unique)
    if score >= HIGH_AT:
        level = RiskLevel.HIGH
    elif score >= MEDIUM_AT:
        level = RiskLevel.MEDIUM
    else:
        level = RiskLevel.LOW
    ordered = tuple(sorted(unique, key=lambda f: -f.weight))
    return Risk(level, ordered)


def update_factors(
    *,
    update_type: UpdateType,
    old_major: int | None,
    released: datetime | None,
    now: datetime,
    development: bool,
    importing_files: int,
) -> tuple[RiskFactor, ...]:
    factors = [_update_type_factor(update_type)]
    if old_major == 0:
        factors.append(RiskFactor("pre-1.0 package: minor releases may break the API", 1))
    if released is not None:
        age = (now - released).days
        if age < FRESH_RELEASE_DAYS:
            factors.append(RiskFactor(f"released {age} days ago: few users have tried it", 1))
        else:
            factors.append(RiskFactor(f"released {age} days ago", 0))
    if development:
        factors.append(RiskFactor("development-only dependency: production is not affected", 0))
    else:
        factors.append(RiskFactor("runtime dependency: ships with the application", 1))
    factors.append(_usage_factor(importing_files))
    return tuple(factors)


def _update_type_factor(update_type: UpdateType) -> RiskFactor:
    if update_type is UpdateType.MAJOR:
        return RiskFactor("major update: breaking changes are allowed", 3)
    if update_type is UpdateType.MINOR:
        return RiskFactor("minor update: new features, should be compatible", 1)
    return RiskFactor("patch update: bug fixes only", 0)


def _usage_factor(importing_files: int) -> RiskFactor:
    if importing_files == 0:
        return RiskFactor("not imported by any Python file in the repository", 0)
    noun = "file imports" if importing_files == 1 else "files import"
    weight = 1 if importing_files >= WIDELY_IMPORTED else 0
    return RiskFactor(f"{importing_files} {noun} it", weight)


def ci_factor(result: str | None) -> RiskFactor | None:
    """What the branch's last CI conclusion says about the change, if CI has run on it."""
    if result is None:
        return None
    if result == "success":
        return RiskFactor("CI passed on this branch", 0)
    if ci.fails(result):
        return RiskFactor(
            f"CI {result.replace('_', ' ')} on this branch: check it before merging", 3
        )
    return RiskFactor(f"CI finished as {result.replace('_', ' ')} on this branch", 0)
