"""MB114: ``imp.reload`` → ``importlib.reload`` (the ``imp`` module is gone in 3.12)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class ImpReload(RenameRule):
    info = RuleInfo(
        id="MB114",
        name="imp-reload",
        family="importlib",
        summary="Reload modules with importlib.reload; the imp module was removed",
        replaces="imp.reload(module)",
        replacement="importlib.reload(module)",
        applies=Applies(python="3.4"),
        deprecated_since="Python 3.4",
        removed_in="Python 3.12",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.12.html#imp",
        needles=("reload",),
        requires_any=("imp",),
    )
    renames: ClassVar[dict[str, str]] = {"imp.reload": "importlib.reload"}
