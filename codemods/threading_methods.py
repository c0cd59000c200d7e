"""MB108: camelCase methods of threads, events and conditions → properties and snake_case."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule, RuleRun
from codemods.helpers import SCOPED, TypeOracle, TypeRules, positional
from codemods.info import Applies, RuleInfo, Safety

THREAD = "threading.Thread"
EVENT = "threading.Event"
CONDITION = "threading.Condition"
TYPES = TypeRules(
    factories={
        "threading.current_thread": THREAD,
        "threading.currentThread": THREAD,
        "threading.main_thread": THREAD,
    },
    classes={
        "threading.Thread": THREAD,
        "threading.Timer": THREAD,
        "threading.Event": EVENT,
        "threading.Condition": CONDITION,
    },
)
RENAMED = {
    (THREAD, "isAlive"): "is_alive",
    (EVENT, "isSet"): "is_set",
    (CONDITION, "notifyAll"): "notify_all",
}
GETTERS = {(THREAD, "getName"): "name", (THREAD, "isDaemon"): "daemon"}
SETTERS = {(THREAD, "setName"): "name", (THREAD, "setDaemon"): "daemon"}
METHODS = {name for _, name in (*RENAMED, *GETTERS, *SETTERS)}


class ThreadingMethods(Rule):
    info = RuleInfo(
        id="MB108",
        name="threading-methods",
        family="threading",
        summary="Use the properties and snake_case methods of Thread, Event and Condition",
        replaces="t.getName(), t.setName(n), t.isDaemon(), t.setDaemon(d), t.isAlive(), "
        "e.isSet(), c.notifyAll()",
        replacement="t.name, t.name = n, t.daemon, t.daemon = d, t.is_alive(), e.is_set(), "
        "c.notify_all()",
        applies=Applies(),
        deprecated_since="Python 3.10",
        removed_in="Python 3.9 (isAlive)",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.10.html#deprecated",
        needles=tuple(f".{name}(" for name in sorted(METHODS)),
        requires_any=("threading",),
        uses=(*TYPES.factories, *TYPES.classes),
        attrs=tuple(sorted(METHODS)),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self.oracle = TypeOracle(self, TYPES)

    def _key(self, call: cst.Call) -> tuple[str, str] | None:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in METHODS:
            return None
        kind = self.oracle.type_of(func.value)
        return (kind, func.attr.value) if kind is not None else None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        key = self._key(original_node)
        func = updated_node.func
        if key is None or not isinstance(func, cst.Attribute):
            return updated_node
        replacement: cst.BaseExpression
        if key in RENAMED:
            replacement = updated_node.with_changes(
                func=func.with_changes(attr=cst.Name(RENAMED[key]))
            )
        elif key in GETTERS and not updated_node.args:
            replacement = func.with_changes(attr=cst.Name(GETTERS[key]))
        else:
            return updated_node
        self.record(original_node, replacement)
        return replacement

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.BaseSmallStatement:
        """``t.setDaemon(True)`` as a statement → ``t.daemon = True``."""
        call = original_node.value
        if not isinstance(call, cst.Call) or not isinstance(updated_node.value, cst.Call):
            return updated_node
        key = self._key(call)
        func = updated_node.value.func
        args = positional(updated_node.value)
        if key not in SETTERS or not isinstance(func, cst.Attribute):
            return updated_node
        if len(args) != 1 or len(updated_node.value.args) != 1:
            return updated_node
        assert key is not None
        replacement = cst.Assign(
            targets=[cst.AssignTarget(target=func.with_changes(attr=cst.Name(SETTERS[key])))],
            value=args[0].value,
            semicolon=updated_node.semicolon,
        )
        self.record(original_node, replacement)
        return replacement
