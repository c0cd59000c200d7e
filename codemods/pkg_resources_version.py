"""MB115: ``pkg_resources.get_distribution(x).version`` → ``importlib.metadata.version(x)``."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, drop_use, module_reference, positional, qualified_name
from codemods.info import Applies, RuleInfo, Safety

OLD = "pkg_resources.get_distribution"


def rewritable(name: str, call: cst.Call, attribute: cst.Attribute) -> bool:
    """Is ``attribute`` ``<name>(x).version`` in the one form MB115 rewrites?"""
    return (
        name == OLD
        and attribute.value is call
        and attribute.attr.value == "version"
        and len(positional(call)) == 1
        and len(call.args) == 1
    )


class PkgResourcesVersion(Rule):
    info = RuleInfo(
        id="MB115",
        name="pkg-resources-version",
        family="importlib",
        summary="Read an installed distribution's version with importlib.metadata",
        replaces="pkg_resources.get_distribution(name).version",
        replacement="importlib.metadata.version(name)",
        applies=Applies(python="3.8"),
        deprecated_since="setuptools 67.5 (pkg_resources)",
        removed_in="setuptools 81",
        safety=Safety.CONDITIONAL,
        link="https://setuptools.pypa.io/en/latest/pkg_resources.html",
        needles=("get_distribution",),
        uses=(OLD,),
        risk_note="A missing distribution raises importlib.metadata.PackageNotFoundError instead "
        "of pkg_resources.DistributionNotFound: check the surrounding except clauses.",
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        call = original_node.value
        if not isinstance(call, cst.Call) or original_node.attr.value != "version":
            return updated_node
        if not rewritable(qualified_name(self, call.func) or "", call, original_node):
            return updated_node
        module = module_reference(self, original_node, "importlib.metadata")
        if module is None:
            return updated_node
        updated_call = updated_node.value
        assert isinstance(updated_call, cst.Call)
        replacement = cst.Call(
            func=cst.Attribute(value=module, attr=cst.Name("version")),
            args=updated_call.args,
            lpar=updated_node.lpar,
            rpar=updated_node.rpar,
        )
        drop_use(self, call.func)
        self.record(original_node, replacement)
        return replacement
