"""Where a repository uses a distribution: every reference by qualified name, with its line.

Names are resolved through imports with the codemod pre-filter's resolution
(`app.import_resolution.bindings`), never by spelling: ``from jinja2 import Markup`` makes
``Markup`` mean ``jinja2.Markup``, ``import jinja2 as j`` makes ``j.escape`` mean
``jinja2.escape``. Calls keep their keyword names (removed keyword arguments) and positional
count. A local variable assigned from a call of an imported class (``env = Environment()``)
makes ``env.compile_templates(...)`` a call of ``jinja2.Environment.compile_templates``, within
the same function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.import_resolution import bindings
from app.snapshot import Snapshot
from codemods.prefilter import dotted_name

MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Reference:
    file: str
    line: int
    symbol: str
    called: bool = False
    keywords: tuple[str, ...] = ()
    positional: int = 0


@dataclass
class _Scope:
    instances: dict[str, str] = field(default_factory=dict)


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str, bindings: dict[str, str], roots: frozenset[str]) -> None:
        self.path = path
        self.bindings = {k: v for k, v in bindings.items() if v.split(".")[0] in roots}
        self.roots = roots
        self.scopes = [_Scope()]
        self.found: list[Reference] = []

    def _resolve(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            for scope in reversed(self.scopes):
                if node.id in scope.instances:
                    return scope.instances[node.id]
            return self.bindings.get(node.id)
        if isinstance(node, ast.Attribute):
            parts = [node.attr]
            value = node.value
            while isinstance(value, ast.Attribute):
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                for scope in reversed(self.scopes):
                    if value.id in scope.instances:
                        return ".".join([scope.instances[value.id], *reversed(parts)])
            return dotted_name(node, self.bindings)
        return None

    def _add(self, node: ast.AST, symbol: str, call: ast.Call | None = None) -> None:
        line = getattr(node, "lineno", 0)
        if call is None:
            self.found.append(Reference(self.path, line, symbol))
            return
        keywords = tuple(k.arg for k in call.keywords if k.arg)
        positional = sum(1 for a in call.args if not isinstance(a, ast.Starred))
        self.found.append(Reference(self.path, line, symbol, True, keywords, positional))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] in self.roots:
                self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module or node.module.split(".")[0] not in self.roots:
            return
        for alias in node.names:
            self._add(node, f"{node.module}.{alias.name}")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self.scopes.append(_Scope())
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)
        if isinstance(node.value, ast.Call):
            created = self._resolve(node.value.func)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    if created is not None and created.rsplit(".", 1)[-1][:1].isupper():
                        self.scopes[-1].instances[target.id] = created
                    else:
                        self.scopes[-1].instances.pop(target.id, None)

    def visit_Call(self, node: ast.Call) -> None:
        symbol = self._resolve(node.func)
        if symbol is not None:
            self._add(node, symbol, node)
            if isinstance(node.func, ast.Attribute):
                self._visit_chain_inside(node.func)
        else:
            self.visit(node.func)
        for argument in [*node.args, *node.keywords]:
            self.visit(argument)

    def _visit_chain_inside(self, node: ast.Attribute) -> None:
        value: ast.expr = node
        while isinstance(value, ast.Attribute):
            value = value.value
        if not isinstance(value, ast.Name):
            self.visit(value)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        symbol = self._resolve(node)
        if symbol is not None:
            self._add(node, symbol)
        else:
            self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            symbol = self._resolve(node)
            if symbol is not None:
                self._add(node, symbol)


def references_in(path: str, source: str | bytes, roots: Iterable[str]) -> list[Reference]:
    """Every reference of ``source`` to a module under one of ``roots``."""
    wanted = frozenset(roots)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    bound = bindings(ast.walk(tree))
    if not any(v.split(".")[0] in wanted for v in bound.values()):
        return []
    finder = _Finder(path, bound, wanted)
    try:
        finder.visit(tree)
    except RecursionError:
        return []
    return finder.found


class ReferenceIndex:
    """References of one snapshot, parsed lazily per set of top-level modules."""

    def __init__(self, snapshot: Snapshot, paths: Sequence[str] | None = None) -> None:
        self.snapshot = snapshot
        self.paths = list(paths) if paths is not None else list(snapshot.python_files())
        self._data: dict[str, bytes] = {}
        self._cache: dict[frozenset[str], list[Reference]] = {}

    def _bytes(self, path: str) -> bytes:
        if path not in self._data:
            try:
                data = self.snapshot.read_bytes(path)
            except OSError:
                data = b""
            self._data[path] = data if len(data) <= MAX_FILE_BYTES else b""
        return self._data[path]

    def of(self, roots: Iterable[str]) -> list[Reference]:
        wanted = frozenset(roots)
        if wanted not in self._cache:
            needles = [root.encode() for root in wanted]
            found: list[Reference] = []
            for path in self.paths:
                data = self._bytes(path)
                if any(needle in data for needle in needles):
                    found.extend(references_in(path, data, wanted))
            self._cache[wanted] = found
        return self._cache[wanted]
