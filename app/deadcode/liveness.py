"""Which nodes are reachable from the roots: from production code, and from tests too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.deadcode.graph import Graph, Node
from app.deadcode.guards import Roots, is_test_file


@dataclass(frozen=True)
class Liveness:
    production: frozenset[int]
    """Reachable from roots outside test files."""
    everything: frozenset[int]
    """Reachable from any root, tests included."""
    referrers: dict[int, frozenset[int]]
    """For each node that is not reachable from production code: the nodes that reference it."""

    def dead(self, node: int) -> bool:
        return node not in self.everything

    def tested_only(self, node: int) -> bool:
        return node in self.everything and node not in self.production


def compute(graph: Graph, roots: Roots, guard: Callable[[Node], str | None]) -> Liveness:
    """Reach from the roots; then ask ``guard`` about what is left, and reach from its answers.

    Guards do not depend on reachability, so asking only about unreached symbols gives the
    same result as asking about all of them, at a fraction of the cost.
    """
    test_code = {i for i, facts in enumerate(graph.files) if is_test_file(facts.path)}
    production_roots = [n for n in roots.reasons if graph.nodes[n].file not in test_code]
    test_roots = [n for n in roots.reasons if graph.nodes[n].file in test_code]
    production: set[int] = set()
    _reach(graph, production_roots, production, None)
    guarded = _guarded(graph, roots, guard, production, lambda n: n.file not in test_code)
    _reach(graph, guarded, production, None)
    everything = set(production)
    referrers: dict[int, set[int]] = {}
    test_roots += _guarded(graph, roots, guard, everything, lambda n: n.file in test_code)
    _reach(graph, test_roots, everything, referrers)
    for node in range(len(graph.nodes)):
        if node not in everything:
            for target in graph.successors(node):
                if target not in production:
                    referrers.setdefault(target, set()).add(node)
    return Liveness(
        frozenset(production),
        frozenset(everything),
        {node: frozenset(found) for node, found in referrers.items()},
    )


def _guarded(
    graph: Graph,
    roots: Roots,
    guard: Callable[[Node], str | None],
    reached: set[int],
    wanted: Callable[[Node], bool],
) -> list[int]:
    found = []
    for node in graph.nodes:
        if node.id in reached or not wanted(node):
            continue
        reason = guard(node)
        if reason is not None:
            roots.keep([node.id], reason)
            found.append(node.id)
    return found


def _reach(
    graph: Graph, start: list[int], seen: set[int], referrers: dict[int, set[int]] | None
) -> None:
    """Depth-first walk from ``start``, adding to ``seen``; record who reached new nodes."""
    base = frozenset(seen)
    stack = [n for n in start if n not in seen]
    seen.update(stack)
    while stack:
        node = stack.pop()
        for target in graph.successors(node):
            if referrers is not None and target not in base:
                referrers.setdefault(target, set()).add(node)
            if target not in seen:
                seen.add(target)
                stack.append(target)
