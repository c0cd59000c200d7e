"""MB118: ``unittest.makeSuite``/``findTestCases`` → ``TestLoader`` (removed in 3.13)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, drop_use, module_reference, positional, qualified_name
from codemods.info import Applies, RuleInfo, Safety

LOADERS = {
    "unittest.makeSuite": ("TestLoader()", "loadTestsFromTestCase"),
    "unittest.findTestCases": ("defaultTestLoader", "loadTestsFromModule"),
}


class UnittestMakeSuite(Rule):
    info = RuleInfo(
        id="MB118",
        name="unittest-make-suite",
        family="unittest",
        summary="Load tests through unittest.TestLoader",
        replaces="unittest.makeSuite(Case), unittest.findTestCases(module)",
        replacement="unittest.TestLoader().loadTestsFromTestCase(Case), "
        "unittest.defaultTestLoader.loadTestsFromModule(module)",
        applies=Applies(),
        deprecated_since="Python 3.11",
        removed_in="Python 3.13",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.13.html#unittest",
        needles=("makeSuite", "findTestCases"),
        uses=tuple(LOADERS),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        old = qualified_name(self, original_node.func)
        if old not in LOADERS:
            return updated_node
        if len(positional(original_node)) != 1 or len(original_node.args) != 1:
            return updated_node
        module = module_reference(self, original_node, "unittest")
        if module is None:
            return updated_node
        loader_text, method = LOADERS[old]
        loader: cst.BaseExpression = cst.Attribute(
            value=module, attr=cst.Name(loader_text.removesuffix("()"))
        )
        if loader_text.endswith("()"):
            loader = cst.Call(func=loader)
        replacement = updated_node.with_changes(
            func=cst.Attribute(value=loader, attr=cst.Name(method))
        )
        drop_use(self, original_node.func)
        self.record(original_node, replacement)
        return replacement
