"""MB107: ``threading.currentThread()``/``activeCount()`` → snake_case (deprecated in 3.10)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class ThreadingFunctions(RenameRule):
    info = RuleInfo(
        id="MB107",
        name="threading-functions",
        family="threading",
        summary="Use the snake_case threading functions",
        replaces="threading.currentThread(), threading.activeCount()",
        replacement="threading.current_thread(), threading.active_count()",
        applies=Applies(),
        deprecated_since="Python 3.10",
        removed_in=None,
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.10.html#deprecated",
        needles=("currentThread", "activeCount"),
        requires_any=("threading",),
    )
    renames: ClassVar[dict[str, str]] = {
        "threading.currentThread": "threading.current_thread",
        "threading.activeCount": "threading.active_count",
    }
