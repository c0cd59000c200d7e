"""MB123: ``pipes.quote`` → ``shlex.quote`` (the pipes module is gone in Python 3.13)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class PipesQuote(RenameRule):
    info = RuleInfo(
        id="MB123",
        name="pipes-quote",
        family="stdlib-removals",
        summary="Quote shell arguments with shlex.quote; the pipes module was removed",
        replaces="pipes.quote(s)",
        replacement="shlex.quote(s)",
        applies=Applies(python="3.3"),
        deprecated_since="Python 3.11",
        removed_in="Python 3.13",
        safety=Safety.SAFE,
        link="https://peps.python.org/pep-0594/#pipes",
        needles=("quote",),
        requires_any=("pipes",),
    )
    renames: ClassVar[dict[str, str]] = {"pipes.quote": "shlex.quote"}
