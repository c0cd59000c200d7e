"""Remove dead definitions from one file, keeping everything else byte for byte.

Definitions go first, then the module-level imports that only the removed code used; a body
left empty gets ``pass``. The result must compile, or the file is not changed at all. Whole
statements on lines of their own are cut by line range (`lines`); libcst (`cstremove`, imported
only when needed: it takes a second to load) edits the rest.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from app.deadcode.lines import remove_lines


@dataclass(frozen=True)
class Target:
    """One definition to remove: its name, enclosing class (or ``""``) and first code line."""

    name: str
    parent: str
    line: int


class RemovalFailed(Exception):
    """The edited file would not compile (or a target was not found): nothing is written."""


def remove(
    source: str, path: str, targets: Sequence[Target], unused_imports: Collection[str] = ()
) -> str:
    """The text of ``source`` without ``targets``; raises `RemovalFailed`.

    ``unused_imports`` are the module-level import bindings nothing outside the removed code
    uses (the index knows about re-exports, this file alone does not): of these, the ones the
    removed code used and the remaining code does not are removed too.
    """
    fast = remove_lines(source, [(t.name, t.line) for t in targets], unused_imports)
    if fast is not None:
        result, top_level, orphans = fast
        tree = _compiled(result, path)
        if tree is not None:
            _check_dangling(tree, top_level | orphans)
            return result
    from app.deadcode.cstremove import remove_with_libcst

    result, tree, orphans = remove_with_libcst(source, path, targets, unused_imports)
    _check_dangling(tree, {t.name for t in targets if not t.parent} | orphans)
    return result


def _compiled(text: str, path: str) -> ast.Module | None:
    try:
        tree = ast.parse(text, path)
        compile(tree, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    return tree


def _check_dangling(tree: ast.AST, removed: set[str]) -> None:
    dangling = sorted(_dangling(tree, removed))
    if dangling:
        shown = ", ".join(f"`{name}`" for name in dangling)
        raise RemovalFailed(f"the edited file would still use the removed {shown}")


def _dangling(tree: ast.AST, removed: set[str]) -> set[str]:
    """Removed names the remaining code still reads and nothing binds any more."""
    read: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add(node.asname or node.name.split(".", 1)[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return (read & removed) - bound
