"""MB110: ``datetime.utcfromtimestamp(ts)`` → ``fromtimestamp(ts, timezone.utc)``, kept naive."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.datetime_utc import naive, utc_expression
from codemods.helpers import SCOPED, positional, qualified_name
from codemods.info import Applies, RuleInfo, Safety


class DatetimeUtcfromtimestamp(Rule):
    info = RuleInfo(
        id="MB110",
        name="datetime-utcfromtimestamp",
        family="datetime",
        summary="Replace datetime.utcfromtimestamp() with fromtimestamp(ts, UTC) that stays naive",
        replaces="datetime.utcfromtimestamp(ts)",
        replacement="datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)",
        applies=Applies(),
        deprecated_since="Python 3.12",
        removed_in=None,
        safety=Safety.CONDITIONAL,
        link="https://docs.python.org/3/library/datetime.html#datetime.datetime.utcfromtimestamp",
        needles=("utcfromtimestamp",),
        uses=("datetime.datetime.utcfromtimestamp",),
        risk_note="The result stays a naive datetime in UTC, exactly as before; only very "
        "large or negative timestamps may raise differently on some platforms.",
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if qualified_name(self, original_node.func) != "datetime.datetime.utcfromtimestamp":
            return updated_node
        func = updated_node.func
        args = positional(updated_node)
        if len(args) != 1 or len(updated_node.args) != 1 or not isinstance(func, cst.Attribute):
            return updated_node
        utc = utc_expression(self, original_node)
        if utc is None:
            return updated_node
        stamp = args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        call = cst.Call(
            func=func.with_changes(attr=cst.Name("fromtimestamp")), args=[stamp, cst.Arg(utc)]
        )
        replacement = naive(call).with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
        self.record(original_node, replacement)
        return replacement
