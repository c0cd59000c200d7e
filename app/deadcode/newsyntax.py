"""Read code written in syntax newer than the running Python (PEP 695, PEP 701) with libcst.

libcst parses the newest grammar. `downgrade` rewrites the few new forms into older syntax that
the stdlib ``ast`` of this interpreter parses and that yields the same facts, on the same lines:

- ``type Alias[T] = value`` becomes ``Alias = value``;
- type parameter lists (``class Box[T]:``, ``def first[T](...)``) are dropped;
- f-strings become ``("<text before the first field>%s" % (field, ...))``, which keeps every
  name the fields read and the constant prefix (``f"visit_{kind}"`` still names ``visit_*``).

Only the facts are taken from the rewritten text; such files are never edited (the removal
codemod could not check that its result compiles on this interpreter).
"""

from __future__ import annotations

import libcst as cst

_EMPTY = cst.Module(body=[])


def downgrade(source: bytes) -> str | None:
    """Older-syntax text with the same lines, or ``None`` when libcst cannot read it either."""
    try:
        module = cst.parse_module(source)
        changed = module.visit(_Downgrade())
    except (cst.ParserSyntaxError, RecursionError, ValueError, TypeError):
        return None
    text = changed.code
    original = module.code
    if text.count("\n") != original.count("\n"):
        return None  # a construct spread over lines in a way we cannot keep: not read
    return text


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _padded(text: str, lines: int) -> cst.BaseExpression:
    """``text`` as a parenthesized expression spanning ``lines`` more lines than it does."""
    missing = max(lines - text.count("\n"), 0)
    return cst.parse_expression(f"({text}{chr(10) * missing})")


class _Downgrade(cst.CSTTransformer):
    def leave_TypeAlias(
        self, original: cst.TypeAlias, updated: cst.TypeAlias
    ) -> cst.BaseSmallStatement:
        lines = _code(original).count("\n")
        value = _padded(_code(updated.value), lines)
        return cst.Assign(targets=[cst.AssignTarget(target=updated.name)], value=value)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        if updated.type_parameters is None:
            return updated
        return updated.with_changes(type_parameters=None)

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        if updated.type_parameters is None:
            return updated
        return updated.with_changes(type_parameters=None)

    def leave_FormattedString(
        self, original: cst.FormattedString, updated: cst.FormattedString
    ) -> cst.BaseExpression:
        fields = _fields(updated.parts)
        if not fields:
            return updated
        first = updated.parts[0]
        head = first.value if isinstance(first, cst.FormattedStringText) else ""
        values = [_code(f) + ("\n" if "#" in _code(f) else "") for f in fields]
        text = f"{head + '%s'!r} % ({', '.join(values)},)"
        return _padded(text, _code(original).count("\n"))


def _fields(parts: object) -> list[cst.BaseExpression]:
    """The expressions of an f-string's fields, those of nested format specs included."""
    found: list[cst.BaseExpression] = []
    for part in parts:  # type: ignore[attr-defined]
        if isinstance(part, cst.FormattedStringExpression):
            found.append(part.expression)
            if part.format_spec:
                found.extend(_fields(part.format_spec))
    return found
