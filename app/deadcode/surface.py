"""A library's exported surface: what its users import, as opposed to every public name.

A name is exported when a package's ``__init__`` offers it: defined there, imported there (a
re-export), or listed in its ``__all__``; the public members of an exported class are exported
with it. What the repository's examples and docs import is reached from them as entry points.
Removing an exported name breaks importers, so such removals are only reported.
"""

from __future__ import annotations

from app.deadcode.graph import Graph
from app.deadcode.guards import is_test_file


def exported(graph: Graph) -> dict[int, str]:
    """Definition node → the package that exports it."""
    found: dict[int, str] = {}
    for position, facts in enumerate(graph.files):
        if not facts.is_package or is_test_file(facts.path):
            continue
        if any(part.startswith("_") for part in facts.module.split(".")):
            continue
        scope = graph.scopes[position]
        # `__all__` is what `import *` takes; every public name is importable all the same.
        offered = {name for name in scope.top if not name.startswith("_")}
        for name in sorted(offered | set(facts.dunder_all or ())):
            for target in graph.definitions(scope.top.get(name, ())):
                if graph.nodes[target].definition is not None:
                    found.setdefault(target, facts.module)
    for node_id, package in list(found.items()):
        if graph.nodes[node_id].kind != "class":
            continue
        for name, members in graph.members(node_id).items():
            if not name.startswith("_"):
                for member in members:
                    found.setdefault(member, package)
    return found
