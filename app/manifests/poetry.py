"""Poetry's version constraints (caret, tilde, wildcard, exact) translated to PEP 440."""

from __future__ import annotations

import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

_OPERATOR = re.compile(r"^(\^|~(?!=)|==|!=|>=|<=|~=|>|<|=)?\s*(.+)$")


class PoetryConstraintError(ValueError):
    pass


def poetry_to_specifier(constraint: str) -> SpecifierSet:
    """``^1.2.3`` → ``>=1.2.3,<2.0.0``; ``~1.2`` → ``>=1.2,<1.3``; ``1.2`` → ``==1.2``."""
    constraint = constraint.strip()
    if constraint in ("*", ""):
        return SpecifierSet()
    if "||" in constraint:
        raise PoetryConstraintError(f"alternatives ('||') are not supported: {constraint!r}")
    parts: list[str] = []
    for piece in re.split(r"\s*,\s*|\s+(?=[<>=!^~])", constraint):
        parts.extend(_translate(piece))
    try:
        return SpecifierSet(",".join(parts))
    except InvalidSpecifier as exc:
        raise PoetryConstraintError(f"invalid constraint {constraint!r}") from exc


def _translate(piece: str) -> list[str]:
    match = _OPERATOR.match(piece.strip())
    if match is None:
        raise PoetryConstraintError(f"invalid constraint {piece!r}")
    operator, raw = match.group(1) or "", match.group(2).strip()
    if raw.endswith(".*") or raw == "*":
        return [f"=={raw}"] if raw != "*" else []
    try:
        version = Version(raw)
    except InvalidVersion as exc:
        raise PoetryConstraintError(f"invalid version {raw!r}") from exc
    if operator == "^":
        return [f">={raw}", f"<{caret_ceiling(version)}"]
    if operator == "~":
        return [f">={raw}", f"<{tilde_ceiling(version)}"]
    if operator in ("", "="):
        return [f"=={raw}"]
    return [f"{operator}{raw}"]


def caret_ceiling(version: Version) -> str:
    release = list(version.release)
    for index, part in enumerate(release):
        if part != 0 or index == len(release) - 1:
            return ".".join(str(p) for p in [*release[:index], part + 1])
    return "1"


def tilde_ceiling(version: Version) -> str:
    release = list(version.release)
    if len(release) == 1:
        return str(release[0] + 1)
    return f"{release[0]}.{release[1] + 1}"


def is_poetry_exact(constraint: str) -> bool:
    constraint = constraint.strip()
    return bool(re.fullmatch(r"(==|=)?\s*\d[\w.+!-]*", constraint)) and "*" not in constraint
