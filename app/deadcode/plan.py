"""Which candidates to remove together, file by file, and which proposal each file goes to.

A candidate is removed only if everything that references it goes too (its dead callers, the
re-exports of it, and with ``remove_tested_only`` the tests that use it); files whose removals
depend on each other land in the same batch, so no proposal breaks the code on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from app.deadcode.codemod import Target
from app.deadcode.confidence import Candidate, Status
from app.deadcode.graph import IMPORT, MODULE, Graph, Node
from app.deadcode.guards import is_test_file
from app.deadcode.liveness import Liveness

BatchMode = Literal["package", "folder"]


@dataclass(frozen=True)
class FilePlan:
    path: str
    delete: bool
    targets: tuple[Target, ...]
    unused_imports: frozenset[str]
    candidates: tuple[Candidate, ...]
    """The symbols this file's change removes (tests and re-exports included)."""
    batch: str


@dataclass(frozen=True)
class RemovalPlan:
    files: tuple[FilePlan, ...]
    kept: tuple[tuple[Candidate, str], ...]
    """Candidates over the threshold that stay, with the reason."""


@dataclass
class _State:
    chosen: dict[int, Candidate]
    extras: dict[int, Candidate] = field(default_factory=dict)
    origins: dict[int, set[int]] = field(default_factory=dict)
    kept: dict[int, str] = field(default_factory=dict)


def plan(
    graph: Graph,
    liveness: Liveness,
    candidates: Iterable[Candidate],
    *,
    threshold: int,
    remove_tested_only: bool,
    batch_mode: BatchMode,
) -> RemovalPlan:
    by_node = {c.node: c for c in candidates}
    state = _State(
        chosen={
            c.node: c
            for c in by_node.values()
            if c.confidence >= threshold
            and c.removable
            and not c.report_only
            and (c.status is not Status.TESTED_ONLY or remove_tested_only)
        }
    )
    _close(graph, liveness, state)
    files = _file_plans(graph, liveness, state, batch_mode)
    kept = tuple((by_node[n], reason) for n, reason in sorted(state.kept.items()))
    return RemovalPlan(files, kept)


def _close(graph: Graph, liveness: Liveness, state: _State) -> None:
    """Drop candidates whose referrers (or whose re-exports' and tests' referrers) stay."""
    while True:
        _extras(graph, liveness, state)
        removed = set(state.chosen) | set(state.extras)
        blocked: dict[int, str] = {}
        for node_id, candidate in [*state.chosen.items(), *state.extras.items()]:
            blocker = next((r for r in candidate.referrers if not _gone(graph, r, removed)), None)
            if blocker is None:
                continue
            reason = _blocked(graph, graph.nodes[blocker])
            for origin in state.origins.get(node_id, {node_id}):
                blocked.setdefault(origin, reason)
        if not blocked:
            return
        for node_id, reason in blocked.items():
            state.chosen.pop(node_id, None)
            state.kept[node_id] = reason


def _blocked(graph: Graph, node: Node) -> str:
    facts = graph.files[node.file]
    where = facts.path if node.kind == MODULE else f"{facts.path}::{graph.qualname(node)}"
    return f"`{where}` uses it and stays"


def _gone(graph: Graph, node_id: int, removed: set[int]) -> bool:
    node = graph.nodes[node_id]
    return node_id in removed or any(o in removed for o in graph.enclosing(node))


def _extras(graph: Graph, liveness: Liveness, state: _State) -> None:
    """Re-exports of removed code, and the tests that use removed tested-only code."""
    state.extras = {}
    state.origins = {}
    stack = [(node_id, node_id) for node_id in state.chosen]
    while stack:
        node_id, origin = stack.pop()
        tested = state.chosen[origin].status is Status.TESTED_ONLY
        for referrer in liveness.referrers.get(node_id, ()):
            if referrer in state.chosen:
                continue
            if referrer not in state.extras:
                extra = _extra_for(graph, liveness, referrer, tested)
                if extra is None:
                    continue
                state.extras[referrer] = extra
            origins = state.origins.setdefault(referrer, set())
            if origin not in origins:
                origins.add(origin)
                stack.append((referrer, origin))


def _extra_for(graph: Graph, liveness: Liveness, node_id: int, tested: bool) -> Candidate | None:
    node = graph.nodes[node_id]
    referrers = tuple(sorted(liveness.referrers.get(node_id, ())))
    unused = liveness.dead(node_id) or (tested and liveness.tested_only(node_id))
    if node.kind == IMPORT and unused:
        return _extra(graph, node, "import", "import of removed code", referrers)
    if tested and _is_test(graph, node) and liveness.tested_only(node_id):
        return _extra(graph, node, "test", "test of removed code", referrers)
    return None


def _is_test(graph: Graph, node: Node) -> bool:
    path = graph.files[node.file].path
    return is_test_file(path) and node.kind in ("function", "method")


def _extra(graph: Graph, node: Node, kind: str, why: str, referrers: tuple[int, ...]) -> Candidate:
    facts = graph.files[node.file]
    line = node.imported.line if node.imported else node.definition.line if node.definition else 1
    definition = node.definition
    return Candidate(
        node=node.id,
        name=graph.qualname(node),
        kind=kind,
        file=facts.path,
        line=line,
        first_line=definition.first_line if definition else line,
        end_line=definition.end_line if definition else line,
        confidence=100,
        status=Status.DEAD_REFERRERS,
        evidence=(why,),
        referrers=referrers,
        removable=True,
    )


def _file_plans(
    graph: Graph, liveness: Liveness, state: _State, batch_mode: BatchMode
) -> tuple[FilePlan, ...]:
    everything = {**state.chosen, **state.extras}
    by_file: dict[int, list[Candidate]] = {}
    for node_id, candidate in everything.items():
        by_file.setdefault(graph.nodes[node_id].file, []).append(candidate)
    groups = _UnionFind()
    for node_id, candidate in everything.items():
        here = graph.nodes[node_id].file
        groups.add(here)
        for referrer in candidate.referrers:
            groups.union(here, graph.nodes[referrer].file)
    labels: dict[int, str] = {}
    for position in by_file:
        root = groups.find(position)
        label = batch_label(graph.files[position].path, graph.files[position].module, batch_mode)
        labels[root] = min(labels.get(root, label), label)
    removed = set(everything)
    plans = []
    for position, found in sorted(by_file.items(), key=lambda item: graph.files[item[0]].path):
        label = labels[groups.find(position)]
        plans.append(_file_plan(graph, liveness, position, found, label, removed))
    return tuple(plans)


def _file_plan(
    graph: Graph,
    liveness: Liveness,
    position: int,
    found: list[Candidate],
    batch: str,
    removed: set[int],
) -> FilePlan:
    facts = graph.files[position]
    delete = any(c.node == position for c in found)
    found.sort(key=lambda c: (c.line, c.name))
    targets = () if delete else tuple(_target(graph, c) for c in found)
    unused = frozenset(
        n.name
        for names in graph.scopes[position].top.values()
        for n in (graph.nodes[i] for i in names)
        if n.kind == IMPORT and (liveness.dead(n.id) or n.id in removed)
    )
    return FilePlan(facts.path, delete, targets, unused, tuple(found), batch)


def _target(graph: Graph, candidate: Candidate) -> Target:
    node = graph.nodes[candidate.node]
    parent = graph.nodes[node.parent].name if node.parent >= 0 else ""
    return Target(node.name, parent, candidate.line)


def batch_label(path: str, module: str, mode: BatchMode) -> str:
    """``package``: the package the file belongs to; ``folder``: its top-level folder."""
    if mode == "folder":
        return path.split("/", 1)[0] if "/" in path else "."
    if path.endswith("/__init__.py"):
        return module or "."
    return (
        module.rsplit(".", 1)[0]
        if "." in module
        else (path.rsplit("/", 1)[0] if "/" in path else ".")
    )


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def add(self, item: int) -> None:
        self.parent.setdefault(item, item)

    def find(self, item: int) -> int:
        self.add(item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, first: int, second: int) -> None:
        self.parent[self.find(first)] = self.find(second)
