"""The model that owns a table, found statically (the repository's code is never imported).

Django: a class deriving from ``models.Model`` (or ``...Model``) in a file that mentions
django; its table is ``Meta.db_table`` or ``<app_label>_<modelname>``, the app label being
``Meta.app_label`` or the app's folder name. SQLAlchemy declarative: a class with a string
``__tablename__``. Files are read with bounds (count, size); a file that does not parse is
skipped.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

MAX_FILES = 20_000
MAX_FILE_BYTES = 1_000_000
SKIPPED_DIRS = frozenset(
    {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "site-packages"}
)
_RELATIONS = frozenset({"ForeignKey", "OneToOneField"})


@dataclass(frozen=True)
class Model:
    framework: Literal["django", "sqlalchemy"]
    path: str
    """Relative to the repository root, POSIX."""
    class_name: str
    table: str
    app_label: str = ""
    app_dir: str = ""
    """Django: the app's folder (holding ``migrations/``), relative POSIX."""
    fields: Mapping[str, str] = field(default_factory=dict)
    """Django: column name → field name."""
    relations: Mapping[str, str] = field(default_factory=dict)
    """Django: column name of a ForeignKey/OneToOne → its field name."""

    def field_for(self, column: str) -> str:
        return self.fields.get(column, column)


def python_files(root: Path) -> Iterator[Path]:
    count = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                count += 1
                if count > MAX_FILES:
                    return
                yield Path(folder) / name


def read_bounded(path: Path) -> str | None:
    try:
        if path.is_symlink() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def find_models(root: Path) -> dict[str, Model]:
    """Table → its model (the first found, in path order)."""
    found: dict[str, Model] = {}
    for file in python_files(root):
        text = read_bounded(file)
        if text is None or ("__tablename__" not in text and "Model" not in text):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        relative = file.relative_to(root).as_posix()
        for model in _models_in(tree, relative, "django" in text):
            found.setdefault(model.table, model)
    return found


def _models_in(tree: ast.Module, path: str, django: bool) -> Iterator[Model]:
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        tablename = _string_assign(node.body, "__tablename__")
        if tablename is not None:
            yield Model("sqlalchemy", path, node.name, tablename)
        elif django and any(_base_name(b).endswith("Model") for b in node.bases):
            model = _django(node, path)
            if model is not None:
                yield model


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _string_assign(body: list[ast.stmt], name: str) -> str | None:
    for statement in body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            return statement.value.value
    return None


def meta_of(node: ast.ClassDef) -> ast.ClassDef | None:
    for statement in node.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
            return statement
    return None


def _django(node: ast.ClassDef, path: str) -> Model | None:
    meta = meta_of(node)
    body = meta.body if meta else []
    for statement in body:
        if (
            isinstance(statement, ast.Assign)
            and any(
                isinstance(t, ast.Name) and t.id in ("abstract", "proxy") for t in statement.targets
            )
            and isinstance(statement.value, ast.Constant)
            and statement.value.value is True
        ):
            return None
    parts = path.split("/")
    app_parts = parts[:-2] if len(parts) >= 2 and parts[-2] == "models" else parts[:-1]
    if not app_parts:
        return None
    app_label = _string_assign(body, "app_label") or app_parts[-1]
    table = _string_assign(body, "db_table") or f"{app_label}_{node.name.lower()}"
    fields: dict[str, str] = {}
    relations: dict[str, str] = {}
    for statement in node.body:
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Call)
        ):
            continue
        name = statement.targets[0].id
        kind = _base_name(statement.value.func)
        column = name + "_id" if kind in _RELATIONS else name
        for keyword in statement.value.keywords:
            if keyword.arg == "db_column" and isinstance(keyword.value, ast.Constant):
                column = str(keyword.value.value)
        fields[column] = name
        if kind in _RELATIONS:
            relations[column] = name
    return Model(
        "django", path, node.name, table, app_label, "/".join(app_parts), fields, relations
    )
