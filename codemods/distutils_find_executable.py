"""MB117: ``distutils.spawn.find_executable`` → ``shutil.which`` (distutils removed in 3.12)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from codemods.helpers import keyword, positional
from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


def rewritable_call(call: cst.Call) -> bool:
    """``find_executable(name)`` or ``find_executable(name, path=...)``: what shutil.which takes."""
    return len(positional(call)) == 1 and len(call.args) == 1 + (keyword(call, "path") is not None)


class FindExecutable(RenameRule):
    info = RuleInfo(
        id="MB117",
        name="distutils-find-executable",
        family="distutils",
        summary="Find programs with shutil.which; distutils was removed",
        replaces="distutils.spawn.find_executable(name)",
        replacement="shutil.which(name)",
        applies=Applies(python="3.3"),
        deprecated_since="Python 3.10",
        removed_in="Python 3.12",
        safety=Safety.CONDITIONAL,
        link="https://peps.python.org/pep-0632/#migration-advice",
        needles=("find_executable",),
        risk_note="shutil.which also requires the execute permission and, on Windows, uses "
        "PATHEXT; find_executable returned any existing file of that name.",
    )
    renames: ClassVar[dict[str, str]] = {"distutils.spawn.find_executable": "shutil.which"}

    def call_allowed(self, call: cst.Call) -> bool:
        return rewritable_call(call)
