"""What every codemod rule is: metadata, a cheap text pre-filter, and a libcst transformer.

A rule is a ``libcst.CSTTransformer`` subclass with a class attribute ``info`` (its metadata).
Rules never run alone over a module: `codemods.engine.run_rules` combines every applicable rule
into one pass over one parsed tree, so a rule's ``visit_*``/``leave_*`` methods must not return
``False`` from ``visit_*`` to prune children (other rules may need them).

Rules decide by qualified name (``QualifiedNameProvider`` and scope analysis), never by
spelling, and record every rewrite (or, for report-only rules, every finding) with `Rule.record`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.imports import ImportPlan

if TYPE_CHECKING:
    from codemods.prefilter import Survey

from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider, ProviderT


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


@dataclass
class RuleRun:
    """The mutable state shared by the rules of one pass over one file."""

    wrapper: MetadataWrapper
    facts: ProjectFacts
    context: CodemodContext = field(default_factory=CodemodContext)
    hits: list[Hit] = field(default_factory=list)
    dropped: dict[int, tuple[object, int]] = field(default_factory=dict)
    """Import bindings (by id) some of whose uses the rules removed: (assignment, uses removed)."""
    active: frozenset[str] = frozenset()
    is_package: bool = False
    """Whether the file is a package's ``__init__`` (its ``__name__`` names a package)."""
    package: str = ""
    """The top-level package the file belongs to (its imports are first-party)."""
    imports: ImportPlan = field(default_factory=ImportPlan)
    """The imports the rules asked for (`codemods.imports.want_import`)."""
    """The ids of the rules in this pass (a report rule skips what a rewriting rule fixes)."""


class Rule(cst.CSTTransformer):
    """Base class of every rule. Subclasses set ``info`` and implement ``visit_*``/``leave_*``."""

    info: ClassVar[RuleInfo]
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = ()
    sees_guards: ClassVar[bool] = False
    """Whether the rule is shown the nodes inside compatibility guards (`codemods.guards`);
    only the rule that removes obsolete guards is."""

    def __init__(self, run: RuleRun) -> None:
        super().__init__()
        self.run = run

    @property
    def context(self) -> CodemodContext:
        return self.run.context

    @classmethod
    def wants(cls, data: bytes, facts: ProjectFacts) -> bool:
        """The cheap text pre-filter: may this file contain something for this rule?"""
        needles, required = _encoded(cls.info)
        if not any(needle in data for needle in needles):
            return False
        return not required or any(word in data for word in required)

    @classmethod
    def reaches(cls, found: Survey, facts: ProjectFacts) -> bool:
        """The ast pre-filter: does the file reach one of ``uses`` and spell one of ``attrs``?

        Rules with a sharper test override this; it must never reject a file the rule would
        change.
        """
        uses = cls.ast_uses()
        if uses and uses.isdisjoint(found.uses):
            return False
        attrs = cls.info.attrs
        return not attrs or not found.names.isdisjoint(attrs)

    @classmethod
    def needs_survey(cls) -> bool:
        """Whether the ast pre-filter can reject files for this rule (else it is skipped)."""
        overridden = getattr(cls.reaches, "__func__", None) is not Rule.reaches.__func__  # type: ignore[attr-defined]
        return overridden or bool(cls.ast_uses() or cls.info.attrs)

    @classmethod
    def ast_uses(cls) -> frozenset[str]:
        """Qualified names for the ast pre-filter (`codemods.prefilter`); empty: no check."""
        return frozenset(cls.info.uses)

    def code(self, node: cst.CSTNode) -> str:
        return self.run.wrapper.module.code_for_node(node)

    def parent(self, node: cst.CSTNode | None) -> cst.CSTNode | None:
        """The parent of a node of the original tree (resolved only when a rule first asks:
        most files never need it)."""
        if node is None:
            return None
        return self.run.wrapper.resolve(ParentNodeProvider).get(node)

    def record(
        self, original: cst.CSTNode, after: cst.CSTNode | str | None, advice: str = ""
    ) -> None:
        """Note one rewrite of ``original`` into ``after`` (a node, or its code), or, with
        ``after=None``, a finding of a report-only rule (``advice``: what to do there, when it
        differs from the rule's replacement)."""
        position = self.run.wrapper.resolve(PositionProvider)[original]
        before = _one_line(self.code(original))
        if isinstance(after, cst.CSTNode):
            after = self.code(after)
        replaced = _one_line(after) if after is not None else ""
        self.run.hits.append(Hit(self.info.id, position.start.line, before, replaced, advice))


@functools.cache
def _encoded(info: RuleInfo) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    return tuple(n.encode() for n in info.needles), tuple(w.encode() for w in info.requires_any)


def _one_line(code: str) -> str:
    """A compact single-line rendering for location tables."""
    text = " ".join(part.strip() for part in code.strip().splitlines())
    return text if len(text) <= 120 else text[:117] + "..."
