"""MB213: ``pytest.raises(..., message=...)`` was removed in pytest 5 (report only)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, keyword, qualified_name
from codemods.info import Applies, RuleInfo, Safety

RAISES = "pytest.raises"


class PytestRaisesMessage(Rule):
    info = RuleInfo(
        id="MB213",
        name="pytest-raises-message",
        family="pytest",
        summary="pytest.raises() no longer takes message=: fail explicitly instead",
        replaces="with pytest.raises(E, message='…'):",
        replacement="drop message= and call pytest.fail('…') as the block's last statement",
        applies=Applies(),
        deprecated_since="pytest 4.1",
        removed_in="pytest 5.0",
        safety=Safety.REPORT_ONLY,
        link="https://docs.pytest.org/en/stable/deprecations.html#message-parameter-of-pytest-raises",
        needles=("message",),
        requires_any=("raises",),
        uses=(RAISES,),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def visit_Call(self, node: cst.Call) -> None:
        if keyword(node, "message") is not None and qualified_name(self, node.func) == RAISES:
            self.record(node, None)
