"""Which rules apply: the target Python, the library versions the manifests allow, the config.

A library rule applies when its library is declared in a manifest and the *lowest* version
every declaration allows satisfies the rule's range (a pin is its own lowest version). A
declaration without a lower bound (``numpy<2`` or just ``numpy``) counts as "any version":
it satisfies rules with no range and fails rules that need one (``pydantic>=2``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from app.manifests.base import Dependency, ManifestParse, canonical
from codemods.info import RuleInfo

_LOWER_BOUNDS = frozenset({">=", ">", "==", "===", "~="})


def lowest_allowed(dependency: Dependency) -> Version | None:
    """The smallest version a dependency's specifier lets through, if it has a lower bound."""
    if dependency.pinned_version is not None:
        return dependency.pinned_version
    floors = []
    for clause in dependency.specifier:
        if clause.operator in _LOWER_BOUNDS and "*" not in clause.version:
            try:
                floors.append(Version(clause.version))
            except InvalidVersion:
                continue
    return max(floors) if floors else None


def declared_versions(manifests: Iterable[ManifestParse]) -> dict[str, list[Version | None]]:
    """Canonical name → the lowest allowed version of each declaration (``None``: unbounded)."""
    found: dict[str, list[Version | None]] = {}
    for manifest in manifests:
        for dependency in manifest.dependencies:
            found.setdefault(canonical(dependency.name), []).append(lowest_allowed(dependency))
    return found


def rule_applies(
    rule: RuleInfo, target_python: str, libraries: dict[str, list[Version | None]]
) -> bool:
    applies = rule.applies
    if applies.python is not None:
        try:
            if Version(target_python) < Version(applies.python):
                return False
        except InvalidVersion:
            return False
    if applies.library is None:
        return True
    floors = libraries.get(canonical(applies.library))
    if not floors:
        return False
    if not applies.versions:
        return True
    try:
        wanted = SpecifierSet(applies.versions)
    except InvalidSpecifier:
        return False
    return all(f is not None and wanted.contains(f, prereleases=True) for f in floors)


def applicable(
    rules: Sequence[RuleInfo], target_python: str, manifests: Iterable[ManifestParse]
) -> list[RuleInfo]:
    libraries = declared_versions(manifests)
    return [rule for rule in rules if rule_applies(rule, target_python, libraries)]
