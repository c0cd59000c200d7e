"""Locating a version specifier inside a PEP 508 requirement string."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

_HEAD = re.compile(
    r"""^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*
        (?P<extras>\[[^\]]*\])?\s*""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class LocatedRequirement:
    requirement: Requirement
    spec_start: int
    spec_text: str


class RequirementSyntaxError(ValueError):
    pass


def locate_requirement(text: str) -> LocatedRequirement | None:
    """Parse a PEP 508 string; return where its version specifier sits within ``text``.

    Returns ``None`` for direct references (``name @ url``), which carry no version to update.
    """
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise RequirementSyntaxError(str(exc).splitlines()[0]) from exc
    if requirement.url:
        return None
    head = _HEAD.match(text)
    if head is None:
        raise RequirementSyntaxError(f"cannot find the package name in {text!r}")
    start = head.end()
    end = text.find(";", start)
    end = len(text) if end == -1 else end
    spec = text[start:end].rstrip()
    if spec.startswith("(") and spec.endswith(")"):
        start += 1
        spec = spec[1:-1]
    # Trailing blanks stay outside the span so a rewrite never eats the space before `;`.
    stripped = spec.rstrip()
    return LocatedRequirement(requirement, start, stripped)
