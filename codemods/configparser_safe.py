"""MB105: ``configparser.SafeConfigParser`` → ``ConfigParser`` (removed in Python 3.12)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class SafeConfigParser(RenameRule):
    info = RuleInfo(
        id="MB105",
        name="configparser-safeconfigparser",
        family="configparser",
        summary="Use ConfigParser instead of the removed SafeConfigParser alias",
        replaces="configparser.SafeConfigParser",
        replacement="configparser.ConfigParser",
        applies=Applies(python="3.2"),
        deprecated_since="Python 3.2",
        removed_in="Python 3.12",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.12.html#configparser",
        needles=("SafeConfigParser",),
    )
    renames: ClassVar[dict[str, str]] = {
        "configparser.SafeConfigParser": "configparser.ConfigParser"
    }
