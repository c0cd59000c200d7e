"""Cheap checks that pick the rules worth a libcst parse of a file.

Stage 1 looks for each rule's needles in the raw bytes. Stage 2, only for files that pass
stage 1 with a rule declaring ``uses``/``attrs``, parses the file with the stdlib ``ast``
(much faster than libcst) and keeps the rules whose qualified names the file reaches through
its imports, ignoring scopes. Both stages may keep a file that turns out to need nothing (the
libcst rules decide exactly); neither may drop a file a rule would change.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from codemods.base import ProjectFacts, Rule


@dataclass(frozen=True)
class Survey:
    """The qualified names a file reaches through imports, and every identifier it spells."""

    uses: frozenset[str]
    names: frozenset[str]
    calls: frozenset[tuple[str, str]]
    """(qualified name of the called function, keyword argument) for every keyword passed."""
    methods: frozenset[str]
    """Names of methods called on objects (``x.warn(...)``, not ``warnings.warn(...)``)."""


def import_bindings(nodes: list[ast.AST]) -> dict[str, str]:
    """Local name → qualified name of every absolute import among ``nodes`` (scopes ignored)."""
    bindings: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bindings[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bindings[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                bindings[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bindings


def survey(tree: ast.AST) -> Survey:
    uses: set[str] = set()
    names: set[str] = set()
    nodes = list(ast.walk(tree))
    bindings = import_bindings(nodes)
    for node in nodes:
        if isinstance(node, ast.Import):
            uses.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                uses.add(f"{node.module}.{alias.name}")
                names.add(alias.name)
    calls: set[tuple[str, str]] = set()
    methods: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Call):
            func = node.func
            callee: str | None = None
            if isinstance(func, ast.Attribute):
                callee = dotted_name(func, bindings)
                if callee is None:
                    methods.add(func.attr)
            elif isinstance(func, ast.Name):
                callee = bindings.get(func.id)
            if callee is not None:
                calls.update((callee, k.arg) for k in node.keywords if k.arg)
        if isinstance(node, ast.Name):
            names.add(node.id)
            if node.id in bindings:
                uses.add(bindings[node.id])
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            dotted = dotted_name(node, bindings)
            if dotted is not None:
                uses.add(dotted)
    return Survey(frozenset(uses), frozenset(names), frozenset(calls), frozenset(methods))


def dotted_name(node: ast.Attribute, bindings: dict[str, str]) -> str | None:
    """The qualified name of ``a.b.c`` when ``a`` is bound by an import."""
    parts = [node.attr]
    value = node.value
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if not isinstance(value, ast.Name) or value.id not in bindings:
        return None
    return ".".join([bindings[value.id], *reversed(parts)])


def by_text(data: bytes, rules: Sequence[type[Rule]], facts: ProjectFacts) -> list[type[Rule]]:
    """Stage 1: the rules whose needles occur in the file's bytes."""
    return [rule for rule in rules if rule.wants(data, facts)]


def by_ast(source: str, rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    """Stage 2: of those, the rules whose names the file reaches (all when it does not parse)."""
    if not any(rule.ast_uses() or rule.info.attrs for rule in rules):
        return list(rules)
    try:
        found = survey(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return list(rules)  # libcst will report the problem precisely
    return [rule for rule in rules if rule.reaches(found)]
