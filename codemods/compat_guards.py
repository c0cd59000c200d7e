"""MB127: remove a compatibility guard whose fallback the project's oldest Python never runs.

``try: from collections.abc import Sequence / except ImportError: from collections import
Sequence`` on a project whose oldest Python is 3.3 or later keeps only the first arm, and so do
``if sys.version_info >= (3, 8): ... else: ...``, ``if six.PY3:`` and ``if hasattr(inspect,
"getfullargspec"):`` when the test has one value on every Python the project declares. A guard
is removed only when that is provable: the ``try`` body is nothing but imports that exist on
the oldest Python (`codemods.pythons.AVAILABLE`), its handlers bind no name the body does not,
and it has no ``finally``; a test's value is computed for every Python from the oldest on.
Without a known oldest Python nothing is removed.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule, RuleRun
from codemods.guards import IMPORT_ERRORS, constant_test, is_import_guard, is_test_guard
from codemods.helpers import SCOPED, qualified_names
from codemods.imports import Body, statements
from codemods.info import Applies, RuleInfo, Safety, parse_python
from codemods.pythons import AVAILABLE, import_available


class ObsoleteCompatGuard(Rule):
    info = RuleInfo(
        id="MB127",
        name="obsolete-compat-guard",
        family="compat",
        summary="Remove a compatibility guard whose fallback no supported Python runs",
        replaces="try: <new import> except ImportError: <old import>; if sys.version_info …",
        replacement="the arm every supported Python runs, without the guard",
        applies=Applies(),
        deprecated_since="the project's oldest declared Python",
        removed_in=None,
        safety=Safety.SAFE,
        link="https://docs.python.org/3/library/sys.html#sys.version_info",
        needles=(
            "except ImportError",
            "except (ImportError",
            "except ModuleNotFoundError",
            "except (ModuleNotFoundError",
            "version_info",
            "PY2",
            "PY3",
            "hasattr(",
        ),
        text_filter="compat-guards",
        text_values=tuple(sorted({name.rpartition(".")[2] for name in AVAILABLE})),
        ast_filter="compat-guards",
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED
    sees_guards: ClassVar[bool] = True

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self.floor = parse_python(run.facts.python)
        self._elifs: set[int] = set()

    def leave_Try(
        self, original_node: cst.Try, updated_node: cst.Try
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if self.floor is None or not self._obsolete_try(original_node):
            return updated_node
        if not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        kept = statements(updated_node.body.body)
        if isinstance(updated_node.orelse, cst.Else):
            if not isinstance(updated_node.orelse.body, cst.IndentedBlock):
                return updated_node
            kept.extend(statements(updated_node.orelse.body.body))
        return self._replace(original_node, updated_node, kept)

    def leave_If(
        self, original_node: cst.If, updated_node: cst.If
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if self.floor is None or not is_test_guard(original_node.test, self._names):
            return updated_node
        if id(original_node) in self._elifs:
            return updated_node
        value = constant_test(original_node.test, self._names, self.floor)
        if value is None:
            return updated_node
        kept: Body
        if value:
            if not isinstance(updated_node.body, cst.IndentedBlock):
                return updated_node
            kept = statements(updated_node.body.body)
        elif isinstance(updated_node.orelse, cst.Else):
            if not isinstance(updated_node.orelse.body, cst.IndentedBlock):
                return updated_node
            kept = statements(updated_node.orelse.body.body)
        elif isinstance(updated_node.orelse, cst.If):
            kept = [updated_node.orelse]
        else:
            return updated_node  # removing the statement could leave an empty block
        return self._replace(original_node, updated_node, kept)

    def _names(self, node: cst.CSTNode) -> set[str]:
        return qualified_names(self, node)

    def visit_If(self, node: cst.If) -> None:
        if isinstance(node.orelse, cst.If):
            self._elifs.add(id(node.orelse))

    def _replace(
        self,
        original: cst.Try | cst.If,
        updated: cst.Try | cst.If,
        kept: Body,
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if not kept:
            return updated
        kept[0] = kept[0].with_changes(
            leading_lines=[*updated.leading_lines, *kept[0].leading_lines]
        )
        shown = " ".join(self.code(s).strip() for s in kept)
        self.record(original, shown)
        return cst.FlattenSentinel(kept)

    def _obsolete_try(self, node: cst.Try) -> bool:
        if node.finalbody is not None or not is_import_guard(node):
            return False
        for handler in node.handlers:
            if handler.type is None or not set(_caught_names(handler.type)) <= IMPORT_ERRORS:
                return False
        body = node.body
        if not isinstance(body, cst.IndentedBlock):
            return False
        imports = _imports(list(body.body))
        if imports is None or not imports:
            return False
        assert self.floor is not None
        if not all(import_available(name, self.floor) for name, _ in imports):
            return False
        bound = {local for _, local in imports}
        return all(_bound_names(h.body) <= bound for h in node.handlers)


def _caught_names(kind: cst.BaseExpression) -> list[str]:
    elements = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    return [e.value if isinstance(e, cst.Name) else "" for e in elements]


def _imports(
    statements: list[cst.BaseStatement] | tuple[cst.BaseStatement, ...],
) -> list[tuple[str, str]] | None:
    """(qualified name, local name) of every import, or ``None`` if anything else is there."""
    found: list[tuple[str, str]] = []
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            return None
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    local = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
                    if alias.evaluated_alias is None and "." in alias.evaluated_name:
                        return None  # ``import a.b`` binds ``a``: keep it simple
                    found.append((alias.evaluated_name, local))
            elif isinstance(small, cst.ImportFrom):
                if (
                    small.relative
                    or small.module is None
                    or isinstance(small.names, cst.ImportStar)
                ):
                    return None
                module = cst.helpers.get_full_name_for_node(small.module) or ""
                for alias in small.names:
                    name = alias.evaluated_name
                    found.append((f"{module}.{name}", alias.evaluated_alias or name))
            elif not isinstance(small, cst.Pass):
                return None
    return found


def _bound_names(block: cst.BaseSuite) -> set[str]:
    """Names a handler binds at its top level (imports and plain assignments)."""
    bound: set[str] = set()
    statements = block.body if isinstance(block, cst.IndentedBlock) else ()
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    bound |= {
                        a.evaluated_alias or a.evaluated_name.split(".")[0] for a in small.names
                    }
                elif isinstance(small, cst.ImportFrom) and not isinstance(
                    small.names, cst.ImportStar
                ):
                    bound |= {a.evaluated_alias or a.evaluated_name for a in small.names}
                elif isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            bound.add(target.target.value)
                        else:
                            bound.add("<complex>")
                elif isinstance(small, cst.AnnAssign | cst.AugAssign):
                    bound.add("<complex>")
        else:
            bound.add("<compound>")  # a def or class in a fallback: keep the guard
    return bound
