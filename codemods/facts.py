"""Repository-wide facts for rules that need more than one file (pydantic models).

Computed with the stdlib ``ast`` (fast) over the files that mention pydantic or a model found so
far, until nothing new turns up.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import NamedTuple

from app.import_resolution import bindings
from codemods.info import ProjectFacts, PydanticModel

ROOTS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.RootModel"})
SOURCE_ROOTS = ("src/", "lib/")


class ModuleName(NamedTuple):
    """A module's dotted name and its package's (equal for a package's ``__init__``)."""

    name: str
    package: str


def module_name(path: str) -> ModuleName:
    """The dotted module name a repository path is imported as (``src/`` layouts stripped)."""
    for prefix in SOURCE_ROOTS:
        if path.startswith(prefix):
            path = path[len(prefix) :]
            break
    parts = path.removesuffix(".pyi").removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return ModuleName(".".join(parts), ".".join(parts))
    return ModuleName(".".join(parts), ".".join(parts[:-1]))


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    if isinstance(node, ast.Subscript):  # RootModel[list[int]]
        return _dotted(node.value)
    return None


def _resolve(name: str, imports: Mapping[str, str], module: str) -> str:
    head, _, rest = name.partition(".")
    if head in imports:
        return imports[head] + (f".{rest}" if rest else "")
    return f"{module}.{name}"


def _defined(cls: ast.ClassDef) -> frozenset[str]:
    names = {n.name for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    for statement in cls.body:
        if isinstance(statement, ast.Assign):
            names |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
    return frozenset(names)


def pydantic_models(files: Mapping[str, str]) -> ProjectFacts:
    """Find the pydantic model classes defined in ``files`` (path → source)."""
    parsed: dict[str, tuple[ast.Module, ModuleName, dict[str, str]]] = {}
    for path, text in files.items():
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        module = module_name(path)
        parsed[path] = (tree, module, bindings(tree.body, module.package))
    models: dict[str, PydanticModel] = {}
    changed = True
    while changed:
        changed = False
        for tree, module, imports in parsed.values():
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef):
                    continue
                qualified = f"{module.name}.{node.name}"
                if qualified in models:
                    continue
                inherited: frozenset[str] = frozenset()
                is_model = False
                for base in node.bases:
                    dotted = _dotted(base)
                    if dotted is None:
                        continue
                    target = _resolve(dotted, imports, module.name)
                    if target in ROOTS:
                        is_model = True
                    elif target in models:
                        is_model = True
                        inherited |= models[target].defines
                if is_model:
                    models[qualified] = PydanticModel(qualified, inherited | _defined(node))
                    changed = True
    return ProjectFacts(pydantic_models=models)
