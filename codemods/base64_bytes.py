"""MB119: ``base64.encodestring``/``decodestring`` → ``encodebytes``/``decodebytes``."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class Base64Bytes(RenameRule):
    info = RuleInfo(
        id="MB119",
        name="base64-encodebytes",
        family="stdlib-removals",
        summary="Use base64.encodebytes/decodebytes; the *string aliases were removed",
        replaces="base64.encodestring(b), base64.decodestring(b)",
        replacement="base64.encodebytes(b), base64.decodebytes(b)",
        applies=Applies(),
        deprecated_since="Python 3.1",
        removed_in="Python 3.9",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.9.html#removed",
        needles=("encodestring", "decodestring"),
        requires_any=("base64",),
    )
    renames: ClassVar[dict[str, str]] = {
        "base64.encodestring": "base64.encodebytes",
        "base64.decodestring": "base64.decodebytes",
    }
