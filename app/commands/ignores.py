"""Ignore scopes as version specifiers, and the ignore table's rows."""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from app.commands.grammar import Scope
from app.commands.situation import IgnoreView
from app.model import Change


class ScopeError(ValueError):
    """The proposed version cannot express the asked scope (not a PEP 440 version)."""


def scope_versions(scope: Scope, change: Change | None) -> tuple[str, ...]:
    """The specifiers an ignore of `scope` stores; `()` means every version."""
    if scope is Scope.DEPENDENCY:
        return ()
    if change is None:
        raise ScopeError("this pull request proposes no version to scope the ignore to")
    try:
        version = Version(change.to_version)
    except InvalidVersion:
        raise ScopeError(f"{change.to_version!r} is not a version I can scope") from None
    major, minor, patch = (*version.release, 0, 0)[:3]
    if scope is Scope.MAJOR:
        return (f"=={major}.*",)
    if scope is Scope.MINOR:
        return (f"=={major}.{minor}.*",)
    return (f"=={major}.{minor}.{patch}" if len(version.release) <= 3 else f"=={version}",)


def already_ignored(
    ignores: tuple[IgnoreView, ...], package: str, versions: tuple[str, ...]
) -> bool:
    """An identical or wider ignore of `package` exists (a whole-package one covers all)."""
    for rule in ignores:
        if rule.package.lower() != package.lower() or rule.update_types:
            continue
        if not rule.versions or rule.versions == versions:
            return True
    return False


def scope_label(scope: Scope, versions: tuple[str, ...]) -> str:
    if scope is Scope.DEPENDENCY:
        return "every version"
    return f"{scope.value} version {versions[0].removeprefix('==')}"
