"""MB104: ``logging.warn`` and ``Logger.warn`` → ``warning`` (removed in Python 3.13)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from codemods.base import RuleRun
from codemods.helpers import TypeOracle, TypeRules
from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule

LOGGER = "logging.Logger"
LOGGERS = TypeRules(
    factories={"logging.getLogger": LOGGER},
    classes={
        "logging.Logger": LOGGER,
        "logging.LoggerAdapter": LOGGER,
        "logging.RootLogger": LOGGER,
    },
    values={"logging.root": LOGGER},
)


class LoggingWarn(RenameRule):
    info = RuleInfo(
        id="MB104",
        name="logging-warn",
        family="logging",
        summary="Call warning() instead of the removed warn() alias",
        replaces="logging.warn(...), logger.warn(...) on a logging.Logger",
        replacement="logging.warning(...), logger.warning(...)",
        applies=Applies(),
        deprecated_since="Python 3.3",
        removed_in="Python 3.13",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.13.html#logging",
        needles=("warn(",),
        requires_any=("logging",),
        uses=(
            "logging.warn",
            "logging.getLogger",
            "logging.Logger",
            "logging.LoggerAdapter",
            "logging.RootLogger",
            "logging.root",
        ),
        attrs=("warn",),
        ast_filter="warn-call",
    )
    renames: ClassVar[dict[str, str]] = {"logging.warn": "logging.warning"}

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self.oracle = TypeOracle(self, LOGGERS)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = original_node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "warn":
            return updated_node
        if not isinstance(updated_node.func, cst.Attribute):
            return updated_node
        if self.oracle.type_of(func.value) != LOGGER:
            return updated_node
        new_func = updated_node.func.with_changes(attr=cst.Name("warning"))
        self.record(func, new_func)
        return updated_node.with_changes(func=new_func)
