"""Run many rules over one parsed file: one parse, one metadata resolution, one pass per batch.

`fix_source` is pure (text in, text out): the runner in `app.deprecations` adds files,
pre-filtering, processes and the cache around it.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.helpers import ModuleNameAndPackage
from libcst.metadata import FullyQualifiedNameProvider, MetadataWrapper, ProviderT

from codemods.base import Rule, RuleRun
from codemods.facts import ModuleName
from codemods.facts import module_name as module_name_of
from codemods.guards import GuardFinder, scope_resolver
from codemods.imports import finish_block, finish_module
from codemods.info import Hit, ProjectFacts

Visit = Callable[[cst.CSTNode], object]
Leave = Callable[[cst.CSTNode, cst.CSTNode], object]


@functools.cache
def _hooks(rule_class: type[Rule]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The node types whose ``visit_``/``leave_`` methods a rule class overrides."""
    visits: list[str] = []
    leaves: list[str] = []
    for attribute in dir(rule_class):
        prefix, _, node = attribute.partition("_")
        if prefix not in ("visit", "leave") or not node or "_" in node:
            continue
        if getattr(rule_class, attribute) is getattr(cst.CSTTransformer, attribute, None):
            continue
        (visits if prefix == "visit" else leaves).append(node)
    return tuple(visits), tuple(leaves)


class Combined(cst.CSTTransformer):
    """Dispatches each node to every rule that handles its type, in rule order.

    When a rule's ``leave_`` returns a node of another type (or removes it), the later rules
    do not see that node: the first rewrite wins. Nodes inside a compatibility guard
    (`codemods.guards`) go only to rules with ``sees_guards`` set: a fallback arm is left
    alone.
    """

    def __init__(self, rules: Sequence[Rule], guards: GuardFinder, run: RuleRun) -> None:
        super().__init__()
        self._guards = guards
        self._run = run
        self._open: list[int] = []
        self._visits: dict[str, list[Visit]] = defaultdict(list)
        self._leaves: dict[str, list[Leave]] = defaultdict(list)
        self._guarded_visits: dict[str, list[Visit]] = defaultdict(list)
        self._guarded_leaves: dict[str, list[Leave]] = defaultdict(list)
        for rule in rules:
            visits, leaves = _hooks(type(rule))
            for node in visits:
                self._visits[node].append(getattr(rule, f"visit_{node}"))
                if rule.sees_guards:
                    self._guarded_visits[node].append(getattr(rule, f"visit_{node}"))
            for node in leaves:
                self._leaves[node].append(getattr(rule, f"leave_{node}"))
                if rule.sees_guards:
                    self._guarded_leaves[node].append(getattr(rule, f"leave_{node}"))

    def on_visit(self, node: cst.CSTNode) -> bool:
        visits = self._guarded_visits if self._open else self._visits
        for visit in visits.get(type(node).__name__, ()):
            visit(node)
        if isinstance(node, cst.If | cst.Try) and self._guards.is_guard(node):
            self._open.append(id(node))
        return True

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> object:  # type: ignore[override]
        if self._open and self._open[-1] == id(original_node):
            self._open.pop()
        result: object = updated_node
        kind = type(original_node)
        leaves = self._guarded_leaves if self._open else self._leaves
        for leave in leaves.get(kind.__name__, ()):
            result = leave(original_node, result)  # type: ignore[arg-type]
            if type(result) is not kind:
                break
        if isinstance(original_node, cst.IndentedBlock) and isinstance(result, cst.IndentedBlock):
            body = finish_block(self._run, original_node.body, result.body)
            if body is not None:
                result = result.with_changes(body=body)
        elif isinstance(original_node, cst.Module) and isinstance(result, cst.Module):
            result = finish_module(self._run, original_node, result)
        return result

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None


@dataclass(frozen=True)
class BatchOutput:
    """The result of one batch of rules on one file: new text (``None``: unchanged)."""

    new_text: str | None
    error: str | None = None


@dataclass(frozen=True)
class FileOutcome:
    hits: tuple[Hit, ...] = ()
    batches: Mapping[str, BatchOutput] = field(default_factory=dict)


class Parsed:
    """One parsed file and its metadata, shared by every batch of rules run on it."""

    def __init__(self, source: str, module_name: ModuleName) -> None:
        self.source = source
        self.is_package = bool(module_name.name) and module_name.name == module_name.package
        self.package = module_name.name.split(".")[0]
        module = cst.parse_module(source)
        qualified = ModuleNameAndPackage(module_name.name, module_name.package)
        cache: dict[ProviderT, object] = {FullyQualifiedNameProvider: qualified}
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True, cache=cache)

    def run(
        self, rules: Sequence[type[Rule]], facts: ProjectFacts, filename: str
    ) -> tuple[list[Hit], BatchOutput]:
        run = RuleRun(
            wrapper=self.wrapper,
            facts=facts,
            context=CodemodContext(),
            active=frozenset(rule.info.id for rule in rules),
            is_package=self.is_package,
            package=self.package,
        )
        instances = [rule(run) for rule in rules]
        for instance in instances:
            providers: set[ProviderT] = set(instance.get_inherited_dependencies())
            instance.metadata = self.wrapper.resolve_many(providers)
        guards = GuardFinder(scope_resolver(self.wrapper))
        transformed = self.wrapper.module.visit(Combined(instances, guards, run))
        if not run.hits:
            return [], BatchOutput(None)
        new_text = transformed.code
        if new_text == self.source:
            return run.hits, BatchOutput(None)
        try:
            compile(new_text, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            return run.hits, BatchOutput(None, f"rewritten code does not compile: {exc}")
        return run.hits, BatchOutput(new_text)


def fix_source(
    source: str,
    batches: Mapping[str, Sequence[type[Rule]]],
    facts: ProjectFacts,
    filename: str = "<unknown>",
    module_name: ModuleName | None = None,
) -> FileOutcome:
    """Run each batch of rules on ``source``; raises libcst's ``ParserSyntaxError``.

    The file is parsed once and its metadata resolved once; each batch then makes one pass
    over that same tree, so every batch gets a text of its own (one proposal per batch). A
    batch without hits costs only its pass: imports are fixed and the output compiled only
    for batches that changed something.
    """
    parsed = Parsed(source, module_name or module_name_of(filename))
    hits: list[Hit] = []
    outputs: dict[str, BatchOutput] = {}
    for name, rules in batches.items():
        batch_hits, output = parsed.run(rules, facts, filename)
        if batch_hits:
            hits.extend(batch_hits)
            outputs[name] = output
    return FileOutcome(tuple(sorted(hits, key=lambda h: (h.line, h.rule_id))), outputs)
