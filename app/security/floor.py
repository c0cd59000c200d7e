"""New specifiers for security fixes: pins move to the fix, ranges get the fix as their floor."""

from __future__ import annotations

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from app.config import RangeStrategy
from app.manifests.base import Dependency, SpecStyle
from app.manifests.poetry import poetry_to_specifier
from app.updates import Releases
from app.versions import bump_at, new_specifier

_CEILINGS = ("<", "<=", "!=")


def fixed_specifier(dependency: Dependency, fix: Version, releases: Releases) -> str:
    """The specifier that admits ``fix`` and no usable release below it."""
    if dependency.pinned_version is not None:
        pinned = new_specifier(dependency, fix, RangeStrategy.PIN, is_library=False)
        return pinned or f"=={fix}"
    bumped = new_specifier(dependency, fix, RangeStrategy.BUMP, is_library=False)
    if bumped is not None and _floor_is(bumped, dependency.style, fix, releases):
        return bumped
    return raised_floor(dependency, fix)


def raised_floor(dependency: Dependency, fix: Version) -> str:
    """``>=fix`` plus the upper bounds of the old range that the fix still satisfies."""
    kept = [f">={fix}"]
    for clause in dependency.specifier:
        operator, version = clause.operator, clause.version
        if operator == "~=":
            parts = len(Version(version).release)
            operator, version = "<", bump_at(Version(version), max(parts - 2, 0), max(parts - 1, 1))
        elif operator == "==" and version.endswith(".*"):
            pass
        elif operator not in _CEILINGS:
            continue
        if SpecifierSet(f"{operator}{version}").contains(fix, prereleases=True):
            kept.append(f"{operator}{version}")
    separator = ", " if ", " in dependency.spec_text else ","
    return separator.join(dict.fromkeys(kept))


def _floor_is(text: str, style: SpecStyle, fix: Version, releases: Releases) -> bool:
    try:
        specifier = poetry_to_specifier(text) if style is SpecStyle.POETRY else SpecifierSet(text)
    except (InvalidSpecifier, ValueError):
        return False
    if not specifier.contains(fix, prereleases=True):
        return False
    return not any(
        specifier.contains(r.version, prereleases=True)
        for r in releases.usable()
        if r.version < fix
    )
