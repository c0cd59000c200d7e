"""The index added to the model's own declaration: Django ``Meta.indexes`` or SQLAlchemy
``__table_args__``. Exact insertions at ``ast`` positions (every other byte kept), followed by
a compile check; a model that cannot be edited raises `ModelEditError`.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from app.queries.models import Model, meta_of


class ModelEditError(Exception):
    pass


def add_index(text: str, model: Model, name: str, columns: Sequence[str]) -> str:
    tree = ast.parse(text)
    node = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == model.class_name),
        None,
    )
    if node is None:
        raise ModelEditError(f"{model.path}: class {model.class_name} not found")
    if model.framework == "django":
        fields = ", ".join(f'"{model.field_for(c)}"' for c in columns)
        edited = _django(text, node, f'models.Index(fields=[{fields}], name="{name}")')
    else:
        arguments = ", ".join(f'"{c}"' for c in columns)
        edited = _sqlalchemy(text, tree, node, f'Index("{name}", {arguments})')
    try:
        compile(edited, model.path, "exec")
    except SyntaxError as exc:
        raise ModelEditError(f"{model.path}: the edit would not compile ({exc.msg})") from None
    return edited


def _offset(lines: list[str], line: int, column: int) -> int:
    """Character offset of an ast (1-based line, UTF-8 byte column) position."""
    before = sum(len(text) for text in lines[: line - 1])
    return before + len(lines[line - 1].encode()[:column].decode())


def _insert(text: str, at: int, new: str) -> str:
    return text[:at] + new + text[at:]


def _line_end(text: str, lines: list[str], line: int) -> int:
    return sum(len(t) for t in lines[:line])


def _indent(lines: list[str], node: ast.AST) -> str:
    line = lines[node.lineno - 1]  # type: ignore[attr-defined]
    return line[: len(line) - len(line.lstrip())]


def _into_list(text: str, lines: list[str], value: ast.List | ast.Tuple, element: str) -> str:
    assert value.end_lineno is not None and value.end_col_offset is not None
    if not value.elts:
        end = _offset(lines, value.end_lineno, value.end_col_offset) - 1
        suffix = "," if isinstance(value, ast.Tuple) else ""
        return _insert(text, end, element + suffix)
    last = value.elts[-1]
    assert last.end_lineno is not None and last.end_col_offset is not None
    at = _offset(lines, last.end_lineno, last.end_col_offset)
    if last.lineno != value.lineno:
        return _insert(text, at, f",\n{_indent(lines, last)}{element}")
    return _insert(text, at, f", {element}")


def _django(text: str, node: ast.ClassDef, element: str) -> str:
    lines = text.splitlines(keepends=True)
    meta = meta_of(node)
    if meta is not None:
        for statement in meta.body:
            if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "indexes" for t in statement.targets
            ):
                if not isinstance(statement.value, ast.List | ast.Tuple):
                    raise ModelEditError("Meta.indexes is not a list literal")
                return _into_list(text, lines, statement.value, element)
        last = meta.body[-1]
        assert last.end_lineno is not None
        at = _line_end(text, lines, last.end_lineno)
        return _insert(text, at, f"{_indent(lines, last)}indexes = [{element}]\n")
    last_statement = node.body[-1]
    assert last_statement.end_lineno is not None
    indent = _indent(lines, node.body[0])
    at = _line_end(text, lines, last_statement.end_lineno)
    inner = indent + (indent[len(_indent(lines, node)) :] or "    ")
    block = f"\n{indent}class Meta:\n{inner}indexes = [{element}]\n"
    return _insert(text, at, block)


def _sqlalchemy(text: str, tree: ast.Module, node: ast.ClassDef, element: str) -> str:
    lines = text.splitlines(keepends=True)
    edited: str | None = None
    for statement in node.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__table_args__" for t in statement.targets
        ):
            value = statement.value
            if isinstance(value, ast.Tuple):
                if value.elts and isinstance(value.elts[-1], ast.Dict):
                    where = value.elts[-1]
                    edited = _insert(
                        text, _offset(lines, where.lineno, where.col_offset), f"{element}, "
                    )
                else:
                    edited = _into_list(text, lines, value, element)
            elif isinstance(value, ast.Dict):
                start = _offset(lines, value.lineno, value.col_offset)
                edited = _insert(text, start, f"({element}, ")
                assert value.end_lineno is not None and value.end_col_offset is not None
                end = _offset(lines, value.end_lineno, value.end_col_offset) + len(f"({element}, ")
                edited = _insert(edited, end, ")")
            else:
                raise ModelEditError("__table_args__ is neither a tuple nor a dict literal")
            break
    if edited is None:
        for statement in node.body:
            if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__tablename__" for t in statement.targets
            ):
                assert statement.end_lineno is not None
                at = _line_end(text, lines, statement.end_lineno)
                edited = _insert(
                    text, at, f"{_indent(lines, statement)}__table_args__ = ({element},)\n"
                )
                break
    if edited is None:
        raise ModelEditError("no __tablename__ in the class")
    if not _binds(tree, "Index"):
        edited = _add_import(edited, tree, "from sqlalchemy import Index\n")
    return edited


def _binds(tree: ast.Module, name: str) -> bool:
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom | ast.Import) and any(
            (alias.asname or alias.name) == name for alias in statement.names
        ):
            return True
    return False


def _add_import(text: str, tree: ast.Module, line: str) -> str:
    imports = [s for s in tree.body if isinstance(s, ast.Import | ast.ImportFrom)]
    lines = text.splitlines(keepends=True)
    if not imports:
        return line + text
    last = imports[-1]
    assert last.end_lineno is not None
    return _insert(text, _line_end(text, lines, last.end_lineno), line)
