"""Version arithmetic: update types and new specifiers under each range strategy."""

from __future__ import annotations

import re

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from app.config import RangeStrategy, UpdateType
from app.manifests.base import Dependency, SpecStyle
from app.manifests.poetry import poetry_to_specifier

_CLAUSE = re.compile(r"(?P<op>===|==|~=|!=|<=|>=|<|>|\^|~|=)?\s*(?P<version>[0-9][^\s,]*|\*)")
_IMPLIED_CEILING = {"^", "~", "~="}
_LOWER = {">=", ">", "~=", "==", "===", "^", "~", "=", ""}


def update_type(old: Version, new: Version) -> UpdateType:
    old_release = (*old.release, 0, 0)[:3]
    new_release = (*new.release, 0, 0)[:3]
    if old_release[0] != new_release[0]:
        return UpdateType.MAJOR
    if old_release[1] != new_release[1]:
        return UpdateType.MINOR
    return UpdateType.PATCH


def bump_at(version: Version, level: int, length: int) -> str:
    """``bump_at(2.3.1, 0, 1)`` → ``3``; ``bump_at(1.7.2, 1, 2)`` → ``1.8``."""
    release = [*version.release, 0, 0, 0][: max(length, level + 1)]
    release[level] += 1
    for index in range(level + 1, len(release)):
        release[index] = 0
    return ".".join(str(part) for part in release)


def with_precision(version: Version, length: int) -> str:
    """The release segment cut or zero-padded to ``length`` components: (2.3.1, 2) → 2.3."""
    release = [*version.release, 0, 0, 0][: max(length, 1)]
    return ".".join(str(part) for part in release)


def precision_level(version_text: str) -> tuple[int, int]:
    """(index of the last non-zero release component, number of components)."""
    parts = [int(p) if p.isdigit() else 0 for p in version_text.split(".")]
    nonzero = [i for i, part in enumerate(parts) if part]
    return (nonzero[-1] if nonzero else 0), len(parts)


def allows(dependency: Dependency, version: Version) -> bool:
    return dependency.specifier.contains(version, prereleases=True)


def new_specifier(
    dependency: Dependency, new: Version, strategy: RangeStrategy, is_library: bool
) -> str | None:
    """The specifier text that takes ``new``, or ``None`` when no change is needed."""
    effective = _effective(dependency, new, strategy, is_library)
    if effective is None:
        return None
    text = dependency.spec_text
    if effective is RangeStrategy.PIN:
        return _pin(dependency, new)
    if not text or text == "*":
        return f">={new}" if dependency.style is SpecStyle.PEP440 else f"^{new}"
    rewritten = _rewrite_clauses(text, new, bump=effective is RangeStrategy.BUMP)
    return None if rewritten == text else rewritten


def _effective(
    dependency: Dependency, new: Version, strategy: RangeStrategy, is_library: bool
) -> RangeStrategy | None:
    if dependency.pinned_version is not None:
        return None if dependency.pinned_version == new else RangeStrategy.PIN
    if strategy is RangeStrategy.BUMP:
        return strategy
    if allows(dependency, new):
        return None
    if strategy is RangeStrategy.AUTO:
        return RangeStrategy.WIDEN if is_library else RangeStrategy.BUMP
    return strategy


def _pin(dependency: Dependency, new: Version) -> str:
    """Replace the pinned version's characters only (``== 1.0`` keeps its space)."""
    if dependency.pinned_version is None:
        return f"=={new}" if dependency.style is SpecStyle.PEP440 else str(new)
    match = _CLAUSE.search(dependency.spec_text)
    assert match is not None
    text = dependency.spec_text
    return text[: match.start("version")] + str(new) + text[match.end("version") :]


def _rewrite_clauses(text: str, new: Version, bump: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        operator = match.group("op") or ""
        old = match.group("version")
        if not bump and operator in _IMPLIED_CEILING and not _clause_allows(operator, old, new):
            level = 0 if operator == "^" else max(len(old.split(".")) - 2, 0)
            return f">={old},<{bump_at(new, level, 1 if operator == '^' else level + 1)}"
        return f"{operator}{_clause_version(operator, old, new, bump)}"

    return _CLAUSE.sub(replace, text)


def _clause_allows(operator: str, old: str, new: Version) -> bool:
    if operator in ("^", "~"):
        return poetry_to_specifier(f"{operator}{old}").contains(new, prereleases=True)
    return SpecifierSet(f"{operator}{old}").contains(new, prereleases=True)


def _clause_version(operator: str, old: str, new: Version, bump: bool) -> str:
    if old == "*" or operator == "!=":
        return old
    try:
        old_version = Version(old.removesuffix(".*"))
    except InvalidVersion:
        return old
    if operator in ("<", "<="):
        if SpecifierSet(f"{operator}{old}").contains(new, prereleases=True):
            return old
        if operator == "<=":
            return str(new)
        level, length = precision_level(old)
        return bump_at(new, level, length)
    if operator in _LOWER and old.endswith(".*"):
        length = len(old.removesuffix(".*").split("."))
        return with_precision(new, length) + ".*"
    if bump and operator in _LOWER and old_version < new:
        return with_precision(new, len(old.split("."))) if operator == "~=" else str(new)
    return old
