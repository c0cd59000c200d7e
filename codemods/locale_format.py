"""MB122: ``locale.format`` → ``locale.format_string`` (removed in Python 3.12)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class LocaleFormat(RenameRule):
    info = RuleInfo(
        id="MB122",
        name="locale-format",
        family="stdlib-removals",
        summary="Use locale.format_string; locale.format was removed",
        replaces="locale.format(fmt, value, grouping)",
        replacement="locale.format_string(fmt, value, grouping)",
        applies=Applies(),
        deprecated_since="Python 3.7",
        removed_in="Python 3.12",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.12.html#locale",
        needles=("format",),
        requires_any=("locale",),
    )
    renames: ClassVar[dict[str, str]] = {"locale.format": "locale.format_string"}

    def call_allowed(self, call: cst.Call) -> bool:
        # The first two parameters were called percent/value; format_string calls them f/val.
        return not any(
            a.keyword is not None and a.keyword.value in ("percent", "value") for a in call.args
        )
