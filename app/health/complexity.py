"""Cyclomatic complexity per function from the stdlib `ast`, counted as radon counts it.

A function starts at 1 and gains one for each ``if``/``elif``/conditional expression, loop
(plus one for its ``else``), ``except`` handler (plus one for a ``try`` ``else``), boolean
operator operand beyond the first, comprehension ``for`` and its ``if`` clauses, ``assert``,
and ``match`` case but the catch-all. Nested functions and classes are their own blocks:
their decisions do not count in the enclosing function (radon's rule since its issue #68).
Ranks are radon's.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RANKS: tuple[tuple[int, str], ...] = ((5, "A"), (10, "B"), (20, "C"), (30, "D"), (40, "E"))
POOR_RANKS = frozenset({"D", "E", "F"})
MAX_SOURCE_BYTES = 2_000_000
"""Larger files are generated code: not measured."""

_NESTING: frozenset[type] = frozenset(
    {
        ast.If,
        ast.For,
        ast.AsyncFor,
        ast.While,
        ast.Try,
        ast.TryStar,
        ast.With,
        ast.AsyncWith,
        ast.Match,
    }
)


def rank(complexity: int) -> str:
    """Radon's letter: A 1-5, B 6-10, C 11-20, D 21-30, E 31-40, F 41 and above."""
    for bound, letter in RANKS:
        if complexity <= bound:
            return letter
    return "F"


@dataclass(frozen=True)
class FunctionComplexity:
    name: str
    """Qualified within the file: ``Class.method``, ``outer.inner``."""
    line: int
    end_line: int
    complexity: int
    own_lines: int
    """Lines of the function not inside a nested function or class (no line counted twice)."""
    branches: int
    """Decision points (complexity minus one)."""
    max_nesting: int
    """Deepest nesting of compound statements inside the body."""

    @property
    def rank(self) -> str:
        return rank(self.complexity)

    @property
    def length(self) -> int:
        return self.end_line - self.line + 1


@dataclass(frozen=True)
class FileComplexity:
    """One source file's functions and code lines (non-blank, non-comment)."""

    lines: int
    functions: tuple[FunctionComplexity, ...]

    @property
    def mean(self) -> float:
        """Line-weighted mean complexity of the file's functions (0.0 without functions)."""
        weight = sum(f.own_lines for f in self.functions)
        if not weight:
            return 0.0
        return sum(f.complexity * f.own_lines for f in self.functions) / weight

    @property
    def worst(self) -> FunctionComplexity | None:
        return max(self.functions, key=lambda f: (f.complexity, -f.line), default=None)

    @property
    def poor_lines(self) -> int:
        """Lines in functions ranked D or worse."""
        return sum(f.own_lines for f in self.functions if f.rank in POOR_RANKS)


class Unmeasurable(ValueError):
    """The file is not Python this interpreter parses (syntax error, too large, too deep)."""


def code_lines(text: str) -> int:
    count = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            count += 1
    return count


def measure(source: str | bytes, filename: str = "<file>") -> FileComplexity:
    """The complexity of every function of one source file (raises `Unmeasurable`)."""
    if len(source) > MAX_SOURCE_BYTES:
        raise Unmeasurable(f"{filename}: {len(source)} bytes, over {MAX_SOURCE_BYTES}")
    try:
        tree = ast.parse(source, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise Unmeasurable(f"{filename}: cannot parse: {reason}") from exc
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    return from_tree(tree, code_lines(text))


def from_tree(tree: ast.Module, lines: int) -> FileComplexity:
    """The complexity of every function of a parsed module (the scan's one parse)."""
    return analyse(tree, lines)[0]


ImportNode = ast.Import | ast.ImportFrom


def analyse(tree: ast.Module, lines: int) -> tuple[FileComplexity, list[ImportNode]]:
    """Complexity of every function and every import statement, in one walk of the tree."""
    walker = _Walker()
    try:
        for node in tree.body:
            walker.visit(node, None, 0, "")
    except RecursionError as exc:
        raise Unmeasurable("nested too deeply") from exc
    walker.found.sort(key=lambda f: f.line)
    return FileComplexity(lines, tuple(walker.found)), walker.imports


_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "kind"})
_LEAVES = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.cmpop, ast.unaryop)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    fields = _FIELDS.get(kind)
    if fields is None:
        if issubclass(kind, _LEAVES):
            fields = ()
        else:
            fields = tuple(f for f in kind._fields if f not in _SKIPPED_FIELDS)  # type: ignore[attr-defined]
        _FIELDS[kind] = fields
    return fields


class _Frame:
    """The function being measured."""

    __slots__ = ("decisions", "max_depth", "nested_lines")

    def __init__(self) -> None:
        self.decisions = 0
        self.max_depth = 0
        self.nested_lines = 0


class _Walker:
    __slots__ = ("found", "imports")

    def __init__(self) -> None:
        self.found: list[FunctionComplexity] = []
        self.imports: list[ImportNode] = []

    def visit(self, node: ast.AST, frame: _Frame | None, depth: int, prefix: str) -> None:
        kind = type(node)
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            self._function(node, frame, prefix)  # type: ignore[arg-type]
            return
        if kind is ast.ClassDef:
            assert isinstance(node, ast.ClassDef)
            if frame is not None:
                frame.nested_lines += _span(node)
            for child in node.body:
                self.visit(child, None, 0, f"{prefix}{node.name}.")
            return
        if kind is ast.Import or kind is ast.ImportFrom:
            self.imports.append(node)  # type: ignore[arg-type]
            return
        if frame is not None:
            decide = _DECISIONS.get(kind)
            if decide is not None:
                frame.decisions += decide(node)
                if kind is ast.Assert:
                    return  # radon counts an assert as one and does not look inside it
            if kind in _NESTING:
                depth += 1
                if depth > frame.max_depth:
                    frame.max_depth = depth
        for field in _fields(kind):
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item, frame, depth, prefix)
            elif isinstance(value, ast.AST):
                self.visit(value, frame, depth, prefix)

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, parent: _Frame | None, prefix: str
    ) -> None:
        if parent is not None:
            parent.nested_lines += _span(node)
        name = f"{prefix}{node.name}"
        frame = _Frame()
        for child in node.body:
            self.visit(child, frame, 0, f"{name}.")
        end = node.end_lineno or node.lineno
        self.found.append(
            FunctionComplexity(
                name=name,
                line=node.lineno,
                end_line=end,
                complexity=1 + frame.decisions,
                own_lines=max(end - node.lineno + 1 - frame.nested_lines, 1),
                branches=frame.decisions,
                max_nesting=frame.max_depth,
            )
        )


def _span(node: ast.stmt) -> int:
    return (node.end_lineno or node.lineno) - node.lineno + 1


def _wildcard(pattern: ast.pattern) -> bool:
    """``case _:`` (or ``case name:``): radon does not count the catch-all case."""
    return isinstance(pattern, ast.MatchAs) and pattern.pattern is None


def _loop(node: ast.For | ast.AsyncFor | ast.While) -> int:
    return 1 + bool(node.orelse)


def _try(node: ast.Try | ast.TryStar) -> int:
    return len(node.handlers) + bool(node.orelse)


_DECISIONS: dict[type, Callable[[Any], int]] = {
    ast.If: lambda node: 1,
    ast.IfExp: lambda node: 1,
    ast.For: _loop,
    ast.AsyncFor: _loop,
    ast.While: _loop,
    ast.Try: _try,
    ast.TryStar: _try,
    ast.BoolOp: lambda node: len(node.values) - 1,
    ast.comprehension: lambda node: 1 + len(node.ifs),
    ast.Assert: lambda node: 1,
    ast.Match: lambda node: sum(1 for case in node.cases if not _wildcard(case.pattern)),
}
