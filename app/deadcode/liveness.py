"""Which nodes are reachable from the roots: from production code, and from tests too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.deadcode.graph import Fanout, Graph, Node
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


class Edges(Protocol):
    """Where a node's edges come from: the `Graph` itself, or a table of them
    (`app.deadcode.links.Links`)."""

    def edges(self, node_id: int, fanout: Fanout | None) -> set[int]: ...

    def successors(self, node_id: int) -> set[int]: ...


def compute(
    graph: Graph,
    roots: Roots,
    guard: Callable[[Node], str | None],
    edges: Edges | None = None,
) -> Liveness:
    """Reach from the roots; then ask ``guard`` about what is left, and reach from its answers.

    Guards do not depend on reachability, so asking only about unreached symbols gives the
    same result as asking about all of them, at a fraction of the cost. A class member that is
    reached (by name, as a root) before its class waits until the class is reached: a method
    of a class nothing uses is dead, whoever calls a method of that name.
    """
    test_code = {i for i, facts in enumerate(graph.files) if is_test_file(facts.path)}
    production_roots = [n for n in roots.reasons if graph.nodes[n].file not in test_code]
    test_roots = [n for n in roots.reasons if graph.nodes[n].file in test_code]
    source: Edges = edges if edges is not None else graph
    production = _Walk(graph, source, None)
    production.reach(production_roots)
    guarded = _guarded(graph, roots, guard, production.seen, lambda n: n.file not in test_code)
    production.reach(guarded)
    referrers: dict[int, set[int]] = {}
    everything = _Walk(graph, source, referrers, production)
    test_roots += _guarded(graph, roots, guard, everything.seen, lambda n: n.file in test_code)
    everything.reach(test_roots)
    for node in range(len(graph.nodes)):
        if node not in everything.seen:
            for target in source.successors(node):
                if target not in production.seen:
                    referrers.setdefault(target, set()).add(node)
    return Liveness(
        frozenset(production.seen),
        frozenset(everything.seen),
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


class _Walk:
    """Depth-first reachability; members wait in ``pending`` until their class is reached."""

    def __init__(
        self,
        graph: Graph,
        source: Edges,
        referrers: dict[int, set[int]] | None,
        start: _Walk | None = None,
    ) -> None:
        self.graph = graph
        self.source = source
        self.referrers = referrers
        self.seen: set[int] = set(start.seen) if start else set()
        self.pending: dict[int, list[int]] = (
            {k: list(v) for k, v in start.pending.items()} if start else {}
        )
        self.base = frozenset(self.seen)
        self.expanded_members: set[str] = set()
        self.expanded_tops: set[str] = set()
        self.fanout = Fanout()
        """Reused by every `_targets` call of the walk (emptied after each)."""

    def reach(self, start: list[int]) -> None:
        nodes = self.graph.nodes
        seen, referrers, base, pending = self.seen, self.referrers, self.base, self.pending
        stack: list[int] = []
        for node in start:
            self._visit(node, stack)
        while stack:
            node = stack.pop()
            # The hot loop of detection: new targets are filtered with set operations, and
            # visited inline (`_visit`: each target is new, a set holds it once).
            targets = self._targets(node)
            if referrers is not None:
                for target in targets - base:
                    referrers.setdefault(target, set()).add(node)
            for target in targets - seen:
                parent = nodes[target].parent
                if parent >= 0 and parent not in seen:
                    waiting = pending.setdefault(parent, [])
                    if target not in waiting:
                        waiting.append(target)
                    continue
                seen.add(target)
                stack.append(target)
            if nodes[node].kind == "class":
                stack.extend(self._release(node))

    def _targets(self, node: int) -> set[int]:
        """The node's successors; without referrers to record, an attribute name reaching
        every member (or definition) of that name is expanded once per walk: the nodes it
        reaches were visited (or are pending) already when another node named it."""
        graph = self.graph
        if self.referrers is not None:
            return self.source.successors(node)
        fanout = self.fanout
        targets = self.source.edges(node, fanout)
        if fanout.members:
            for name in fanout.members:
                if name not in self.expanded_members:
                    self.expanded_members.add(name)
                    targets.update(graph.members_by_name[name])
            fanout.members.clear()
        if fanout.tops:
            for name in fanout.tops:
                if name not in self.expanded_tops:
                    self.expanded_tops.add(name)
                    targets.update(graph.top_by_name[name])
            fanout.tops.clear()
        return targets

    def _visit(self, node: int, stack: list[int]) -> None:
        if node in self.seen:
            return
        parent = self.graph.nodes[node].parent
        if parent >= 0 and parent not in self.seen:
            waiting = self.pending.setdefault(parent, [])
            if node not in waiting:
                waiting.append(node)
            return
        self.seen.add(node)
        stack.append(node)

    def _release(self, cls: int) -> list[int]:
        released = [n for n in self.pending.pop(cls, ()) if n not in self.seen]
        self.seen.update(released)
        return released
