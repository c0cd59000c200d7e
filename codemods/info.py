"""What a codemod rule is, as data: its metadata, a place it matched, the project's facts.

Nothing here imports libcst: a scan whose results are all cached reads the rules' metadata
(`codemods.catalog`) and their text pre-filters (`codemods.text_filters`) without paying for
the libcst import, which only the rules themselves (`codemods.base.Rule`) need.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Safety(StrEnum):
    """How much a rewrite can change behaviour.

    ``safe``: same behaviour on every supported version. ``conditional``: same behaviour under a
    stated assumption a reviewer must check. ``report-only``: no mechanical fix; reported only.
    """

    SAFE = "safe"
    CONDITIONAL = "conditional"
    REPORT_ONLY = "report-only"


@dataclass(frozen=True)
class Applies:
    """Where a rule's replacement is valid.

    ``python``: the oldest target Python on which the replacement exists (``None``: any Python
    3). ``library``: a distribution that must be declared in the repository's manifests, whose
    lowest allowed version must satisfy the PEP 440 specifier ``versions`` ("" means any).
    """

    python: str | None = None
    library: str | None = None
    versions: str = ""

    def describe(self) -> str:
        if self.library is not None:
            return f"{self.library} {self.versions}".rstrip() if self.versions else self.library
        return f"Python >= {self.python}" if self.python else "Python 3"


@dataclass(frozen=True)
class RuleInfo:
    """The metadata of one rule, as shown by `maintainer codemods list` and in PR bodies."""

    id: str
    name: str
    family: str
    summary: str
    replaces: str
    replacement: str
    applies: Applies
    deprecated_since: str
    removed_in: str | None
    safety: Safety
    link: str
    needles: tuple[str, ...]
    """Byte strings of which at least one must occur in a file for the rule to look at it."""
    requires_any: tuple[str, ...] = ()
    """Extra byte strings of which at least one must also occur (an AND with ``needles``)."""
    risk_note: str = ""
    """For conditional rules: the assumption a reviewer must check."""
    uses: tuple[str, ...] = ()
    """Qualified names of which the file must reach one through its imports (ast pre-filter)."""
    attrs: tuple[str, ...] = ()
    """Identifiers of which the file must spell one (ast pre-filter)."""
    text_filter: str = ""
    """A sharper text pre-filter than the needles, by name in `codemods.text_filters`."""
    text_values: tuple[str, ...] = ()
    """What that pre-filter looks for (its meaning is the pre-filter's)."""
    ast_filter: str = ""
    """A sharper ``ast`` pre-filter than ``uses``/``attrs``, by name in `codemods.prefilter`."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"MB\d{3}", self.id):
            raise ValueError(f"rule id {self.id!r} must look like MB101")
        if not self.needles:
            raise ValueError(f"{self.id}: a rule needs at least one pre-filter needle")


@dataclass(frozen=True)
class Hit:
    """One place a rule matched: the code before and after (``after`` empty for report-only)."""

    rule_id: str
    line: int
    before: str
    after: str
    advice: str = ""
    """What to do by hand, when this place needs something other than the rule's replacement."""


@dataclass(frozen=True)
class PydanticModel:
    """A pydantic model class defined in the repository, with the method names it defines."""

    qualified_name: str
    defines: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProjectFacts:
    """Repository-wide facts a rule may need beyond one file (computed once per scan)."""

    pydantic_models: Mapping[str, PydanticModel] = field(default_factory=dict)
    python: str | None = None
    """The oldest Python the project declares (``None``: unknown, so no guard is obsolete)."""

    def fingerprint(self) -> str:
        parts = sorted(
            f"{m.qualified_name}:{','.join(sorted(m.defines))}"
            for m in self.pydantic_models.values()
        )
        return f"python={self.python};" + ";".join(parts)


def parse_python(version: str | None) -> tuple[int, int] | None:
    """``"3.8"`` → ``(3, 8)``; ``None`` for anything else."""
    if not version:
        return None
    parts = version.split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1])
