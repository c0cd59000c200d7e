"""MB111: ``asyncio.get_event_loop()`` inside ``async def`` → ``asyncio.get_running_loop()``."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule, RuleRun
from codemods.helpers import SCOPED, drop_use, name_reference, qualified_name
from codemods.info import Applies, RuleInfo, Safety

OLD = ("asyncio.get_event_loop", "asyncio.events.get_event_loop")


class AsyncioRunningLoop(Rule):
    info = RuleInfo(
        id="MB111",
        name="asyncio-get-running-loop",
        family="asyncio",
        summary="Inside a coroutine, ask for the running loop",
        replaces="asyncio.get_event_loop() inside async def",
        replacement="asyncio.get_running_loop()",
        applies=Applies(python="3.7"),
        deprecated_since="Python 3.10 (3.12 warns whenever no loop is set)",
        removed_in=None,
        safety=Safety.SAFE,
        link="https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.get_event_loop",
        needles=("get_event_loop",),
        requires_any=("async def",),
        uses=OLD,
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self._functions: list[bool] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node.asynchronous is not None)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._functions.pop()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._functions.append(False)

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        self._functions.pop()
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not self._functions or not self._functions[-1] or original_node.args:
            return updated_node
        if qualified_name(self, original_node.func) not in OLD:
            return updated_node
        func = updated_node.func
        new_func: cst.BaseExpression | None
        if isinstance(func, cst.Attribute):
            new_func = func.with_changes(attr=cst.Name("get_running_loop"))
        elif isinstance(func, cst.Name):
            new_func = name_reference(self, original_node, "asyncio", "get_running_loop")
            if new_func is not None:
                drop_use(self, original_node.func)
        else:
            new_func = None
        if new_func is None:
            return updated_node
        replacement = updated_node.with_changes(func=new_func)
        self.record(original_node, replacement)
        return replacement
