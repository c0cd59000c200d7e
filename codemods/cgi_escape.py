"""MB120: ``cgi.escape(s)`` → ``html.escape(s, quote=False)`` (removed in Python 3.8)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, drop_use, module_reference, positional, qualified_name
from codemods.info import Applies, RuleInfo, Safety


class CgiEscape(Rule):
    info = RuleInfo(
        id="MB120",
        name="cgi-escape",
        family="stdlib-removals",
        summary="Escape HTML with html.escape(s, quote=False), the exact equivalent",
        replaces="cgi.escape(s)",
        replacement="html.escape(s, quote=False)",
        applies=Applies(python="3.2"),
        deprecated_since="Python 3.2",
        removed_in="Python 3.8",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.8.html#api-and-feature-removals",
        needles=("escape",),
        requires_any=("cgi",),
        uses=("cgi.escape",),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if qualified_name(self, original_node.func) != "cgi.escape":
            return updated_node
        # With quote=True, html.escape also escapes "'": only the one-argument form is exact.
        if len(positional(original_node)) != 1 or len(original_node.args) != 1:
            return updated_node
        module = module_reference(self, original_node, "html")
        if module is None:
            return updated_node
        text = updated_node.args[0].with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
        quote = cst.Arg(
            keyword=cst.Name("quote"),
            value=cst.Name("False"),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        replacement = updated_node.with_changes(
            func=cst.Attribute(value=module, attr=cst.Name("escape")), args=[text, quote]
        )
        drop_use(self, original_node.func)
        self.record(original_node, replacement)
        return replacement
