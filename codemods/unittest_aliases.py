"""MB101: the deprecated ``TestCase`` method aliases removed in Python 3.12."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, class_defines, local_class_chain, self_method_class
from codemods.info import Applies, RuleInfo, Safety

ALIASES = {
    "failUnlessEqual": "assertEqual",
    "assertEquals": "assertEqual",
    "failIfEqual": "assertNotEqual",
    "assertNotEquals": "assertNotEqual",
    "failUnless": "assertTrue",
    "assert_": "assertTrue",
    "failIf": "assertFalse",
    "failUnlessRaises": "assertRaises",
    "failUnlessAlmostEqual": "assertAlmostEqual",
    "assertAlmostEquals": "assertAlmostEqual",
    "failIfAlmostEqual": "assertNotAlmostEqual",
    "assertNotAlmostEquals": "assertNotAlmostEqual",
    "assertRegexpMatches": "assertRegex",
    "assertNotRegexpMatches": "assertNotRegex",
    "assertRaisesRegexp": "assertRaisesRegex",
}


def self_alias(rule: Rule, node: cst.Attribute, names: frozenset[str]) -> bool:
    """``self.<alias>`` in a method of a class that does not define the alias itself."""
    if node.attr.value not in names:
        return False
    cls = self_method_class(rule, node.value)
    if cls is None:
        return False
    return not any(class_defines(c, node.attr.value) for c in local_class_chain(rule, cls))


class UnittestAliases(Rule):
    info = RuleInfo(
        id="MB101",
        name="unittest-aliases",
        family="unittest",
        summary="Use the TestCase assertion names that survive Python 3.12",
        replaces="self.assertEquals, self.failUnless, self.assert_, self.assertRegexpMatches, …",
        replacement="self.assertEqual, self.assertTrue, self.assertTrue, self.assertRegex, …",
        applies=Applies(python="3.2"),
        deprecated_since="Python 3.2",
        removed_in="Python 3.12",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.12.html#id3",
        needles=tuple(ALIASES),
        requires_any=("self.",),
        attrs=tuple(ALIASES),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED
    _names = frozenset(ALIASES)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if not self_alias(self, original_node, self._names):
            return updated_node
        replacement = updated_node.with_changes(attr=cst.Name(ALIASES[original_node.attr.value]))
        self.record(original_node, replacement)
        return replacement
