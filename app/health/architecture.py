"""Architecture drift without contracts: import cycles between the packages of a repository.

Imports are read from the same `ast` parse as complexity (never by importing the code). A
module ``pkg.sub.mod`` belongs to the unit ``pkg.sub`` (first-level subpackage of a root
package); a cycle is a strongly connected group of such units that import each other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SOURCE_ROOTS = ("src/", "lib/")


@dataclass(frozen=True)
class RawImport:
    level: int
    module: str
    names: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class Violation:
    contract: str
    detail: str


def imports_of(nodes: Iterable[ast.Import | ast.ImportFrom]) -> tuple[RawImport, ...]:
    """The import statements (as `app.health.complexity.analyse` collects them), as values."""
    found: list[RawImport] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found.extend(RawImport(0, alias.name, (), node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            found.append(RawImport(node.level, node.module or "", names, node.lineno))
    return tuple(found)


def module_name(path: str) -> str | None:
    """The dotted module a repository file defines (``src/`` layouts understood)."""
    if not path.endswith(".py"):
        return None
    for root in SOURCE_ROOTS:
        if path.startswith(root):
            path = path[len(root) :]
            break
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def resolve(importer: str, is_package: bool, raw: RawImport) -> list[str]:
    """Absolute names an import statement reaches (``from a import b`` gives ``a.b`` and ``a``)."""
    if raw.level:
        base = importer.split(".")
        if not is_package:
            base = base[:-1]
        if raw.level > 1:
            base = base[: len(base) - (raw.level - 1)] if raw.level - 1 <= len(base) else []
        if not base:
            return []
        prefix = ".".join(base)
        module = f"{prefix}.{raw.module}" if raw.module else prefix
    else:
        module = raw.module
    if not raw.names:
        return [module]
    return [module, *(f"{module}.{name}" for name in raw.names if name != "*")]


def package_cycles(imports: Mapping[str, Sequence[RawImport]]) -> list[Violation]:
    """Cycles between first-level subpackages of each root package, by file path → imports."""
    modules = {}
    for path in imports:
        name = module_name(path)
        if name is not None:
            modules[name] = path
    units = {name: _unit(name) for name in modules}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        source = units[name]
        for raw in imports[path]:
            for target in resolve(name, path.endswith("__init__.py"), raw):
                if target not in modules:
                    continue
                unit = units[target]
                if unit != source and unit.split(".")[0] == source.split(".")[0]:
                    graph.setdefault(source, set()).add(unit)
    violations = []
    for component in _strongly_connected(graph):
        if len(component) > 1:
            members = sorted(component)
            detail = " <-> ".join(members) + " import each other"
            violations.append(Violation("no cycles between packages", detail))
    return sorted(violations, key=lambda v: v.detail)


def _unit(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def _strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on deep graphs)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    nodes = set(graph) | {t for targets in graph.values() for t in targets}
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components
