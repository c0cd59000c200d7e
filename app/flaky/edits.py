"""The quarantine edit (a marker above the flaky test) and the release edit (the marker removed),
written with libcst (every other byte stays). The result must parse and compile, or nothing is
changed and the reason is given."""

from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from app.flaky.causes import find_test


class EditError(Exception):
    """The test could not be quarantined (the message says why)."""


def quarantine(source: str, test_id: str, marker: str, path: str) -> str:
    """``source`` with ``marker`` (``@pytest.mark...``) above the test and ``import pytest``."""
    function = function_of_test(source, test_id, path)
    adder = _AddMarker(function.lineno, marker)
    module = parsed(source, path).visit(adder)
    if not adder.done:
        raise EditError(f"{path}: {test_id} is already marked, or was not found")
    if not _imports_pytest(module):
        module = _with_pytest_import(module)
    return compiled(module.code, path)


def function_of_test(
    source: str, test_id: str, path: str, error: type[EditError] | None = None
) -> ast.FunctionDef | ast.AsyncFunctionDef:
    """The test's function in ``source``; ``error`` (default `EditError`) when there is none."""
    fail = error or EditError
    try:
        function = find_test(ast.parse(source), test_id)
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise fail(f"{path} does not parse: {exc}") from None
    if function is None:
        raise fail(f"{path}: no function for {test_id}")
    return function


def parsed(source: str, path: str, error: type[EditError] | None = None) -> MetadataWrapper:
    try:
        return MetadataWrapper(cst.parse_module(source))
    except cst.ParserSyntaxError as exc:
        raise (error or EditError)(f"{path} does not parse with libcst: {exc.message}") from None


def compiled(code: str, path: str, error: type[EditError] | None = None) -> str:
    """``code`` when it compiles; the edit is refused otherwise."""
    try:
        compile(code, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise (error or EditError)(f"{path}: the edited file does not compile: {exc}") from None
    return code


class _AddMarker(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, line: int, marker: str) -> None:
        super().__init__()
        self.line = line
        self.decorator = cst.Decorator(decorator=cst.parse_expression(marker.lstrip("@")))
        self.done = False

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        position = self.get_metadata(PositionProvider, original_node.name)
        if position.start.line != self.line:
            return updated_node
        for existing in original_node.decorators:
            text = cst.Module([]).code_for_node(existing.decorator)
            if text.startswith(("pytest.mark.flaky", "pytest.mark.xfail")):
                return updated_node
        self.done = True
        return updated_node.with_changes(decorators=[*updated_node.decorators, self.decorator])


def _imports_pytest(module: cst.Module) -> bool:
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import) and any(
                    isinstance(alias.name, cst.Name)
                    and alias.name.value == "pytest"
                    and alias.asname is None
                    for alias in small.names
                ):
                    return True
    return False


def _with_pytest_import(module: cst.Module) -> cst.Module:
    """``import pytest`` after the docstring and the ``__future__`` imports."""
    body = list(module.body)
    position = 0
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        first = statement.body[0]
        is_docstring = (
            index == 0
            and isinstance(first, cst.Expr)
            and isinstance(first.value, cst.SimpleString | cst.ConcatenatedString)
        )
        is_future = isinstance(first, cst.ImportFrom) and (
            isinstance(first.module, cst.Name) and first.module.value == "__future__"
        )
        if not (is_docstring or is_future):
            break
        position = index + 1
    statement = cst.parse_statement("import pytest\n")
    if position < len(body):
        following = body[position]
        # the import takes the blank lines before the statement it precedes
        statement = statement.with_changes(leading_lines=following.leading_lines)
        is_import = isinstance(following, cst.SimpleStatementLine) and isinstance(
            following.body[0], cst.Import | cst.ImportFrom
        )
        body[position] = following.with_changes(
            leading_lines=[] if is_import else [cst.EmptyLine()]
        )
    body.insert(position, statement)
    return module.with_changes(body=body)


def release(source: str, test_id: str, path: str) -> str:
    """``source`` without the test's quarantine marker (and without ``import pytest`` when
    nothing else uses it); :class:`EditError` when there is nothing to remove."""
    from app.flaky.release import quarantine_of

    quarantine = quarantine_of(source, test_id)
    if quarantine is None:
        raise EditError(f"{path}: {test_id} has no quarantine marker")
    remover = _RemoveMarker(quarantine.line)
    module = parsed(source, path).visit(remover)
    if not remover.done:
        raise EditError(f"{path}: the marker of {test_id} was not found")
    if not uses_name(module, "pytest"):
        module = module.visit(DropImport("pytest"))
    return compiled(module.code, path)


class _RemoveMarker(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.done = False

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        kept = []
        for original, updated in zip(
            original_node.decorators, updated_node.decorators, strict=True
        ):
            start = self.get_metadata(PositionProvider, original.decorator).start.line
            if start == self.line and not self.done:
                self.done = True
                continue
            kept.append(updated)
        if len(kept) == len(updated_node.decorators):
            return updated_node
        return updated_node.with_changes(decorators=kept)


def uses_name(module: cst.Module, name: str) -> bool:
    """``name`` is used somewhere other than in an ``import`` statement."""

    class _Finder(cst.CSTVisitor):
        found = False

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                self.found = True

    finder = _Finder()
    module.visit(finder)
    return finder.found


class DropImport(cst.CSTTransformer):
    """Removes a statement that is only ``import <name>``."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if len(updated_node.body) == 1 and isinstance(updated_node.body[0], cst.Import):
            names = updated_node.body[0].names
            if (
                len(names) == 1
                and isinstance(names[0].name, cst.Name)
                and names[0].name.value == self.name
                and names[0].asname is None
            ):
                return cst.RemoveFromParent()
        return updated_node
