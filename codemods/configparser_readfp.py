"""MB106: ``ConfigParser.readfp(fp)`` → ``read_file(fp)`` (removed in Python 3.12)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule, RuleRun
from codemods.helpers import SCOPED, TypeOracle, TypeRules
from codemods.info import Applies, RuleInfo, Safety

PARSER = "configparser.RawConfigParser"
PARSERS = TypeRules(
    classes={
        f"configparser.{name}": PARSER
        for name in ("RawConfigParser", "ConfigParser", "SafeConfigParser")
    }
)


class ReadFp(Rule):
    info = RuleInfo(
        id="MB106",
        name="configparser-readfp",
        family="configparser",
        summary="Call read_file() instead of the removed readfp()",
        replaces="parser.readfp(fp, filename=...) on a configparser parser",
        replacement="parser.read_file(fp, source=...)",
        applies=Applies(python="3.2"),
        deprecated_since="Python 3.2",
        removed_in="Python 3.12",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.12.html#configparser",
        needles=("readfp(",),
        uses=tuple(PARSERS.classes),
        attrs=("readfp",),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self.oracle = TypeOracle(self, PARSERS)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = original_node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "readfp":
            return updated_node
        if not isinstance(updated_node.func, cst.Attribute):
            return updated_node
        if self.oracle.type_of(func.value) != PARSER:
            return updated_node
        args = [
            arg.with_changes(keyword=cst.Name("source"))
            if arg.keyword is not None and arg.keyword.value == "filename"
            else arg
            for arg in updated_node.args
        ]
        replacement = updated_node.with_changes(
            func=updated_node.func.with_changes(attr=cst.Name("read_file")), args=args
        )
        self.record(original_node, replacement)
        return replacement
