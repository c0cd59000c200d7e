"""MB125: ``xml.etree.cElementTree`` → ``xml.etree.ElementTree`` (removed in Python 3.9)."""

from __future__ import annotations

from typing import ClassVar, TypeVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule
from codemods.helpers import SCOPED, dotted
from codemods.info import Applies, RuleInfo, Safety

OLD = "xml.etree.cElementTree"
NEW = "xml.etree.ElementTree"
ImportNode = TypeVar("ImportNode", cst.Import, cst.ImportFrom)


class CElementTree(Rule):
    info = RuleInfo(
        id="MB125",
        name="celementtree",
        family="stdlib-removals",
        summary="Import xml.etree.ElementTree; the cElementTree alias was removed",
        replaces="import xml.etree.cElementTree as ET",
        replacement="import xml.etree.ElementTree as ET",
        applies=Applies(),
        deprecated_since="Python 3.3",
        removed_in="Python 3.9",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.9.html#removed",
        needles=("cElementTree",),
        uses=(OLD, "xml.etree.cElementTree"),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        names = []
        for alias in updated_node.names:
            full = cst.helpers.get_full_name_for_node(alias.name)
            # Without "as", the dotted name is used as such everywhere; leave that form alone.
            if full == OLD and alias.asname is not None:
                alias = alias.with_changes(name=dotted(NEW))
            names.append(alias)
        return self._done(original_node, updated_node.with_changes(names=names))

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        if updated_node.relative or updated_node.module is None:
            return updated_node
        module = cst.helpers.get_full_name_for_node(updated_node.module)
        if module == OLD:
            return self._done(original_node, updated_node.with_changes(module=dotted(NEW)))
        if module != "xml.etree" or isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        names = []
        for alias in updated_node.names:
            if cst.helpers.get_full_name_for_node(alias.name) == "cElementTree":
                asname = alias.asname or cst.AsName(name=cst.Name("cElementTree"))
                alias = alias.with_changes(name=cst.Name("ElementTree"), asname=asname)
            names.append(alias)
        return self._done(original_node, updated_node.with_changes(names=names))

    def _done(self, original: cst.CSTNode, updated: ImportNode) -> ImportNode:
        if not original.deep_equals(updated):
            self.record(original, updated)
        return updated
