"""What the names a Python file imports refer to, read statically with `ast`.

The one resolver of ``import`` and ``from ... import`` statements, relative ones included,
used by every analyzer that asks (dead code, the codemods' pre-filter and project facts, the
import counts of dependency updates). Relative imports follow Python's own rule
(`importlib.util.resolve_name`): ``from .. import x`` in module ``a.b.c`` names ``a.x``; one
level beyond the top-level package names nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator


def package_of(module: str, is_package: bool) -> str:
    """The package relative imports start from: the module itself for an ``__init__``."""
    return module if is_package else module.rpartition(".")[0]


def resolve_from(package: str, level: int, module: str | None) -> str | None:
    """The absolute module a ``from`` statement at ``level`` names, seen from ``package``.

    ``None`` when a relative import climbs beyond the top-level package (or starts from no
    package at all): Python raises ImportError there.
    """
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    keep = len(parts) - (level - 1)
    if keep < 1:
        return None
    return ".".join([*parts[:keep], *([module] if module else [])])


def bound_names(
    node: ast.Import | ast.ImportFrom, package: str | None
) -> Iterator[tuple[str, str]]:
    """``(local name, qualified name)`` for each name the statement binds.

    ``import a.b`` binds ``a`` to ``a``; ``import a.b as c`` binds ``c`` to ``a.b``; ``from m
    import x as y`` binds ``y`` to ``m.x``. Relative imports are resolved against ``package``;
    with ``package=None`` (position unknown), or beyond the top-level package, they bind
    nothing.
    """
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                top = alias.name.split(".", 1)[0]
                yield top, top
        return
    if node.level and package is None:
        return
    base = resolve_from(package or "", node.level, node.module)
    if base is None:
        return
    for alias in node.names:
        yield alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name


def bindings(nodes: Iterable[ast.AST], package: str | None = None) -> dict[str, str]:
    """Local name → qualified name for the import statements among ``nodes`` (the later
    binding wins, as at run time in straight-line code; scopes are not told apart)."""
    found: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(bound_names(node, package))
    return found


def top_level_modules(tree: ast.AST) -> set[str]:
    """Top-level modules a file imports absolutely, anywhere in it (``a`` for ``a.b.c``)."""
    return {
        qualified.split(".", 1)[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0)
        for _, qualified in bound_names(node, None)
    }
