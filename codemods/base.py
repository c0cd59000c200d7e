"""What every codemod rule is: a libcst transformer with its metadata (`codemods.info`).

A rule is a ``libcst.CSTTransformer`` subclass with a class attribute ``info`` (its metadata;
its text pre-filter is `codemods.text_filters`, which needs only the metadata).
Rules never run alone over a module: `codemods.engine.run_rules` combines every applicable rule
into one pass over one parsed tree, so a rule's ``visit_*``/``leave_*`` methods must not return
``False`` from ``visit_*`` to prune children (other rules may need them).

Rules decide by qualified name (``QualifiedNameProvider`` and scope analysis), never by
spelling, and record every rewrite (or, for report-only rules, every finding) with `Rule.record`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider, ProviderT

from codemods.imports import ImportPlan
from codemods.info import Hit, ProjectFacts, RuleInfo


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


def _one_line(code: str) -> str:
    """A compact single-line rendering for location tables."""
    text = " ".join(part.strip() for part in code.strip().splitlines())
    return text if len(text) <= 120 else text[:117] + "..."
