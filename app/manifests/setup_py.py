"""setup.py, read statically: ``setup(install_requires=…, extras_require=…, python_requires=…)``.

The file is parsed with ``ast`` and never run. Only literal values are read (a list or tuple of
strings, a dict of those, a string); anything else (a name, a call, ``**kwargs``) is an error
naming its line, never a guess. A requirement string is located down to the characters of its
version specifier, so a rewrite changes nothing else; a string written with escapes or split
over several literals cannot be rewritten that way, so it is reported instead of read.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from app.manifests.base import (
    ManifestFormat,
    ManifestParse,
    pep508_dependency,
    python_floor_from_classifiers,
)
from app.manifests.pyproject import DEV_EXTRAS
from app.manifests.specs import RequirementSyntaxError, locate_requirement
from app.model import ScanError

MAX_BYTES = 1_000_000
_READ = ("install_requires", "extras_require", "python_requires", "classifiers")
_STRING_PREFIXES = frozenset({"", "r", "u", "R", "U"})


@dataclass(frozen=True)
class _Str:
    """A string literal and its value."""

    node: ast.Constant
    value: str


class _NotLiteral(Exception):
    def __init__(self, node: ast.AST, what: str) -> None:
        super().__init__(what)
        self.line = getattr(node, "lineno", None)


def parse_setup_py(path: str, text: str) -> ManifestParse:
    result = ManifestParse(path=path)
    if len(text) > MAX_BYTES:
        result.errors.append(ScanError(path, None, f"over {MAX_BYTES} characters: not read"))
        return result
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        result.errors.append(ScanError(path, exc.lineno, f"invalid Python: {exc.msg}"))
        return result
    except (RecursionError, MemoryError, ValueError) as exc:
        result.errors.append(ScanError(path, None, f"cannot parse: {type(exc).__name__}"))
        return result
    calls = list(_setup_calls(tree))
    if not calls:
        return result
    if len(calls) > 1:
        lines = ", ".join(str(c.lineno) for c in calls)
        message = f"several setup() calls (lines {lines}): which one runs is not read statically"
        result.errors.append(ScanError(path, calls[0].lineno, message))
        return result
    result.is_library = True
    _read_call(path, text, calls[0], _Constants(tree, calls[0]), result)
    return result


def _setup_calls(tree: ast.Module) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "setup":
                yield node


def _read_call(
    path: str, text: str, call: ast.Call, constants: _Constants, result: ManifestParse
) -> None:
    spans = _Spans(text)
    classifiers: list[str] = []
    for keyword in call.keywords:
        if keyword.arg is None:
            message = "setup(**...): settings passed this way are not read (setup.py is never run)"
            result.errors.append(ScanError(path, keyword.value.lineno, message))
            continue
        if keyword.arg not in _READ:
            continue
        try:
            value = constants.resolve(keyword.value)
            if keyword.arg == "install_requires":
                for node in _strings(value):
                    _dependency(path, spans, node, None, result)
            elif keyword.arg == "extras_require":
                for extra, nodes in _extras(value):
                    for node in nodes:
                        _dependency(path, spans, node, extra, result)
            elif keyword.arg == "python_requires":
                result.requires_python = _string(value).value.strip() or None
            else:
                classifiers = [node.value for node in _strings(value)]
        except _NotLiteral as exc:
            message = f"{keyword.arg} is {exc}: not read (setup.py is never run)"
            result.errors.append(ScanError(path, exc.line, message))
    if result.requires_python is None:
        result.requires_python = python_floor_from_classifiers(classifiers)


class _Constants:
    """Module-level names bound once to a literal and never touched again, such as
    ``REQUIREMENTS = [...]`` then ``setup(install_requires=REQUIREMENTS)``: their value is
    known without running anything. A name bound twice, changed (``+=``, ``.append``), or
    used anywhere but as a keyword of the setup() call stays unknown."""

    def __init__(self, tree: ast.Module, call: ast.Call) -> None:
        allowed = {id(k.value) for k in call.keywords if isinstance(k.value, ast.Name)}
        bindings: dict[str, list[ast.expr | None]] = {}
        touched: set[str] = set()
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name):
                    bindings.setdefault(target.id, []).append(statement.value)
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                bindings.setdefault(statement.target.id, []).append(statement.value)
        bound_at_top = {
            id(target)
            for statement in tree.body
            if isinstance(statement, ast.Assign | ast.AnnAssign)
            for target in (
                statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            )
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and id(node) not in allowed | bound_at_top:
                touched.add(node.id)
            elif isinstance(node, ast.Global | ast.Nonlocal):
                touched.update(node.names)
            elif (bound := _other_binding(node)) is not None:
                touched.add(bound)
        self.values = {
            name: values[0]
            for name, values in bindings.items()
            if len(values) == 1 and values[0] is not None and name not in touched
        }

    def resolve(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Name):
            value = self.values.get(node.id)
            if value is None:
                raise _NotLiteral(node, f"the name {node.id!r}, not bound once to a literal")
            return value
        return node


def _other_binding(node: ast.AST) -> str | None:
    """The name an import, a definition or an ``except … as`` binds, if ``node`` is one."""
    if isinstance(node, ast.alias):
        return node.asname or node.name.split(".")[0]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
        return node.name
    return None


def _string(node: ast.expr) -> _Str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _Str(node, node.value)
    raise _NotLiteral(node, _describe(node))


def _strings(node: ast.expr) -> list[_Str]:
    if isinstance(node, ast.List | ast.Tuple):
        return [_string(element) for element in node.elts]
    return [_string(node)]  # setuptools also takes one string of requirement lines


def _extras(node: ast.expr) -> Iterator[tuple[str, list[_Str]]]:
    if not isinstance(node, ast.Dict):
        raise _NotLiteral(node, _describe(node))
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None:
            raise _NotLiteral(value, "a dict with **unpacking")
        # "extra:marker" is the old spelling of a conditional extra: the extra is its name.
        yield _string(key).value.split(":", 1)[0].strip(), _strings(value)


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return f"the name {node.id!r}"
    if isinstance(node, ast.Call):
        return "a function call"
    return f"a {type(node).__name__} expression"


def _dependency(
    path: str, spans: _Spans, literal: _Str, extra: str | None, result: ManifestParse
) -> None:
    node, value = literal.node, literal.value
    start = spans.content_start(literal)
    for offset, line in _requirement_lines(value):
        try:
            located = locate_requirement(line)
        except RequirementSyntaxError as exc:
            message = f"invalid requirement: {exc}"
            result.errors.append(ScanError(path, node.lineno, message))
            continue
        if located is None:
            continue
        if start is None:
            message = (
                f"{line!r} is written with escapes or split over several literals: not read "
                "(write it as one plain string so that it can be rewritten exactly)"
            )
            result.errors.append(ScanError(path, node.lineno, message))
            continue
        result.dependencies.append(
            pep508_dependency(
                located,
                manifest=path,
                start=start + offset,
                line=node.lineno + value.count("\n", 0, offset),
                group=extra,
                development=bool(extra and extra.lower() in DEV_EXTRAS),
            )
        )


def _requirement_lines(value: str) -> Iterator[tuple[int, str]]:
    """Each requirement of a string (one, or one per line) and its offset in the string."""
    position = 0
    for raw in value.splitlines(keepends=True):
        content = raw.split("#", 1)[0].rstrip()
        stripped = content.lstrip()
        if stripped:
            yield position + len(content) - len(stripped), stripped
        position += len(raw)


class _Spans:
    """Character offsets of string literals, from ``ast``'s line and UTF-8 column numbers."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, byte_column: int) -> int:
        source = self.lines[line - 1].encode("utf-8")
        return self.starts[line - 1] + len(source[:byte_column].decode("utf-8"))

    def content_start(self, literal: _Str) -> int | None:
        """Where the string's value starts in the file, when its source is exactly the value
        between quotes (no escapes, no implicit concatenation); else ``None``."""
        node = literal.node
        if node.end_lineno is None or node.end_col_offset is None:
            return None
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno, node.end_col_offset)
        source = self.text[start:end]
        prefix = source[: len(source) - len(source.lstrip("rRuU"))]
        if prefix not in _STRING_PREFIXES:
            return None
        body = source[len(prefix) :]
        for quote in ('"""', "'''", '"', "'"):
            if body.startswith(quote) and body.endswith(quote) and len(body) >= 2 * len(quote):
                if body[len(quote) : -len(quote)] == literal.value:
                    return start + len(prefix) + len(quote)
                return None
        return None


FORMAT = ManifestFormat(name="setup.py", patterns=("setup.py",), read=parse_setup_py)
