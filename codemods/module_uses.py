"""The shared machinery of report-only rules for a module that is gone (``pkg_resources``,
``imp``, ``distutils``): every use of a name from it is reported where it is used, with the
advice for that name, except what a rewriting rule of the same pass fixes.

A use is the longest dotted expression that starts at a name imported from the module
(``pkg_resources.resource_filename``), shown with its call when it is called. An import of the
module that nothing uses is reported at the import (importing it already fails).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import libcst as cst
from libcst.metadata import ImportAssignment, ProviderT, QualifiedNameSource, ScopeProvider

from codemods.base import Rule, RuleRun
from codemods.helpers import qualified, scope_of


class ModuleUses(Rule):
    module: ClassVar[str]
    advice: ClassVar[Mapping[str, str]]
    """Qualified name (``pkg_resources.require``) → what to do instead."""
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = (ScopeProvider,)

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self._import_depth = 0

    def fixed_elsewhere(self, name: str, use: cst.BaseExpression) -> bool:
        """Does a rewriting rule of this pass fix this use? (Override per module.)"""
        return False

    def advise(self, name: str, use: cst.CSTNode) -> str:
        return self.advice.get(name) or self.advice.get(name.rpartition(".")[0], "")

    def visit_Import(self, node: cst.Import) -> None:
        self._import_depth += 1
        for alias in node.names:
            if self._ours(alias.evaluated_name):
                local = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
                self._report_unused_import(node, local, alias.evaluated_name)

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> cst.Import | cst.RemovalSentinel:
        self._import_depth -= 1
        return updated_node

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._import_depth += 1
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = cst.helpers.get_full_name_for_node(node.module) or ""
        if not self._ours(module):
            return
        for alias in node.names:
            local = alias.evaluated_alias or alias.evaluated_name
            self._report_unused_import(node, local, f"{module}.{alias.evaluated_name}")

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        self._import_depth -= 1
        return updated_node

    def visit_Name(self, node: cst.Name) -> None:
        if self._import_depth:
            return
        names = qualified(self, node)
        if len(names) != 1:
            return
        only = next(iter(names))
        if only.source is not QualifiedNameSource.IMPORT or not self._ours(only.name):
            return
        use: cst.BaseExpression = node
        name = only.name
        while True:
            parent = self.parent(use)
            if not isinstance(parent, cst.Attribute) or parent.value is not use:
                break
            use, name = parent, f"{name}.{parent.attr.value}"
        if self.fixed_elsewhere(name, use):
            return
        parent = self.parent(use)
        shown = parent if isinstance(parent, cst.Call) and parent.func is use else use
        self.record(shown, None, self.advise(name, use))

    def _ours(self, name: str) -> bool:
        return name == self.module or name.startswith(self.module + ".")

    def _report_unused_import(self, node: cst.CSTNode, local: str, name: str) -> None:
        scope = scope_of(self, node)
        if scope is None:
            return
        for assignment in scope.assignments[local]:
            ours = isinstance(assignment, ImportAssignment) and assignment.node is node
            if ours and not assignment.references:
                self.record(node, None, self.advise(name, node))
