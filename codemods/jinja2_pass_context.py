"""MB215: ``@contextfunction`` and friends → ``@pass_context`` (removed in Jinja 3.1)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class Jinja2PassContext(RenameRule):
    info = RuleInfo(
        id="MB215",
        name="jinja2-pass-context",
        family="jinja2",
        summary="Use pass_context, pass_eval_context and pass_environment; Jinja 3.1 removed "
        "the contextfunction/contextfilter decorators",
        replaces="jinja2.contextfunction, jinja2.contextfilter, jinja2.evalcontextfunction, ...",
        replacement="jinja2.pass_context, jinja2.pass_eval_context, jinja2.pass_environment",
        applies=Applies(library="jinja2", versions=">=3.0"),
        deprecated_since="Jinja 3.0",
        removed_in="Jinja 3.1",
        safety=Safety.SAFE,
        link="https://jinja.palletsprojects.com/en/stable/changes/#version-3-0-0",
        needles=("contextfunction", "contextfilter", "environmentfunction", "environmentfilter"),
        requires_any=("jinja2",),
    )
    renames: ClassVar[dict[str, str]] = {
        f"{module}.{old}": f"jinja2.{new}"
        for module in ("jinja2", "jinja2.utils", "jinja2.filters", "jinja2.runtime")
        for old, new in (
            ("contextfunction", "pass_context"),
            ("contextfilter", "pass_context"),
            ("evalcontextfunction", "pass_eval_context"),
            ("evalcontextfilter", "pass_eval_context"),
            ("environmentfunction", "pass_environment"),
            ("environmentfilter", "pass_environment"),
        )
    }
