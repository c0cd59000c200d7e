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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

RANKS: tuple[tuple[int, str], ...] = ((5, "A"), (10, "B"), (20, "C"), (30, "D"), (40, "E"))
POOR_RANKS = frozenset({"D", "E", "F"})
MAX_SOURCE_BYTES = 2_000_000
"""Larger files are generated code: not measured."""

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_NESTING = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Try,
    ast.TryStar,
    ast.With,
    ast.AsyncWith,
    ast.Match,
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
    found: list[FunctionComplexity] = []
    try:
        _collect(tree.body, "", found)
    except RecursionError as exc:
        raise Unmeasurable("nested too deeply") from exc
    found.sort(key=lambda f: f.line)
    return FileComplexity(lines, tuple(found))


def _collect(body: Sequence[ast.stmt], prefix: str, found: list[FunctionComplexity]) -> None:
    for node in body:
        if isinstance(node, _FUNCTIONS):
            found.append(_function(node, prefix, found))
        elif isinstance(node, ast.ClassDef):
            _collect(node.body, f"{prefix}{node.name}.", found)
        else:
            for block in _nested_blocks(node):
                _collect([block], prefix, found)


_Block = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _nested_blocks(node: ast.AST) -> Iterable[_Block]:
    """Definitions inside a statement (e.g. under ``if TYPE_CHECKING:``), outermost only."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if isinstance(child, _BLOCKS):
            yield child
        else:
            stack.extend(ast.iter_child_nodes(child))


def _function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, prefix: str, found: list[FunctionComplexity]
) -> FunctionComplexity:
    name = f"{prefix}{node.name}"
    counter = _Counter()
    for child in node.body:
        counter.walk(child, 0)
    nested_lines = 0
    for block in counter.blocks:
        nested_lines += (block.end_lineno or block.lineno) - block.lineno + 1
        _collect([block], f"{name}.", found)
    end = node.end_lineno or node.lineno
    return FunctionComplexity(
        name=name,
        line=node.lineno,
        end_line=end,
        complexity=1 + counter.decisions,
        own_lines=max(end - node.lineno + 1 - nested_lines, 1),
        branches=counter.decisions,
        max_nesting=counter.max_depth,
    )


class _Counter:
    """Decision points of one function body, not descending into nested definitions."""

    __slots__ = ("blocks", "decisions", "max_depth")

    def __init__(self) -> None:
        self.decisions = 0
        self.max_depth = 0
        self.blocks: list[_Block] = []

    def walk(self, node: ast.AST, depth: int) -> None:
        if isinstance(node, _BLOCKS):
            self.blocks.append(node)
            return
        self.decisions += _decisions(node)
        if isinstance(node, ast.Assert):
            return  # radon counts an assert as one and does not look inside it
        if isinstance(node, _NESTING):
            depth += 1
            if depth > self.max_depth:
                self.max_depth = depth
        for child in ast.iter_child_nodes(node):
            self.walk(child, depth)


def _decisions(node: ast.AST) -> int:
    if isinstance(node, (ast.If, ast.IfExp)):
        return 1
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        return 1 + bool(node.orelse)
    if isinstance(node, (ast.Try, ast.TryStar)):
        return len(node.handlers) + bool(node.orelse)
    if isinstance(node, ast.BoolOp):
        return len(node.values) - 1
    if isinstance(node, ast.comprehension):
        return 1 + len(node.ifs)
    if isinstance(node, ast.Assert):
        return 1
    if isinstance(node, ast.Match):
        return sum(1 for case in node.cases if not _wildcard(case.pattern))
    return 0


def _wildcard(pattern: ast.pattern) -> bool:
    """``case _:`` (or ``case name:``): radon does not count the catch-all case."""
    return isinstance(pattern, ast.MatchAs) and pattern.pattern is None
