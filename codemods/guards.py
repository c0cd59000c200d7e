"""Compatibility guards: code that picks an API by what the running Python offers.

A guard is a ``try`` whose handlers catch only ``ImportError``/``ModuleNotFoundError``/
``AttributeError``, or an ``if`` whose test is a ``hasattr(...)`` call, a ``sys.version_info``
comparison or ``six.PY2``/``PY3`` (optionally under ``not``). Every arm of a guard runs on
some Python the project may support, so the engine hands no node inside a guard to the rules
(`codemods.engine.Combined`): a deprecated name in a fallback arm is the point of the guard,
not a use to rewrite. The one rule that looks inside guards (`codemods.compat_guards`) asks
`constant_test`/`import_available` whether the target Python makes an arm unreachable, and
then proposes removing the whole guard.

This module is the only place that knows what a guard looks like; what exists on which Python
is plain data in `codemods.pythons` (the ``ast`` pre-filter reads it without libcst).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst.metadata import ScopeProvider

from codemods.pythons import (
    PY2,
    PY3,
    VERSION_FIELDS,
    Literal,
    import_available,
    version_test_value,
)

GUARD_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError"})
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
VERSION_INFO = "sys.version_info"
HASATTR = "builtins.hasattr"
_TEST_WORDS = frozenset({"hasattr", "version_info", "PY2", "PY3"})

QualifiedNames = Callable[[cst.CSTNode], set[str]]


def _names(node: cst.CSTNode) -> set[str]:
    """Every identifier spelled in an expression (a cheap syntactic check)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        stack.extend(current.children)
    return found


def _caught(handler: cst.ExceptHandler) -> set[str] | None:
    """The exception names a handler catches (``None``: bare or not a plain name)."""
    kind = handler.type
    if kind is None:
        return None
    elements = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    names = {e.value for e in elements if isinstance(e, cst.Name)}
    return names if len(names) == len(elements) else None


def is_import_guard(node: cst.Try) -> bool:
    """``try: ... except ImportError | ModuleNotFoundError | AttributeError: ...``."""
    if not node.handlers:
        return False
    for handler in node.handlers:
        caught = _caught(handler)
        if not caught or not caught <= GUARD_ERRORS:
            return False
    return True


def _strip_not(test: cst.BaseExpression) -> tuple[cst.BaseExpression, bool]:
    negated = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
        negated = not negated
    return test, negated


def is_test_guard(test: cst.BaseExpression, names: QualifiedNames) -> bool:
    """A ``hasattr(...)`` call, a ``sys.version_info`` comparison or ``six.PY2``/``PY3``."""
    if _names(test).isdisjoint(_TEST_WORDS):
        return False
    test, _ = _strip_not(test)
    if isinstance(test, cst.Call):
        return HASATTR in names(test.func)
    if isinstance(test, cst.Name | cst.Attribute):
        return not names(test).isdisjoint(PY2 | PY3)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        return _version_read(test.left, names) is not None
    return False


class GuardFinder:
    """Tells whether a node of one parsed module is a compatibility guard.

    Qualified names come from the module's scope analysis, resolved only when a node first
    looks like a guard (most files have none).
    """

    def __init__(self, resolve_scopes: Callable[[], Any]) -> None:
        self._resolve_scopes = resolve_scopes
        self._scopes: Any = None

    def names(self, node: cst.CSTNode) -> set[str]:
        if self._scopes is None:
            self._scopes = self._resolve_scopes()
        scope = self._scopes.get(node)
        if scope is None:
            return set()
        try:
            return {q.name for q in scope.get_qualified_names_for(node)}
        except Exception:  # libcst raises on nodes it does not track
            return set()

    def is_guard(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Try):
            return is_import_guard(node)
        if isinstance(node, cst.If):
            return is_test_guard(node.test, self.names)
        return False


def scope_resolver(wrapper: Any) -> Callable[[], Any]:
    return lambda: wrapper.resolve(ScopeProvider)


# -- what a guard's test evaluates to on the target Pythons ----------------------------------

_OPERATOR_NAMES = {
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
    cst.Equal: "==",
    cst.NotEqual: "!=",
}


def _version_read(expr: cst.BaseExpression, names: QualifiedNames) -> str | None:
    """How ``expr`` reads ``sys.version_info`` (see `version_part`), if it does."""
    if VERSION_INFO in names(expr):
        return ""
    if isinstance(expr, cst.Attribute) and expr.attr.value in VERSION_FIELDS:
        return f".{expr.attr.value}" if VERSION_INFO in names(expr.value) else None
    if not isinstance(expr, cst.Subscript) or len(expr.slice) != 1:
        return None
    if VERSION_INFO not in names(expr.value):
        return None
    part = expr.slice[0].slice
    if isinstance(part, cst.Index) and isinstance(part.value, cst.Integer):
        return f"[{part.value.value}]"
    plain_slice = isinstance(part, cst.Slice) and part.lower is None and part.step is None
    if plain_slice and isinstance(part, cst.Slice) and isinstance(part.upper, cst.Integer):
        return f"[:{part.upper.value}]"
    return None


def _literal(expr: cst.BaseExpression) -> Literal | None:
    if isinstance(expr, cst.Integer):
        return int(expr.value)
    if isinstance(expr, cst.Tuple):
        values = [e.value for e in expr.elements]
        if values and all(isinstance(v, cst.Integer) for v in values):
            return tuple(int(v.value) for v in values if isinstance(v, cst.Integer))
    return None


def constant_test(
    test: cst.BaseExpression, names: QualifiedNames, floor: tuple[int, int]
) -> bool | None:
    """The value of a guard's test on every Python from ``floor`` on, or ``None`` if it varies
    (or cannot be known)."""
    test, negated = _strip_not(test)
    value: bool | None = None
    if isinstance(test, cst.Call) and HASATTR in names(test.func):
        value = _hasattr_value(test, names, floor)
    elif isinstance(test, cst.Name | cst.Attribute):
        found = names(test)
        value = True if found & PY3 else False if found & PY2 else None
    elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        value = _comparison_value(test, names, floor)
    if value is None:
        return None
    return not value if negated else value


def _hasattr_value(call: cst.Call, names: QualifiedNames, floor: tuple[int, int]) -> bool | None:
    if len(call.args) != 2 or any(a.keyword or a.star for a in call.args):
        return None
    target, attribute = call.args[0].value, call.args[1].value
    if not isinstance(attribute, cst.SimpleString):
        return None
    modules = names(target)
    if len(modules) != 1:
        return None
    attr = attribute.evaluated_value
    if not isinstance(attr, str):
        return None
    name = f"{next(iter(modules))}.{attr}"
    return True if import_available(name, floor) else None


def _comparison_value(
    test: cst.Comparison, names: QualifiedNames, floor: tuple[int, int]
) -> bool | None:
    read = _version_read(test.left, names)
    target = test.comparisons[0]
    op = _OPERATOR_NAMES.get(type(target.operator))
    literal = _literal(target.comparator)
    if read is None or op is None or literal is None:
        return None
    return version_test_value(read, op, literal, floor)
