"""The reference graph's edges kept across scans: one changed file re-links only the nodes
that mention a name it binds or bound.

Linking (`Graph.edges` of every node) is most of the work of a warm scan's liveness, yet after
an edit of one file almost every node's edges are what they were. Every edge target other than
an override is a module node or is reached through a name it binds (`Graph.edges`), so a node
of an unchanged file links differently only when it mentions a name whose nodes changed: those
nodes are linked afresh, the others keep last scan's edges (renumbered: an unchanged file's
nodes only shift). Overrides (`Graph.overriders`) follow whole class hierarchies and are
computed afresh every time.

Anything unexpected (another set of files, a changed file's old facts no longer cached, a
changed star import, many changed files, a stored value not in the expected shape) links
everything, as without a cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from app.deadcode import graph as graph_module
from app.deadcode.cache import FactsCache, decode
from app.deadcode.facts import FileFacts, Refs
from app.deadcode.graph import IMPORT, Fanout, Graph, Node

INCREMENTAL_UP_TO = 32
"""More changed files than this (a checkout of another branch): link everything."""

SAVE_FROM = 8
"""Kept edges are rewritten once this many files changed since they were made, or when they
had to be linked afresh. Below that the next scan re-links from the same kept edges, which
costs less than writing them (about 25 ms on Django, most of a warm scan's linking)."""

STORED_LENGTH = 6
"""``(paths, content keys, spans, touched names per file, edges per node, overrides)``."""

Linked = tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]
"""One node's edges without overrides: targets, member names and module-level names reached
by attribute name alone (`Fanout`)."""


def _code_version() -> str | None:
    """Edges depend on how the graph resolves names: another version of that code (or of
    this module) starts afresh instead of trusting edges it did not make. ``None`` when the
    source cannot be read (then nothing is kept)."""
    digest = hashlib.blake2b(digest_size=8)
    for module in (graph_module.__file__, __file__):
        if not module:
            return None
        try:
            digest.update(Path(module).read_bytes())
        except OSError:
            return None
    return digest.hexdigest()


class Links:
    """`Graph.edges` and `Graph.successors` of every node, answered from a table."""

    def __init__(self, graph: Graph, table: Sequence[Linked]) -> None:
        self.graph = graph
        self.table = table
        self.overriders = graph.overriders()

    def edges(self, node_id: int, fanout: Fanout | None) -> set[int]:
        # Called for every reached node: the cheap tests first (most nodes are overridden by
        # nothing and reach no name by attribute alone).
        direct, members, tops = self.table[node_id]
        found = set(direct)
        overriders = self.overriders.get(node_id)
        if overriders and self.graph.nodes[node_id].parent >= 0:
            found.update(overriders)
        if fanout is not None:
            if members:
                fanout.members.extend(members)
            if tops:
                fanout.tops.extend(tops)
            return found
        for name in members:
            found.update(self.graph.members_by_name[name])
        for name in tops:
            found.update(self.graph.top_by_name[name])
        return found

    def successors(self, node_id: int) -> set[int]:
        return self.edges(node_id, None)


def linked(graph: Graph, node: int) -> Linked:
    fanout = Fanout()
    direct = graph.edges(node, fanout, overrides=False)
    return tuple(direct), tuple(fanout.members), tuple(fanout.tops)


def link(graph: Graph, keys: Mapping[str, str], cache: FactsCache, root: Path) -> Links:
    """The edges of every node of ``graph``: last scan's of ``root`` where they still hold,
    linked afresh elsewhere; kept in ``cache`` for the next scan.

    ``keys`` holds each file's content key (`RepoIndex.keys`). The overrides are last scan's
    too when no changed file changed a class hierarchy (`Graph.adopt_overriders`).
    """
    version = _code_version()
    if version is None:
        return Links(graph, [linked(graph, n) for n in range(len(graph.nodes))])
    paths = tuple(f.path for f in graph.files)
    file_keys = tuple(keys.get(p, "") for p in paths)
    stored = cache.links(root, version)
    overriders: dict[int, list[int]] | None = None
    if _same(stored, paths, file_keys):
        table: Any = stored[4]
        overriders = _overriders(stored[5], None)
    else:
        relinked = _relinked(graph, file_keys, stored, cache)
        changed = 0
        if relinked is None:
            table = [linked(graph, n) for n in range(len(graph.nodes))]
        else:
            table, remap, changed = relinked
            if remap is not None:
                overriders = _overriders(stored[5], remap)
        fresh = relinked is None or overriders is None
        if overriders is None:
            overriders = graph.overriders()
        if fresh or changed >= SAVE_FROM:
            touched = _touched(graph, file_keys, stored)
            kept = tuple((base, tuple(found)) for base, found in overriders.items())
            value = (paths, file_keys, tuple(graph.spans), touched, table, kept)
            cache.save_links(root, version, value)
    if not _well_formed(table, len(graph.nodes)):
        table = [linked(graph, n) for n in range(len(graph.nodes))]
    if overriders is not None and all(0 <= n < len(graph.nodes) for n in overriders):
        graph.adopt_overriders(overriders)
    return Links(graph, table)


def _overriders(stored: Any, remap: list[int] | None) -> dict[int, list[int]] | None:
    """Last scan's overrides, renumbered with ``remap``; ``None`` when one is gone."""
    try:
        found: dict[int, list[int]] = {}
        for base, overriders in stored:
            ids = [base, *overriders] if remap is None else [remap[n] for n in (base, *overriders)]
            if min(ids) < 0 or not all(type(n) is int for n in ids):
                return None
            found[ids[0]] = ids[1:]
        return found
    except (TypeError, ValueError, IndexError):
        return None


def _well_formed(table: Any, count: int) -> bool:
    return (
        isinstance(table, list | tuple)
        and len(table) == count
        and all(type(entry) is tuple and len(entry) == 3 for entry in table)
    )


def _touched(graph: Graph, keys: tuple[str, ...], stored: Any) -> tuple[frozenset[str], ...]:
    """`touched_names` of every file, taken from last scan's value for unchanged files."""
    old: dict[str, Any] = {}
    if isinstance(stored, tuple) and len(stored) == STORED_LENGTH:
        try:
            old = dict(zip(stored[1], stored[3], strict=True))
        except (TypeError, ValueError):
            old = {}
    return tuple(
        names
        if key and isinstance(names := old.get(key), frozenset)
        else frozenset(touched_names(facts))
        for key, facts in zip(keys, graph.files, strict=True)
    )


def _same(stored: Any, paths: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    return (
        isinstance(stored, tuple) and len(stored) == STORED_LENGTH and stored[:2] == (paths, keys)
    )


def _relinked(
    graph: Graph, keys: tuple[str, ...], stored: Any, cache: FactsCache
) -> tuple[list[Linked], list[int] | None, int] | None:
    """Last scan's edges brought up to date, or ``None`` when they cannot be; with the old
    ids' new numbers when the class hierarchies are what they were (the overrides hold), and
    how many files changed since those edges were kept."""
    try:
        old_paths, old_keys, old_spans, old_touched, old_table, _ = stored
    except (TypeError, ValueError):
        return None
    files = graph.files
    if tuple(f.path for f in files) != old_paths or len(old_keys) != len(keys):
        return None
    changed = {i for i, key in enumerate(keys) if key != old_keys[i] or not key}
    if len(changed) > INCREMENTAL_UP_TO:
        return None
    try:
        old_total = max((end for _, end in old_spans), default=len(files))
        if len(old_table) != old_total:
            return None
        remap = [-1] * old_total
        remap[: len(files)] = range(len(files))  # module nodes: one per file, same order
        for position, ((start, end), (new_start, new_end)) in enumerate(
            zip(old_spans, graph.spans, strict=True)
        ):
            if position in changed:
                continue
            if end - start != new_end - new_start:
                return None  # same facts, another layout: not the graph that stored them
            remap[start:end] = range(new_start, new_end)
        matched = _match_changed(graph, sorted(changed), old_keys, old_spans, remap, cache)
        if matched is None:
            return None
        renamed, same_hierarchy = matched
        dirty = set(changed)
        if renamed:
            dirty.update(i for i, names in enumerate(old_touched) if not renamed.isdisjoint(names))
        # Old ids below ``kept`` keep their number: edges only to those are copied as they are.
        kept = next((i for i, new in enumerate(remap) if new != i), old_total)
        table: list[Linked] = []
        for position in range(len(files)):  # module nodes
            old = old_table[position]
            table.append(_moved(graph, position, old, position in dirty, remap, kept))
        for position, (start, end) in enumerate(graph.spans):
            old_start = old_spans[position][0]
            clean = position not in dirty
            for offset, node in enumerate(range(start, end)):
                old = old_table[old_start + offset]
                table.append(_moved(graph, node, old, not clean, remap, kept))
    except (TypeError, ValueError, IndexError):
        return None
    return table, remap if same_hierarchy else None, len(changed)


def _moved(
    graph: Graph, node: int, old: Linked, dirty: bool, remap: list[int], kept: int
) -> Linked:
    """Last scan's edges of ``node`` in this scan's numbering, or linked afresh (a node of a
    dirty file, or one whose old target is gone)."""
    if not dirty:
        direct, members, tops = old
        if not direct or max(direct) < kept:
            return old
        moved = tuple(remap[target] for target in direct)
        if -1 not in moved:
            return moved, members, tops
    return linked(graph, node)


def _match_changed(
    graph: Graph,
    changed: Sequence[int],
    old_keys: Sequence[str],
    old_spans: Sequence[tuple[int, int]],
    remap: list[int],
    cache: FactsCache,
) -> tuple[set[str], bool] | None:
    """Map the old nodes of the changed files to their new ids where the same binding is still
    there; return the names of those that are gone or new (``None``: cannot tell), and whether
    the class hierarchies are unchanged: no class, member or import binding came or went, no
    class changed its bases, and no new or gone module-level name can shadow (or uncover) a
    name a star import provides."""
    renamed: set[str] = set()
    same_hierarchy = True
    for position in changed:
        old_facts = decode(cache.load(old_keys[position])) if old_keys[position] else None
        if not isinstance(old_facts, FileFacts) or old_facts.path != graph.files[position].path:
            return None
        old_graph = Graph([old_facts])
        if old_graph.scopes[0].stars != graph.scopes[position].stars:
            return None  # every name looked up in this module may now resolve elsewhere
        old_ids = _identities(old_graph, 1, len(old_graph.nodes))
        new_ids = _identities(graph, *graph.spans[position])
        old_start = old_spans[position][0]
        gone: list[Node] = []
        for identity, old_node in old_ids.items():
            new_node = new_ids.get(identity)
            if new_node is None:
                gone.append(old_graph.nodes[old_node])
                continue
            remap[old_start + old_node - 1] = new_node
            before, after = old_graph.nodes[old_node].definition, graph.nodes[new_node].definition
            if before is not None and after is not None and before.bases != after.bases:
                same_hierarchy = False
        gone.extend(graph.nodes[n] for i, n in new_ids.items() if i not in old_ids)
        renamed.update(node.name for node in gone)
        stars = bool(graph.scopes[position].stars)
        if any(node.kind in ("class", IMPORT) or node.parent >= 0 or stars for node in gone):
            same_hierarchy = False
    return renamed, same_hierarchy


def _identities(graph: Graph, start: int, end: int) -> dict[tuple[Any, ...], int]:
    """Each node of one file by what makes it the same binding in another version of the
    file: kind, name, enclosing class and function, what an import binds, and its rank."""
    keys: dict[int, tuple[Any, ...]] = {}
    found: dict[tuple[Any, ...], int] = {}
    ranks: dict[tuple[Any, ...], int] = {}
    for node_id in range(start, end):
        node = graph.nodes[node_id]
        imported = node.imported
        if node.kind == IMPORT and imported is not None:
            base: tuple[Any, ...] = (IMPORT, imported.binding, imported.module, imported.name)
        else:
            base = (node.kind, node.name, keys.get(node.parent), keys.get(node.scope))
        rank = ranks.get(base, 0)
        ranks[base] = rank + 1
        keys[node_id] = (base, rank)
        found[(base, rank)] = node_id
    return found


def touched_names(facts: FileFacts) -> set[str]:
    """Every name the file's nodes look up when linked: references, attribute chains, imports."""
    found: set[str] = set()

    def add(refs: Refs) -> None:
        found.update(refs.names)
        found.update(refs.attrs)
        for chain in refs.chains:
            found.update(chain.split("."))

    add(facts.body)
    for definition in facts.definitions:
        add(definition.refs)
    for imported in facts.imports:
        found.add(imported.binding)
        found.add(imported.name)
        found.update(imported.module.split("."))
    return found
