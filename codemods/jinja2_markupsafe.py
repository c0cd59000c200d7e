"""MB206: ``jinja2.Markup``/``jinja2.escape`` → ``markupsafe`` (removed in Jinja 3.1)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class Jinja2Markupsafe(RenameRule):
    info = RuleInfo(
        id="MB206",
        name="jinja2-markupsafe",
        family="jinja2",
        summary="Import Markup and escape from markupsafe; Jinja 3.1 no longer re-exports them",
        replaces="jinja2.Markup, jinja2.escape",
        replacement="markupsafe.Markup, markupsafe.escape",
        applies=Applies(library="jinja2"),
        deprecated_since="Jinja 3.0",
        removed_in="Jinja 3.1",
        safety=Safety.SAFE,
        link="https://jinja.palletsprojects.com/en/stable/changes/#version-3-1-0",
        needles=("Markup", "escape"),
        requires_any=("jinja2",),
    )
    renames: ClassVar[dict[str, str]] = {
        "jinja2.Markup": "markupsafe.Markup",
        "jinja2.escape": "markupsafe.escape",
        "jinja2.utils.Markup": "markupsafe.Markup",
        "jinja2.utils.escape": "markupsafe.escape",
    }
