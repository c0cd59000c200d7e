"""Mechanical fixes of a flaky test's cause, written with libcst (every other byte stays).

Each fix applies only where it is certainly what the code means; anything else raises
:class:`FixError` with the reason, and the caller reports the flake without a fix:

- **randomness**: the module's ``random.<draw>(...)`` calls inside the test go through a
  generator of its own, ``rng = random.Random(SEED)`` (the global generator, shared with every
  other test, stays untouched). Only for ``import random`` used by its name.
- **unordered collection**: ``list(s)`` / ``tuple(s)`` / ``sep.join(s)`` of a set inside an
  assertion becomes ``sorted(s)`` / ``tuple(sorted(s))`` / ``sep.join(sorted(s))``.
- **async wait**: a fixed ``time.sleep(N)`` directly followed by ``assert CONDITION`` becomes a
  call of the repository's own bounded wait loop, ``helper(lambda: CONDITION, timeout=T)``,
  before the same assertion (so a helper that returns rather than raises still fails the test).

The edited file must parse and compile, or nothing is changed.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from app.flaky.causes import RANDOM_CALLS, find_test
from app.flaky.edits import DropImport, EditError, compiled, function_of_test, parsed, uses_name

MIN_WAIT_SECONDS = 5.0
WAIT_FACTOR = 10.0
"""The wait loop's timeout: ten times the fixed sleep, at least five seconds."""


class FixError(EditError):
    """No safe mechanical fix (the message says why)."""


@dataclass(frozen=True)
class WaitHelper:
    """A bounded wait loop the repository already has: ``name(condition, ..., timeout=...)``."""

    name: str
    module: str | None
    """Its dotted module, to import it from; ``None`` when it is in the test's own file."""
    timeout_parameter: str
    file: str
    line: int


@dataclass(frozen=True)
class Fixed:
    text: str
    change: str
    """One sentence: what the fix does."""


def _test_line(source: str, test_id: str, path: str) -> int:
    return function_of_test(source, test_id, path, FixError).lineno


def _module(source: str, path: str) -> MetadataWrapper:
    return parsed(source, path, FixError)


def _compiled(code: str, path: str) -> str:
    return compiled(code, path, FixError)


class _InTest(cst.CSTTransformer):
    """Transforms only inside the test function whose name starts on ``line``."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.depth = 0
        self.found = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if self.depth or self.get_metadata(PositionProvider, node.name).start.line == self.line:
            self.depth += 1
            self.found = True
        return True

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if self.depth:
            self.depth -= 1
            if self.depth == 0:
                return self.leave_test(updated_node)
        return updated_node

    def leave_test(self, node: cst.FunctionDef) -> cst.FunctionDef:
        return node


# randomness ----------------------------------------------------------------------------------


def _imports_random_module(module: cst.Module) -> bool:
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import) and any(
                    isinstance(a.name, cst.Name) and a.name.value == "random" and a.asname is None
                    for a in small.names
                ):
                    return True
    return False


def _names_bound(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


class _SeedRandom(_InTest):
    def __init__(self, line: int, generator: str, seed: int) -> None:
        super().__init__(line)
        self.generator = generator
        self.seed = seed
        self.calls = 0

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if (
            self.depth
            and isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "random"
            and func.attr.value in RANDOM_CALLS
        ):
            self.calls += 1
            return updated_node.with_changes(func=func.with_changes(value=cst.Name(self.generator)))
        return updated_node

    def leave_test(self, node: cst.FunctionDef) -> cst.FunctionDef:
        if not self.calls or not isinstance(node.body, cst.IndentedBlock):
            return node
        body = list(node.body.body)
        position = 0
        if body and _is_docstring(body[0]):
            position = 1
        seeding = cst.parse_statement(f"{self.generator} = random.Random({self.seed})\n")
        body.insert(position, seeding)
        return node.with_changes(body=node.body.with_changes(body=body))


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def seed_random(source: str, test_id: str, path: str, seed: int) -> Fixed:
    """The test's draws from the module ``random`` made by its own seeded generator."""
    line = _test_line(source, test_id, path)
    tree = ast.parse(source)
    function = find_test(tree, test_id)
    assert function is not None  # _test_line found it
    if "random" in _names_bound(function):
        raise FixError(f"{path}: the test binds the name random itself")
    wrapper = _module(source, path)
    if not _imports_random_module(wrapper.module):
        raise FixError(f"{path}: random is not imported as `import random`")
    used = _names_bound(function) | {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
    generator = next(n for n in ("rng", "rng_", "seeded_rng", "_rng") if n not in used)
    seeder = _SeedRandom(line, generator, seed)
    module = wrapper.visit(seeder)
    if not seeder.calls:
        raise FixError(f"{path}: {test_id} draws nothing from random.<function>(...) itself")
    return Fixed(
        _compiled(module.code, path),
        f"the test's {seeder.calls} draw(s) from random use their own generator, "
        f"{generator} = random.Random({seed})",
    )


# unordered collections -----------------------------------------------------------------------


def _set_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and _is_set_expression(node.value, names):
                names.add(target.id)
    return names


def _is_set_expression(node: ast.AST, names: set[str]) -> bool:
    if isinstance(node, ast.Set | ast.SetComp):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in {"set", "frozenset"}
    return isinstance(node, ast.Name) and node.id in names


def _cst_is_set(node: cst.BaseExpression, names: set[str]) -> bool:
    if isinstance(node, cst.Set | cst.SetComp):
        return True
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
        return node.func.value in {"set", "frozenset"}
    return isinstance(node, cst.Name) and node.value in names


class _SortSets(_InTest):
    def __init__(self, line: int, names: set[str]) -> None:
        super().__init__(line)
        self.names = names
        self.in_assert = 0
        self.changed = 0

    def visit_Assert(self, node: cst.Assert) -> bool:
        if self.depth:
            self.in_assert += 1
        return True

    def leave_Assert(self, original_node: cst.Assert, updated_node: cst.Assert) -> cst.Assert:
        if self.depth:
            self.in_assert -= 1
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not (self.depth and self.in_assert) or len(updated_node.args) != 1:
            return updated_node
        argument = updated_node.args[0]
        if (
            argument.keyword is not None
            or argument.star
            or not _cst_is_set(argument.value, self.names)
        ):
            return updated_node
        func = updated_node.func
        ordered = cst.Call(func=cst.Name("sorted"), args=[argument.with_changes(comma=None)])
        if isinstance(func, cst.Name) and func.value == "list":
            self.changed += 1
            return ordered
        if (isinstance(func, cst.Name) and func.value == "tuple") or (
            isinstance(func, cst.Attribute) and func.attr.value == "join"
        ):
            self.changed += 1
            return updated_node.with_changes(args=[cst.Arg(ordered)])
        return updated_node


def sort_sets(source: str, test_id: str, path: str) -> Fixed:
    """Sets turned into sequences inside the test's assertions are sorted first."""
    line = _test_line(source, test_id, path)
    function = find_test(ast.parse(source), test_id)
    assert function is not None
    sorter = _SortSets(line, _set_names(function))
    module = _module(source, path).visit(sorter)
    if not sorter.changed:
        raise FixError(f"{path}: no list()/tuple()/join() of a set in {test_id}'s assertions")
    return Fixed(
        _compiled(module.code, path),
        f"{sorter.changed} set(s) sorted before the assertion compares them",
    )


# async wait ----------------------------------------------------------------------------------


def _sleep_seconds(statement: cst.BaseStatement) -> float | None:
    """N of a statement that is only ``time.sleep(N)`` with a literal N."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    expression = statement.body[0]
    if not isinstance(expression, cst.Expr) or not isinstance(expression.value, cst.Call):
        return None
    call = expression.value
    func = call.func
    if not (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value == "time"
        and func.attr.value == "sleep"
        and len(call.args) == 1
        and isinstance(call.args[0].value, cst.Integer | cst.Float)
    ):
        return None
    value = call.args[0].value
    assert isinstance(value, cst.Integer | cst.Float)
    return float(value.evaluated_value)


def _assertion(statement: cst.BaseStatement) -> cst.Assert | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Assert):
            return small
    return None


class _WaitInstead(_InTest):
    def __init__(self, line: int, helper: WaitHelper) -> None:
        super().__init__(line)
        self.helper = helper
        self.changed = 0

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if not self.depth:
            return updated_node
        body: list[cst.BaseStatement] = list(updated_node.body)
        for index in range(len(body) - 1):
            seconds = _sleep_seconds(body[index])
            check = _assertion(body[index + 1])
            if seconds is None or check is None:
                continue
            timeout = max(MIN_WAIT_SECONDS, seconds * WAIT_FACTOR)
            condition = cst.Module([]).code_for_node(check.test)
            call = cst.parse_statement(
                f"{self.helper.name}(lambda: {condition}, "
                f"{self.helper.timeout_parameter}={timeout:g})\n"
            )
            old = body[index]
            assert isinstance(old, cst.SimpleStatementLine)
            body[index] = call.with_changes(leading_lines=old.leading_lines)
            self.changed += 1
        return updated_node.with_changes(body=body)


def wait_instead_of_sleep(source: str, test_id: str, path: str, helper: WaitHelper) -> Fixed:
    """``time.sleep(N)`` + ``assert C`` → ``helper(lambda: C, timeout=T)`` + ``assert C``."""
    line = _test_line(source, test_id, path)
    wrapper = _module(source, path)
    waiter = _WaitInstead(line, helper)
    module = wrapper.visit(waiter)
    if not waiter.changed:
        raise FixError(f"{path}: no time.sleep(N) directly before an assert in {test_id}")
    if helper.module is not None:
        module = _with_import(module, helper.module, helper.name)
    if not uses_name(module, "time"):
        module = module.visit(DropImport("time"))
    return Fixed(
        _compiled(module.code, path),
        f"{waiter.changed} fixed sleep(s) replaced by the repository's bounded wait loop "
        f"{helper.name} ({helper.file}:{helper.line})",
    )


def _with_import(module: cst.Module, dotted: str, name: str) -> cst.Module:
    """``from dotted import name`` after the module's leading imports (none when present)."""
    body: Sequence[cst.BaseStatement] = module.body
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (
                    isinstance(small, cst.ImportFrom)
                    and small.module is not None
                    and cst.Module([]).code_for_node(small.module) == dotted
                    and not isinstance(small.names, cst.ImportStar)
                    and any(
                        isinstance(a.name, cst.Name) and a.name.value == name and a.asname is None
                        for a in small.names
                    )
                ):
                    return module
    position = 0
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and (
            isinstance(statement.body[0], cst.Import | cst.ImportFrom) or _is_docstring(statement)
        ):
            position = index + 1
        else:
            break
    statement = cst.parse_statement(f"from {dotted} import {name}\n")
    return module.with_changes(body=[*body[:position], statement, *body[position:]])
