"""MB116: ``inspect.getargspec``/``formatargspec`` were removed in 3.11 (report only)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, qualified_name
from codemods.info import Applies, RuleInfo, Safety

ADVICE = {
    "inspect.getargspec": "use inspect.getfullargspec(f) (its 'keywords' is now 'varkw') "
    "or inspect.signature(f)",
    "inspect.formatargspec": "format a signature with str(inspect.signature(f))",
}
OLD = frozenset(ADVICE)


class InspectGetargspec(Rule):
    info = RuleInfo(
        id="MB116",
        name="inspect-getargspec",
        family="inspect",
        summary="inspect.getargspec() is gone; port to inspect.signature() or getfullargspec()",
        replaces="inspect.getargspec(f), inspect.formatargspec(...)",
        replacement="inspect.signature(f) (or getfullargspec: its 'varkw' was 'keywords')",
        applies=Applies(),
        deprecated_since="Python 3.0",
        removed_in="Python 3.11",
        safety=Safety.REPORT_ONLY,
        link="https://docs.python.org/3/whatsnew/3.11.html#removed",
        needles=("getargspec", "formatargspec"),
        uses=tuple(sorted(OLD)),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def visit_Call(self, node: cst.Call) -> None:
        name = qualified_name(self, node.func)
        if name in OLD:
            self.record(node, None, ADVICE[name])
