"""MB102: ``assertDictContainsSubset`` was removed in 3.12 with no drop-in replacement."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED
from codemods.info import Applies, RuleInfo, Safety
from codemods.unittest_aliases import self_alias


class AssertDictContainsSubset(Rule):
    info = RuleInfo(
        id="MB102",
        name="unittest-dict-contains-subset",
        family="unittest",
        summary="assertDictContainsSubset is gone in Python 3.12; rewrite the assertion by hand",
        replaces="self.assertDictContainsSubset(subset, d)",
        replacement="self.assertEqual(d, d | subset) or an explicit comparison",
        applies=Applies(python="3.2"),
        deprecated_since="Python 3.2",
        removed_in="Python 3.12",
        safety=Safety.REPORT_ONLY,
        link="https://docs.python.org/3/whatsnew/3.12.html#id3",
        needles=("assertDictContainsSubset",),
        attrs=("assertDictContainsSubset",),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED
    _names = frozenset({"assertDictContainsSubset"})

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self_alias(self, node, self._names):
            self.record(node, None)
