"""MB109: ``datetime.utcnow()`` → ``datetime.now(timezone.utc).replace(tzinfo=None)``."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.datetime_utc import naive, utc_expression
from codemods.helpers import SCOPED, qualified_name
from codemods.info import Applies, RuleInfo, Safety


class DatetimeUtcnow(Rule):
    info = RuleInfo(
        id="MB109",
        name="datetime-utcnow",
        family="datetime",
        summary="Replace datetime.utcnow() with an explicit UTC now() that stays naive",
        replaces="datetime.utcnow()",
        replacement="datetime.now(timezone.utc).replace(tzinfo=None)",
        applies=Applies(),
        deprecated_since="Python 3.12",
        removed_in=None,
        safety=Safety.CONDITIONAL,
        link="https://docs.python.org/3/library/datetime.html#datetime.datetime.utcnow",
        needles=("utcnow",),
        uses=("datetime.datetime.utcnow",),
        risk_note="The result stays a naive datetime in UTC, exactly as before; switching the "
        "code to aware datetimes is a separate, deliberate change. Subclasses of datetime that "
        "override now() behave differently.",
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if qualified_name(self, original_node.func) != "datetime.datetime.utcnow":
            return updated_node
        func = updated_node.func
        if original_node.args or not isinstance(func, cst.Attribute):
            return updated_node
        utc = utc_expression(self, original_node)
        if utc is None:
            return updated_node
        now = cst.Call(func=func.with_changes(attr=cst.Name("now")), args=[cst.Arg(utc)])
        replacement = naive(now).with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
        self.record(original_node, replacement)
        return replacement
