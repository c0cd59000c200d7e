"""Remove whole definitions by their ``ast`` line ranges: the fast path of the removal codemod.

Exact only when every statement to remove occupies whole lines (nothing before it on its first
line, only a comment after it on its last), no block is left empty and every import it touches
goes whole. Otherwise `remove_lines` answers ``None`` and libcst does the edit. Blank lines
follow the libcst transformer's rule: a comment directly above a definition goes with it; the
next statement keeps as many blank lines above it as the removed one had (none when it becomes
the first of its block, none at the end of the file).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from app.deadcode.extract import IDENTIFIER_PATH, MAX_STRING

Statement = ast.stmt
BLOCK_FIELDS = ("body", "orelse", "finalbody")


@dataclass(frozen=True)
class _Place:
    block: list[ast.stmt]
    index: int
    in_scope: bool
    """Inside a function or class (imports there are never touched)."""


def remove_lines(
    source: str,
    targets: Iterable[tuple[str, int]],
    unused_imports: Collection[str],
) -> tuple[str, set[str], set[str]] | None:
    """``(new text, removed top-level names, removed imports)`` or ``None`` when not exact."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    places = _places(tree)
    wanted = set(targets)
    chosen: dict[int, Statement] = {}
    top_level: set[str] = set()
    for statement, place in ((s, places[id(s)]) for s in _statements(tree)):
        names = _defined(statement)
        hits = {(n, statement.lineno) for n in names} & wanted
        if not hits:
            continue
        if len(hits) != len(names):
            return None  # part of an import or of a multiple assignment: libcst
        wanted -= hits
        chosen[id(statement)] = statement
        if not place.in_scope:
            top_level.update(names)
    if wanted:
        return None
    removed_names = _used_names(chosen.values(), set())
    remaining = _used_names(tree.body, set(chosen))
    orphans = {n for n in removed_names if n not in remaining and n in unused_imports}
    gone_imports: set[str] = set()
    if orphans:
        for statement in _statements(tree):
            place = places[id(statement)]
            if place.in_scope or not isinstance(statement, ast.Import | ast.ImportFrom):
                continue
            if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
                continue
            bindings = _defined(statement)
            if "*" in bindings or not (bindings & orphans):
                continue
            if not bindings <= orphans:
                return None  # keeps some of its names: libcst rewrites the statement
            chosen[id(statement)] = statement
            gone_imports |= bindings
    lines = source.splitlines(keepends=True)
    if any(_emptied(block, chosen) for block in _blocks(places, chosen)):
        return None  # a body left empty needs `pass`: libcst
    cores: list[tuple[int, int, bool]] = []
    for statement in chosen.values():
        core = _core(lines, statement)
        if core is None:
            return None
        place = places[id(statement)]
        first_in_block = all(id(s) in chosen for s in place.block[: place.index])
        cores.append((*core, first_in_block))
    try:
        segments = _segments(lines, sorted(cores))
    except ValueError:
        return None
    for start, end, keep in reversed(segments):
        lines[start - 1 : end] = ["\n"] * keep
    return "".join(lines), top_level, gone_imports


def _statements(tree: ast.Module) -> Iterator[Statement]:
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            yield node


def _places(tree: ast.Module) -> dict[int, _Place]:
    found: dict[int, _Place] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_scope = stack.pop()
        inner = in_scope or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        blocks = [getattr(node, f, None) for f in BLOCK_FIELDS]
        blocks += [h.body for h in getattr(node, "handlers", ())]
        blocks += [c.body for c in getattr(node, "cases", ())]
        for block in blocks:
            if not isinstance(block, list):
                continue
            for index, statement in enumerate(block):
                if isinstance(statement, ast.stmt):
                    found[id(statement)] = _Place(block, index, inner)
                    stack.append((statement, inner))
    return found


def _blocks(places: dict[int, _Place], chosen: dict[int, Statement]) -> list[list[ast.stmt]]:
    blocks: dict[int, list[ast.stmt]] = {}
    for key in chosen:
        block = places[key].block
        blocks[id(block)] = block
    return list(blocks.values())


def _emptied(block: Sequence[ast.stmt], chosen: dict[int, Statement]) -> bool:
    return all(id(s) in chosen for s in block)


def _defined(statement: Statement) -> set[str]:
    """Names a removable statement binds (empty for other statements)."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {statement.name}
    if isinstance(statement, ast.Assign):
        return (
            {t.id for t in statement.targets if isinstance(t, ast.Name)}
            if all(isinstance(t, ast.Name) for t in statement.targets)
            else set()
        )
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return {statement.target.id}
    if isinstance(statement, ast.Import):
        return {a.asname or a.name.split(".", 1)[0] for a in statement.names}
    if isinstance(statement, ast.ImportFrom):
        return {a.asname or a.name for a in statement.names}
    return set()


def _first_line(statement: Statement) -> int:
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _blank(line: str) -> bool:
    return not line.strip()


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _core(lines: list[str], statement: Statement) -> tuple[int, int] | None:
    """The lines of a statement with the comment lines directly above it (1-based)."""
    first = _first_line(statement)
    last = statement.end_lineno or statement.lineno
    column = statement.col_offset
    head = lines[first - 1]
    if _indent(head) != column or len(head[:column].encode()) != column:
        return None  # another statement before it on the line, or tabs and spaces mixed
    tail = lines[last - 1].encode()[statement.end_col_offset or 0 :].decode(errors="replace")
    if tail.strip() and not tail.strip().startswith("#"):
        return None  # `a = 1; b = 2` or a continuation
    start = first
    while start > 1 and _comment(lines[start - 2]) and _indent(lines[start - 2]) == column:
        start -= 1  # a comment directly above belongs to the definition
    return start, last


def _segments(lines: list[str], cores: list[tuple[int, int, bool]]) -> list[tuple[int, int, int]]:
    """Merge cores separated only by blank lines; give each run its blank-line budget:
    ``(start, end, blank lines to leave)``, in order."""
    merged: list[list[int]] = []
    for start, end, first_in_block in cores:
        if merged and all(_blank(line) for line in lines[merged[-1][1] : start - 1]):
            if start <= merged[-1][1]:
                raise ValueError("overlapping statements")
            merged[-1][1] = end
            continue
        merged.append([start, end, int(first_in_block)])
    found = []
    for start, end, first in merged:
        before = 0
        while start - before > 1 and _blank(lines[start - before - 2]):
            before += 1
        after = 0
        while end + after < len(lines) and _blank(lines[end + after]):
            after += 1
        if end + after >= len(lines):  # nothing follows: no blank lines at the end
            found.append((start - before, end + after, 0))
        elif first:  # the next statement becomes the first of its block
            found.append((start, end + after, 0))
        else:
            found.append((start - before, end + after, max(before, after)))
    return found


def _used_names(statements: Iterable[Statement], skip: set[int]) -> set[str]:
    """Every name the code may read, including words inside strings; imports bind, not use.
    Statements whose ids are in ``skip`` are left out."""
    names: set[str] = set()
    stack: list[ast.AST] = [s for s in statements if id(s) not in skip]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.update(string_names(node.value))
        for child in ast.iter_child_nodes(node):
            if id(child) not in skip:
                stack.append(child)
    return names


def string_names(value: str) -> set[str]:
    """Names a string may stand for: ``"Model"``, ``"pkg.mod:func"``, ``"list[Model]"``; not
    prose (``"application/json"`` does not use an import named ``json``)."""
    if len(value) > MAX_STRING:
        return set()
    if IDENTIFIER_PATH.fullmatch(value):
        return {value.split(".", 1)[0].split(":", 1)[0]}
    if "[" not in value and "|" not in value:
        return set()
    try:
        expression = ast.parse(value, mode="eval")
    except (SyntaxError, ValueError):
        return set()
    return {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)}
