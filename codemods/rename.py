"""The shared machinery of rules that move a name: ``collections.Mapping`` → ``collections.abc``.

A `RenameRule` declares ``renames``: qualified names of the deprecated objects mapped to the
qualified names of their replacements (``builtins.list`` for a builtin). It rewrites

* attribute accesses through a module (``np.float_`` → ``np.float64``, ``collections.Mapping``
  → ``collections.abc.Mapping`` plus ``import collections.abc``, ``np.float`` → ``float``);
* ``from module import name`` statements, in place, and the uses of the imported name when the
  new name differs and is free at every use (otherwise the import keeps the old local name with
  ``as``; a builtin replacement whose name is shadowed is left alone).

Assignment targets (``np.float = float`` compatibility shims) and aliased builtin imports are
never touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import libcst as cst
from libcst.metadata import (
    ImportAssignment,
    ProviderT,
    QualifiedNameSource,
    ScopeProvider,
)

from codemods.base import Rule, RuleRun
from codemods.helpers import (
    dotted,
    drop_use,
    import_binding,
    is_bound,
    module_reference,
    qualified,
    scope_of,
)
from codemods.imports import want_import

BUILTINS = "builtins"


def imported_name(rule: Rule, node: cst.CSTNode) -> str | None:
    """The qualified name of ``node`` when it is exactly one name reached through an import."""
    names = qualified(rule, node)
    if len(names) != 1:
        return None
    only = next(iter(names))
    return only.name if only.source is QualifiedNameSource.IMPORT else None


def split(qualified: str) -> tuple[str, str]:
    module, _, attr = qualified.rpartition(".")
    return module, attr


@dataclass(frozen=True)
class Move:
    """What happens to one ``from module import name [as alias]``."""

    module: str
    name: str
    asname: str | None
    rename_uses_to: str | None = None
    drop: bool = False


class RenameRule(Rule):
    renames: ClassVar[Mapping[str, str]]
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = (ScopeProvider,)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The names a rule renames are what the ``ast`` pre-filter looks for: its metadata's
        ``uses`` gains them (`codemods.prefilter` reads only the metadata)."""
        super().__init_subclass__(**kwargs)
        info, renames = getattr(cls, "info", None), getattr(cls, "renames", None)
        if info is not None and renames is not None:
            missing = tuple(name for name in renames if name not in info.uses)
            if missing:
                cls.info = replace(info, uses=(*info.uses, *missing))

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self._import_depth = 0
        self._targets: set[int] = set()
        self._moves: dict[int, Move | None] = {}

    # -- bookkeeping -------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        self._import_depth += 1

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> cst.Import | cst.RemovalSentinel:
        self._import_depth -= 1
        return updated_node

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._import_depth += 1

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        self._import_depth -= 1
        if original_node.relative or original_node.module is None:
            return updated_node
        return self._rewrite_import(original_node, updated_node)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets.add(id(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets.add(id(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets.add(id(node.target))

    def visit_Del(self, node: cst.Del) -> None:
        self._targets.add(id(node.target))

    def visit_Call(self, node: cst.Call) -> None:
        if not self.call_allowed(node):
            self._targets.add(id(node.func))

    def call_allowed(self, call: cst.Call) -> bool:
        """Override to leave calls alone whose arguments the replacement would not accept."""
        return True

    # -- attribute accesses through a module ---------------------------------------------------
    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if self._import_depth or id(original_node) in self._targets:
            return updated_node
        old = imported_name(self, original_node)
        if old is None or old not in self.renames:
            return updated_node
        replacement = self._replace_attribute(original_node, updated_node, old, self.renames[old])
        if replacement is None:
            return updated_node
        self.record(original_node, replacement)
        return replacement

    def _replace_attribute(
        self, original: cst.Attribute, updated: cst.Attribute, old: str, new: str
    ) -> cst.BaseExpression | None:
        old_module, _ = split(old)
        new_module, new_attr = split(new)
        if new_module == BUILTINS:
            if is_bound(self, original, new_attr):
                return None
            drop_use(self, original)
            return cst.Name(new_attr, lpar=updated.lpar, rpar=updated.rpar)
        if new_module == old_module:
            return updated.with_changes(attr=cst.Name(new_attr))
        reference = module_reference(self, original, new_module)
        if reference is None:
            return None
        drop_use(self, original)
        return cst.Attribute(
            value=reference, attr=cst.Name(new_attr), lpar=updated.lpar, rpar=updated.rpar
        )

    # -- names imported with ``from module import name`` ----------------------------------------
    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if self._import_depth or id(original_node) in self._targets:
            return updated_node
        old = imported_name(self, original_node)
        if old is None or old not in self.renames:
            return updated_node
        binding = self._binding(original_node)
        if binding is None:
            return updated_node
        node, alias = binding
        move = self._move(node, alias)
        if move is None or move.rename_uses_to is None:
            return updated_node
        replacement = updated_node.with_changes(value=move.rename_uses_to)
        if move.drop:
            drop_use(self, original_node)
        self.record(original_node, replacement)
        return replacement

    def _binding(self, name: cst.Name) -> tuple[cst.ImportFrom, cst.ImportAlias] | None:
        assignment = import_binding(self, name)
        if assignment is None:
            return None
        node = assignment.node
        if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
            return None
        for alias in node.names:
            if alias.evaluated_alias == name.value or (
                alias.asname is None and alias.evaluated_name == name.value
            ):
                return node, alias
        return None

    def _move(self, node: cst.ImportFrom, alias: cst.ImportAlias) -> Move | None:
        key = id(alias)
        if key not in self._moves:
            self._moves[key] = self._decide(node, alias)
        return self._moves[key]

    def _decide(self, node: cst.ImportFrom, alias: cst.ImportAlias) -> Move | None:
        if node.relative or node.module is None:
            return None
        module = cst.helpers.get_full_name_for_node(node.module)
        old = f"{module}.{alias.evaluated_name}"
        if old not in self.renames:
            return None
        new_module, new_attr = split(self.renames[old])
        local = alias.evaluated_alias or alias.evaluated_name
        if self._blocked_use(node, local):
            return None
        if alias.asname is not None:
            if new_module == BUILTINS:
                return None
            return Move(new_module, new_attr, local)
        if new_attr == alias.evaluated_name and new_module != BUILTINS:
            return Move(new_module, new_attr, None)
        uses_free = self._uses_can_become(node, local, new_attr)
        if new_module == BUILTINS:
            if not uses_free:
                return None
            return Move(new_module, new_attr, None, rename_uses_to=new_attr, drop=True)
        if uses_free:
            return Move(new_module, new_attr, None, rename_uses_to=new_attr)
        return Move(new_module, new_attr, local)

    def _blocked_use(self, node: cst.ImportFrom, local: str) -> bool:
        """Is the imported name called somewhere with arguments the replacement rejects?"""
        scope = scope_of(self, node)
        if scope is None:
            return True
        for assignment in scope.assignments[local]:
            for access in assignment.references:
                parent = self.parent(access.node)
                if (
                    isinstance(parent, cst.Call)
                    and parent.func is access.node
                    and not self.call_allowed(parent)
                ):
                    return True
        return False

    def _uses_can_become(self, node: cst.ImportFrom, local: str, new: str) -> bool:
        """Does every use of the imported ``local`` refer only to it, with ``new`` free there?"""
        scope = scope_of(self, node)
        if scope is None:
            return False
        ours = [
            a
            for a in scope.assignments[local]
            if isinstance(a, ImportAssignment) and a.node is node
        ]
        if len(ours) != 1 or len(scope.assignments[local]) != 1:
            return False
        if new in scope.assignments:
            return False
        for access in ours[0].references:
            if len(access.referents) != 1 or is_bound(self, access.node, new):
                return False
        return True

    def _rewrite_import(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        """Move this rule's names out of ``from module import ...``, in place where possible.

        Names going to one new module stay in this statement (its module changes) when nothing
        else is left in it; otherwise they leave it and `codemods.imports` adds them. The
        result is always one ``ImportFrom``, so the next rule sees this statement. Aliases
        are matched to the original by name, since earlier rules may have changed it.
        """
        if isinstance(original.names, cst.ImportStar) or isinstance(updated.names, cst.ImportStar):
            return updated
        if cst.helpers.get_full_name_for_node(original.module or cst.Name("")) != (
            cst.helpers.get_full_name_for_node(updated.module or cst.Name(""))
        ):
            return updated
        by_name = {(a.evaluated_name, a.evaluated_alias): a for a in original.names}
        moves = []
        for alias in updated.names:
            source = by_name.get((alias.evaluated_name, alias.evaluated_alias))
            moves.append(self._move(original, source) if source is not None else None)
        moving = [m for m in moves if m is not None and not m.drop]
        if not moving:
            return updated
        kept = [a for a, m in zip(updated.names, moves, strict=True) if m is None or m.drop]
        targets = list(dict.fromkeys(m.module for m in moving))
        in_place = targets[0] if not kept else None
        names = list(kept)
        for alias, move in zip(updated.names, moves, strict=True):
            if move is None or move.drop:
                continue
            if move.module == in_place:
                names.append(
                    alias.with_changes(name=cst.Name(move.name), asname=_asname(move, alias))
                )
            else:
                want_import(self, original, move.module, move.name, move.asname)
        rewritten = updated.with_changes(names=_fix_last_comma(names, updated))
        if in_place is not None:
            rewritten = rewritten.with_changes(module=dotted(in_place))
        self.record(original, rewritten)
        return rewritten


def _asname(move: Move, alias: cst.ImportAlias) -> cst.AsName | cst.MaybeSentinel | None:
    if move.asname is None:
        return None
    if alias.asname is not None:
        return alias.asname
    return cst.AsName(name=cst.Name(move.asname))


def _fix_last_comma(
    aliases: Sequence[cst.ImportAlias], statement: cst.ImportFrom | None
) -> list[cst.ImportAlias]:
    """Without parentheses an import may not end in a comma; keep the original's choice."""
    result = list(aliases)
    if not result:
        return result
    original_last = (
        statement.names[-1]
        if statement and not isinstance(statement.names, cst.ImportStar)
        else None
    )
    trailing = (
        original_last is not None
        and isinstance(original_last.comma, cst.Comma)
        and statement is not None
        and statement.rpar is not None
    )
    if not trailing:
        result[-1] = result[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return result
