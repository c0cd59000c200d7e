"""Where imports go: the one import-placement helper every rule uses.

Rules ask for imports with `want_import` and note vanished uses with
`codemods.helpers.drop_use`; the engine calls `finish_block` when it leaves each block
(``Module`` or indented body), after every rule has left the nodes inside it, so that

* a new import joins the group a human would put it in: the standard library's group for a
  stdlib module (``__future__``, stdlib, third-party, first-party, as isort and ruff order
  them), sorted among its neighbours in the group's own style, or a new group at the right
  place when the file has none; a ``from m import x`` joins an existing ``from m import`` line;
* where the replaced name was imported inside a function, the new import goes next to that
  local import, as the file does;
* an import whose every use the rules removed is deleted, and deleting a block's first
  statement leaves no blank lines at the top of the block.

Only imports of the block being left are removed: an import binding's uses all lie inside
the block it is bound in, so its use count is final then.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import ImportAssignment

if TYPE_CHECKING:
    from codemods.base import Rule, RuleRun

FUTURE, STDLIB, THIRD_PARTY, FIRST_PARTY = range(4)
STDLIB_MODULES = frozenset(sys.stdlib_module_names) | {"__future__"}


@dataclass(frozen=True)
class Wanted:
    """One import a rule needs: ``import module`` or ``from module import obj [as asname]``."""

    module: str
    obj: str | None = None
    asname: str | None = None


@dataclass
class ImportPlan:
    """The imports the rules of one pass asked for, by where they go."""

    module_level: list[Wanted] = field(default_factory=list)
    local: dict[int, list[Wanted]] = field(default_factory=dict)
    """Wanted next to a function-level import statement (by id of that original statement)."""


def want_import(
    rule: Rule, near: cst.CSTNode, module: str, obj: str | None = None, asname: str | None = None
) -> None:
    """Ask for ``import module`` (or ``from module import obj``) for a rewrite of ``near``.

    ``near`` is the node being replaced, or the import statement a name moves out of.
    """
    wanted = Wanted(module, obj, asname)
    anchor = _local_import_statement(rule, near)
    plan = rule.run.imports
    if anchor is None:
        if wanted not in plan.module_level:
            plan.module_level.append(wanted)
        return
    chosen = plan.local.setdefault(id(anchor), [])
    if wanted not in chosen:
        chosen.append(wanted)


def _local_import_statement(rule: Rule, near: cst.CSTNode) -> cst.SimpleStatementLine | None:
    """The function-level import statement that binds what ``near`` uses, if there is one."""
    from codemods.helpers import import_binding, root_name

    node: cst.CSTNode | None = near
    if not isinstance(near, cst.Import | cst.ImportFrom):
        name = root_name(near) if isinstance(near, cst.BaseExpression) else None
        assignment = import_binding(rule, name) if name is not None else None
        if assignment is None:
            return None
        node = assignment.node
    statement = rule.parent(node)
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    current: cst.CSTNode | None = statement
    while current is not None and not isinstance(current, cst.Module):
        if isinstance(current, cst.FunctionDef):
            return statement
        current = rule.parent(current)
    return None


Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
Body = list[Statement]
Pruned = dict[int, Statement | None]
"""Pending removals: by identity of a body's statement, its pruned form (``None``: gone)."""


def statements(body: Sequence[cst.BaseStatement]) -> Body:
    """A block's statements (every ``BaseStatement`` is one of these two)."""
    return [s for s in body if isinstance(s, cst.SimpleStatementLine | cst.BaseCompoundStatement)]


def finish_block(
    run: RuleRun, original: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement]
) -> Body | None:
    """The new body of a block once its imports are placed and pruned (``None``: unchanged)."""
    if not run.dropped and not run.imports.local:
        return None
    body = statements(updated)
    same_shape = len(original) == len(updated)
    inserts: list[tuple[int, list[Wanted]]] = []
    pruned: Pruned = {}
    if same_shape:
        for index, statement in enumerate(original):
            wanted = run.imports.local.get(id(statement))
            if wanted:
                inserts.append((index, wanted))
            removals = _removed_aliases(run, statement)
            if removals:
                pruned[id(body[index])] = _without(body[index], removals)
    if not inserts and not pruned:
        return None
    for index, wanted in reversed(inserts):
        body[index + 1 : index + 1] = [_statement(w) for w in _missing(body, wanted)]
    return _prune(body, pruned, block=True)


def finish_module(run: RuleRun, original: cst.Module, updated: cst.Module) -> cst.Module:
    """``finish_block`` for the module, plus the module-level imports the rules asked for."""
    body: Body = list(updated.body)
    pruned: Pruned = {}
    if len(original.body) == len(updated.body):
        for index, statement in enumerate(original.body):
            removals = _removed_aliases(run, statement)
            if removals:
                pruned[id(body[index])] = _without(body[index], removals)
    for wanted in run.imports.module_level:
        body = _place(body, wanted, run.package, pruned)
    if not pruned and body == list(updated.body):
        return updated
    return updated.with_changes(body=_prune(body, pruned, block=False))


# -- removal ----------------------------------------------------------------------------------


def _removed_aliases(run: RuleRun, statement: cst.CSTNode) -> set[tuple[str, str | None]]:
    """(name, asname) of the aliases of this import line whose every use the rules removed."""
    if not isinstance(statement, cst.SimpleStatementLine) or not run.dropped:
        return set()
    smalls = {id(s) for s in statement.body if isinstance(s, cst.Import | cst.ImportFrom)}
    if not smalls:
        return set()
    found: set[tuple[str, str | None]] = set()
    for assignment, count in run.dropped.values():
        if not isinstance(assignment, ImportAssignment) or id(assignment.node) not in smalls:
            continue
        if count < len(assignment.references):
            continue
        node = assignment.node
        if isinstance(node, cst.Import):
            for alias in node.names:
                local = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
                if local == assignment.name:
                    found.add((alias.evaluated_name, alias.evaluated_alias))
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if (alias.evaluated_alias or alias.evaluated_name) == assignment.name:
                    found.add((alias.evaluated_name, alias.evaluated_alias))
    return found


def _without(statement: Statement, removals: set[tuple[str, str | None]]) -> Statement | None:
    if not isinstance(statement, cst.SimpleStatementLine):
        return statement
    kept: list[cst.BaseSmallStatement] = []
    for small in statement.body:
        if isinstance(small, cst.Import):
            names = [
                a for a in small.names if (a.evaluated_name, a.evaluated_alias) not in removals
            ]
            if names:
                kept.append(small.with_changes(names=_last_comma(names, parenthesized=False)))
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            from_names = [
                a for a in small.names if (a.evaluated_name, a.evaluated_alias) not in removals
            ]
            if from_names:
                parenthesized = small.lpar is not None
                kept.append(
                    small.with_changes(names=_last_comma(from_names, parenthesized=parenthesized))
                )
        else:
            kept.append(small)
    if not kept:
        return None
    kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return statement.with_changes(body=kept)


def _last_comma(aliases: list[cst.ImportAlias], parenthesized: bool) -> list[cst.ImportAlias]:
    if not parenthesized and aliases:
        aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return aliases


def _blank_run(lines: Sequence[cst.EmptyLine]) -> int:
    count = 0
    for line in lines:
        if line.comment is not None:
            break
        count += 1
    return count


def _prune(body: Body, pruned: Pruned, block: bool) -> Body:
    """Apply the removals without leaving blank-line debris.

    A removed first statement hands its blank lines to the next one (none, at the top of a
    file); a removed statement elsewhere leaves the larger of its own and the next one's blank
    lines (a group separator or the gap before a ``def`` survives, nothing doubles).
    """
    result: Body = []
    carry: Sequence[cst.EmptyLine] | None = None
    pending = 0
    for statement in body:
        if id(statement) in pruned:
            replacement = pruned[id(statement)]
            if replacement is None:
                if not result and carry is None:
                    carry = statement.leading_lines
                elif result:
                    pending = max(pending, _blank_run(statement.leading_lines))
                continue
            statement = replacement
        lines = list(statement.leading_lines)
        blanks = _blank_run(lines)
        if carry is not None and not result:
            statement = statement.with_changes(
                leading_lines=[cst.EmptyLine()] * _blank_run(carry) + lines[blanks:]
            )
            carry = None
        elif pending > blanks:
            statement = statement.with_changes(
                leading_lines=[cst.EmptyLine()] * pending + lines[blanks:]
            )
        pending = 0
        result.append(statement)
    if block and not result:
        result.append(cst.SimpleStatementLine(body=[cst.Pass()]))
    return result


# -- placement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    index: int
    module: str
    is_from: bool
    section: int


def _section(module: str, relative: bool, package: str) -> int:
    top = module.split(".")[0]
    if module == "__future__":
        return FUTURE
    if relative or (package and top == package):
        return FIRST_PARTY
    return STDLIB if top in STDLIB_MODULES else THIRD_PARTY


def _import_line(statement: Statement, package: str, index: int) -> _Line | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        module = small.names[0].evaluated_name
        return _Line(index, module, False, _section(module, False, package))
    if isinstance(small, cst.ImportFrom):
        name = cst.helpers.get_full_name_for_node(small.module) if small.module else None
        relative = bool(small.relative)
        return _Line(index, name or "", True, _section(name or "", relative, package))
    return None


def _is_docstring(statement: Statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _groups(body: Body, package: str) -> tuple[int, list[list[_Line]]]:
    """Where imports may start, and the import lines at the top of the module, grouped by the
    blank lines between them."""
    start = 1 if body and _is_docstring(body[0]) else 0
    groups: list[list[_Line]] = []
    for index in range(start, len(body)):
        line = _import_line(body[index], package, index)
        if line is None:
            break
        blank = any(e.comment is None for e in body[index].leading_lines)
        if not groups or blank:
            groups.append([])
        groups[-1].append(line)
    return start, groups


def _key(line: _Line, imports_first: bool) -> tuple[object, ...]:
    name = line.module.lower()
    return (line.is_from, name) if imports_first else (name, line.is_from)


def _relined(body: Body, at: int, lines: Sequence[cst.EmptyLine], pruned: Pruned) -> None:
    """Give ``body[at]`` new leading lines, keeping its pending removal (keyed by identity)."""
    old = body[at]
    body[at] = old.with_changes(leading_lines=lines)
    if id(old) in pruned:
        replacement = pruned.pop(id(old))
        if replacement is not None:
            replacement = replacement.with_changes(leading_lines=lines)
        pruned[id(body[at])] = replacement


def _place(body: Body, wanted: Wanted, package: str, pruned: Pruned) -> Body:
    if _present(body, wanted):
        return body
    merged = _merge(body, wanted)
    if merged is not None:
        return merged
    new = _statement(wanted)
    section = _section(wanted.module, False, package)
    start, groups = _groups(body, package)
    line = _Line(-1, wanted.module, wanted.obj is not None, section)
    for group in groups:
        same = [g for g in group if g.section == section]
        if not same:
            continue
        kinds = [g.is_from for g in same]
        imports_first = kinds == sorted(kinds)
        keys = [_key(g, imports_first) for g in group]
        if keys == sorted(keys):  # one sorted block, sections mixed: keep it sorted
            same = group
        after = [g for g in same if _key(g, imports_first) > _key(line, imports_first)]
        if after:
            head = group[0].index == after[0].index
            return _insert(body, after[0].index, new, head, pruned)
        return _insert(body, same[-1].index + 1, new, False, pruned)
    later = [g for g in groups if g[0].section > section]
    if later:
        return _insert_group(body, later[0][0].index, new, True, pruned)
    if groups:
        return _insert_group(body, groups[-1][-1].index + 1, new, False, pruned)
    return _insert_group(body, start, new, False, pruned)


def _insert(
    body: Body, at: int, new: cst.SimpleStatementLine, takes_lines: bool, pruned: Pruned
) -> Body:
    """Insert into a group; at the group's head the new line takes the group's blank lines."""
    body = list(body)
    if takes_lines and at < len(body):
        new = new.with_changes(leading_lines=body[at].leading_lines)
        _relined(body, at, (), pruned)
    body.insert(at, new)
    return body


def _insert_group(
    body: Body, at: int, new: cst.SimpleStatementLine, before_group: bool, pruned: Pruned
) -> Body:
    """A new group of its own, one blank line from its neighbours."""
    body = list(body)
    if before_group:
        new = new.with_changes(leading_lines=body[at].leading_lines)
        _relined(body, at, (cst.EmptyLine(),), pruned)
    else:
        follows_something = at > 0
        new = new.with_changes(leading_lines=(cst.EmptyLine(),) if follows_something else ())
        if at < len(body):
            following = body[at]
            wanted_blanks = 2 if isinstance(following, cst.FunctionDef | cst.ClassDef) else 1
            lines = list(following.leading_lines)
            blanks = _blank_run(lines)
            if blanks < wanted_blanks:
                _relined(body, at, [cst.EmptyLine()] * wanted_blanks + lines[blanks:], pruned)
    body.insert(at, new)
    return body


def _statement(wanted: Wanted) -> cst.SimpleStatementLine:
    from codemods.helpers import dotted

    asname = cst.AsName(name=cst.Name(wanted.asname)) if wanted.asname else None
    if wanted.obj is None:
        small: cst.BaseSmallStatement = cst.Import(
            names=[cst.ImportAlias(name=dotted(wanted.module), asname=asname)]
        )
    else:
        small = cst.ImportFrom(
            module=dotted(wanted.module),
            names=[cst.ImportAlias(name=cst.Name(wanted.obj), asname=asname)],
        )
    return cst.SimpleStatementLine(body=[small])


def _missing(body: Body, wanted: list[Wanted]) -> list[Wanted]:
    return [w for w in wanted if not _present(body, w)]


def _present(body: Body, wanted: Wanted) -> bool:
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import) and wanted.obj is None:
                if any(
                    a.evaluated_name == wanted.module and a.evaluated_alias == wanted.asname
                    for a in small.names
                ):
                    return True
            elif isinstance(small, cst.ImportFrom) and wanted.obj is not None:
                if (
                    small.relative
                    or small.module is None
                    or isinstance(small.names, cst.ImportStar)
                ):
                    continue
                if cst.helpers.get_full_name_for_node(small.module) != wanted.module:
                    continue
                if any(
                    a.evaluated_name == wanted.obj and a.evaluated_alias == wanted.asname
                    for a in small.names
                ):
                    return True
    return False


def _merge(body: Body, wanted: Wanted) -> Body | None:
    """Add ``obj`` to an existing ``from module import ...`` line of the module's top level."""
    if wanted.obj is None:
        return None
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if not isinstance(small, cst.ImportFrom) or small.relative or small.module is None:
            continue
        if isinstance(small.names, cst.ImportStar):
            continue
        if cst.helpers.get_full_name_for_node(small.module) != wanted.module:
            continue
        names = _with_alias(list(small.names), wanted, parenthesized=small.lpar is not None)
        result = list(body)
        result[index] = statement.with_changes(body=[small.with_changes(names=names)])
        return result
    return None


def _by_type(name: str) -> tuple[int, str]:
    """isort's and ruff's default order of imported names: CONSTANTS, Classes, functions."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def _lower(name: str) -> tuple[int, str]:
    return 0, name.lower()


def _plain(name: str) -> tuple[int, str]:
    return 0, name


def _with_alias(
    names: list[cst.ImportAlias], wanted: Wanted, parenthesized: bool
) -> list[cst.ImportAlias]:
    """Insert the alias in sorted position when the line is sorted, else at the end, copying
    the line's own separators (one line or one name per line)."""
    assert wanted.obj is not None
    asname = cst.AsName(name=cst.Name(wanted.asname)) if wanted.asname else None
    new = cst.ImportAlias(name=cst.Name(wanted.obj), asname=asname)
    spelled = [a.evaluated_name for a in names]
    at = len(names)
    for key in (_by_type, _lower, _plain):
        if spelled == sorted(spelled, key=key):
            at = next((i for i, s in enumerate(spelled) if key(s) > key(wanted.obj)), len(names))
            break
    separator: cst.Comma | cst.MaybeSentinel
    if len(names) >= 2 and isinstance(names[0].comma, cst.Comma):
        separator = names[0].comma
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if at == len(names):
        last = names[-1]
        names[-1] = last.with_changes(comma=separator)
        names.append(new.with_changes(comma=last.comma))
    else:
        names.insert(at, new.with_changes(comma=separator))
    if not parenthesized:
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return names
