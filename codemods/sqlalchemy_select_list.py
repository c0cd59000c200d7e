"""MB208: SQLAlchemy ``select([a, b])`` → ``select(a, b)`` (list form removed in 2.0)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, qualified_name
from codemods.info import Applies, RuleInfo, Safety

SELECTS = frozenset(
    {
        "sqlalchemy.select",
        "sqlalchemy.sql.select",
        "sqlalchemy.sql.expression.select",
        "sqlalchemy.future.select",
    }
)


class SelectList(Rule):
    info = RuleInfo(
        id="MB208",
        name="sqlalchemy-select-list",
        family="sqlalchemy",
        summary="Pass columns to select() positionally, as SQLAlchemy 2.0 requires",
        replaces="select([table.c.a, table.c.b])",
        replacement="select(table.c.a, table.c.b)",
        applies=Applies(library="sqlalchemy", versions=">=1.4"),
        deprecated_since="SQLAlchemy 1.4",
        removed_in="SQLAlchemy 2.0",
        safety=Safety.SAFE,
        link="https://docs.sqlalchemy.org/en/20/changelog/migration_20.html#select-no-longer-accepts-varied-constructor-arguments-columns-are-passed-positionally",
        needles=("select([", "select(\n"),
        requires_any=("sqlalchemy",),
        uses=tuple(sorted(SELECTS)),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if len(updated_node.args) != 1:
            return updated_node
        only = updated_node.args[0]
        if only.keyword is not None or only.star or not isinstance(only.value, cst.List):
            return updated_node
        if qualified_name(self, original_node.func) not in SELECTS:
            return updated_node
        elements = only.value.elements
        if not elements:
            return updated_node
        args = [
            cst.Arg(
                value=e.value,
                star="*" if isinstance(e, cst.StarredElement) else "",
                comma=e.comma,
            )
            for e in elements
        ]
        last = args[-1].with_changes(whitespace_after_arg=only.value.rbracket.whitespace_before)
        if isinstance(last.comma, cst.Comma) and not _multiline(only.value):
            last = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        args[-1] = last
        replacement = updated_node.with_changes(
            args=args,
            whitespace_before_args=only.value.lbracket.whitespace_after,
        )
        self.record(original_node, replacement)
        return replacement


def _multiline(value: cst.List) -> bool:
    return isinstance(value.rbracket.whitespace_before, cst.ParenthesizedWhitespace)
