"""MB124: drop ``encoding=`` from ``json.loads``/``json.load`` (removed in Python 3.9)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, drop_trailing_comma, qualified_name
from codemods.info import Applies, RuleInfo, Safety


class JsonEncoding(Rule):
    info = RuleInfo(
        id="MB124",
        name="json-loads-encoding",
        family="stdlib-removals",
        summary="Drop the encoding argument json.loads ignored since 3.1 and rejects since 3.9",
        replaces="json.loads(s, encoding=...)",
        replacement="json.loads(s)",
        applies=Applies(),
        deprecated_since="Python 3.1",
        removed_in="Python 3.9",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.9.html#removed",
        needles=("encoding",),
        requires_any=("json",),
        uses=("json.loads", "json.load"),
        ast_filter="encoding-keyword",
    )

    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if qualified_name(self, original_node.func) not in ("json.loads", "json.load"):
            return updated_node
        kept = [a for a in updated_node.args if a.keyword is None or a.keyword.value != "encoding"]
        if len(kept) == len(updated_node.args):
            return updated_node
        replacement = updated_node.with_changes(args=drop_trailing_comma(kept))
        self.record(original_node, replacement)
        return replacement
