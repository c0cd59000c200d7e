"""MB121: ``ast.Num(1)``/``ast.Str("s")``/… → ``ast.Constant`` (removed in Python 3.14)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, drop_use, name_reference, qualified_name
from codemods.info import Applies, RuleInfo, Safety

OLD = {"ast.Num": "n", "ast.Str": "s", "ast.Bytes": "s", "ast.NameConstant": "value"}


class AstConstant(Rule):
    info = RuleInfo(
        id="MB121",
        name="ast-constant",
        family="stdlib-removals",
        summary="Build literal nodes with ast.Constant",
        replaces="ast.Num(n), ast.Str(s), ast.Bytes(s), ast.NameConstant(v)",
        replacement="ast.Constant(n), ast.Constant(s), ast.Constant(s), ast.Constant(v)",
        applies=Applies(python="3.8"),
        deprecated_since="Python 3.8",
        removed_in="Python 3.14",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.14.html#id9",
        needles=("Num(", "Str(", "Bytes(", "NameConstant("),
        requires_any=("ast",),
        uses=tuple(OLD),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        old = qualified_name(self, original_node.func)
        if old not in OLD or any(a.star for a in original_node.args):
            return updated_node
        func = updated_node.func
        new_func: cst.BaseExpression | None
        if isinstance(func, cst.Attribute):
            new_func = func.with_changes(attr=cst.Name("Constant"))
        else:
            new_func = name_reference(self, original_node, "ast", "Constant")
            if new_func is not None:
                drop_use(self, original_node.func)
        if new_func is None:
            return updated_node
        args = [
            arg.with_changes(keyword=cst.Name("value"))
            if arg.keyword is not None and arg.keyword.value == OLD[old]
            else arg
            for arg in updated_node.args
        ]
        replacement = updated_node.with_changes(func=new_func, args=args)
        self.record(original_node, replacement)
        return replacement
