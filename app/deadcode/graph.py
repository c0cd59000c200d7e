"""The reference graph: one node per module, definition and module-level import binding.

An edge ``a -> b`` means "if ``a`` runs or is used, ``b`` is needed". Resolution is by scope
where the code says where a name comes from (local definitions, imports, star imports, module
attribute chains) and by name where it cannot (attributes of unknown objects reach every class
member of that name; strings and configuration files reach every definition of that name).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from app.deadcode.facts import Definition, FileFacts, Import, Refs

MODULE = "module"
IMPORT = "import"


class Node(NamedTuple):
    """One node. A ``NamedTuple`` like the facts it points to (`app.deadcode.facts`): a scan
    builds one per definition and import binding (about 22,000 on Django) and a tuple is built
    several times faster than a frozen dataclass; it is just as immutable."""

    id: int
    kind: str
    file: int
    name: str
    parent: int
    """The class node of a member; -1 otherwise."""
    definition: Definition | None = None
    imported: Import | None = None
    position: int = -1
    """Position of the definition in its file's facts."""
    scope: int = -1
    """The function node a nested function or class is defined in; -1 otherwise."""


@dataclass(slots=True)
class Fanout:
    """Attribute names whose targets `Graph.edges` left to the caller."""

    members: list[str] = field(default_factory=list)
    """Reach every class member of these names (``members_by_name``)."""
    tops: list[str] = field(default_factory=list)
    """Reach every module-level definition of these names (``top_by_name``)."""


@dataclass
class Scope:
    """What one module binds at module level, and its classes' members."""

    top: dict[str, list[int]] = field(default_factory=dict)
    members: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    stars: list[str] = field(default_factory=list)


class Graph:
    def __init__(self, files: Iterable[FileFacts]) -> None:
        self.files = tuple(files)
        self.nodes: list[Node] = []
        self.modules: dict[str, list[int]] = {}
        self.scopes: list[Scope] = []
        self.members_by_name: dict[str, list[int]] = {}
        self.top_by_name: dict[str, list[int]] = {}
        self.local_imports: dict[int, list[Import]] = {}
        self.locals: dict[int, dict[str, list[int]]] = {}
        """Per function node: the functions and classes defined inside it, by name."""
        self._overriders: dict[int, list[int]] | None = None
        self.spans: list[tuple[int, int]] = []
        """Per file: the ids of its nodes other than its module node (``range(*span)``); a
        file's nodes depend on its facts alone, so an unchanged file's span only shifts."""
        for position, facts in enumerate(self.files):
            self.nodes.append(Node(position, MODULE, position, facts.module, -1))
            for alias in module_aliases(facts):
                self.modules.setdefault(alias, []).append(position)
        for position, facts in enumerate(self.files):
            start = len(self.nodes)
            self.scopes.append(self._scope(position, facts))
            self.spans.append((start, len(self.nodes)))
        self._sorted_names: list[str] | None = None

    # building -----------------------------------------------------------------------------

    def _add(self, node: Node) -> int:
        self.nodes.append(node)
        return node.id

    def _scope(self, position: int, facts: FileFacts) -> Scope:
        scope = Scope()
        classes: dict[str, int] = {}
        owners: dict[int, int] = {}
        for index, definition in enumerate(facts.definitions):
            parent = classes.get(definition.parent, -1) if definition.parent else -1
            if definition.parent and parent < 0:
                continue
            enclosing = owners.get(definition.scope, -1) if definition.scope >= 0 else -1
            if definition.scope >= 0 and enclosing < 0:
                continue
            node_id = self._add(
                Node(
                    len(self.nodes),
                    definition.kind,
                    position,
                    definition.name,
                    parent,
                    definition=definition,
                    position=index,
                    scope=enclosing,
                )
            )
            owners[index] = node_id
            if enclosing >= 0:
                local = self.locals.setdefault(enclosing, {})
                local.setdefault(definition.name, []).append(node_id)
                continue
            if parent >= 0:
                scope.members.setdefault(parent, {}).setdefault(definition.name, []).append(node_id)
                self.members_by_name.setdefault(definition.name, []).append(node_id)
                continue
            if definition.kind == "class":
                classes[definition.name] = node_id
            scope.top.setdefault(definition.name, []).append(node_id)
            self.top_by_name.setdefault(definition.name, []).append(node_id)
        for imported in facts.imports:
            if imported.binding == "*":
                scope.stars.append(imported.module)
            elif imported.owner < 0:
                node_id = self._add(
                    Node(len(self.nodes), IMPORT, position, imported.binding, -1, imported=imported)
                )
                scope.top.setdefault(imported.binding, []).append(node_id)
                continue
            if imported.owner >= 0 and imported.owner in owners:
                self.local_imports.setdefault(owners[imported.owner], []).append(imported)
        return scope

    # lookups ------------------------------------------------------------------------------

    def module_nodes(self, name: str) -> list[int]:
        return self.modules.get(name, [])

    def lookup(self, module: str, name: str, depth: int = 0) -> list[int]:
        """What ``from module import name`` reaches: definitions, bindings or a submodule."""
        found = list(self.module_nodes(f"{module}.{name}"))
        for position in self.module_nodes(module):
            found.extend(self._in_scope(position, name, depth))
        return found

    def _in_scope(self, position: int, name: str, depth: int) -> list[int]:
        scope = self.scopes[position]
        hits = scope.top.get(name)
        if hits:
            return hits
        if depth > 3:
            return []
        found: list[int] = []
        for star in scope.stars:
            found.extend(self.lookup(star, name, depth + 1))
        return found

    def names_with_prefix(self, prefix: str) -> Iterator[str]:
        if self._sorted_names is None:
            self._sorted_names = sorted(set(self.members_by_name) | set(self.top_by_name))
        names = self._sorted_names
        start = bisect.bisect_left(names, prefix)
        for name in names[start:]:
            if not name.startswith(prefix):
                return
            yield name

    # edges --------------------------------------------------------------------------------

    def successors(self, node_id: int) -> set[int]:
        return self.edges(node_id, None)

    def edges(self, node_id: int, fanout: Fanout | None, overrides: bool = True) -> set[int]:
        """The successors; with ``fanout``, those reached by attribute name alone (every
        member or module-level definition of that name) are left out and their names
        collected there instead (a walk expands each name once, not once per node using it).

        Without ``overrides``, the overriding methods of subclasses are left out too: all the
        other targets are module nodes or nodes reached through a name they bind, looked up
        among the names the node's references and imports mention (`app.deadcode.links`
        relies on this to re-link only the nodes that mention a name whose nodes changed).
        """
        node = self.nodes[node_id]
        if node.kind == MODULE:
            return self._module_successors(node, fanout)
        if node.kind == IMPORT:
            assert node.imported is not None
            return self._binding_targets(node.imported)
        assert node.definition is not None
        # A member does not keep its class alive: using a method means the class was used
        # (liveness holds a member back until its class is reached).
        found = {node.file}
        refs = node.definition.refs
        class_id = node.parent if node.parent >= 0 else (node.id if node.kind == "class" else -1)
        if node.scope >= 0:
            class_id = node.id if node.kind == "class" else -1
        self._resolve(node.file, refs, class_id, found, fanout)
        scope = node.id
        while scope >= 0:  # names bound by the enclosing functions (and this one)
            local = self.locals.get(scope)
            if local is not None:
                for name in local.keys() & refs.names:
                    found.update(local[name])
            scope = self.nodes[scope].scope
        for imported in self.local_imports.get(node_id, ()):
            found.update(self._binding_targets(imported))
        if node.parent >= 0 and overrides:
            found.update(self.overriders().get(node_id, ()))
        return found

    # names and nesting --------------------------------------------------------------------

    def qualname(self, node: Node) -> str:
        """Within its module: ``func``, ``Class.method``, ``outer.inner``."""
        parts = [node.name]
        owner = node.parent if node.parent >= 0 else node.scope
        while owner >= 0:
            outer = self.nodes[owner]
            parts.append(outer.name)
            owner = outer.parent if outer.parent >= 0 else outer.scope
        return ".".join(reversed(parts))

    def enclosing(self, node: Node) -> list[int]:
        """The classes and functions around a definition, innermost first, then its module."""
        found: list[int] = []
        owner = node.parent if node.parent >= 0 else node.scope
        while owner >= 0:
            found.append(owner)
            outer = self.nodes[owner]
            owner = outer.parent if outer.parent >= 0 else outer.scope
        if node.kind != MODULE:
            found.append(node.file)
        return found

    # class hierarchy ----------------------------------------------------------------------

    def resolve_base(self, cls: Node, base: str) -> list[int]:
        """The class nodes in the repository that the base expression ``base`` names."""
        head, _, rest = base.partition(".")
        found: list[int] = []
        for node_id in self.scopes[cls.file].top.get(head, []):
            node = self.nodes[node_id]
            imported = node.imported
            if imported is None:
                targets = [node_id] if not rest else []
            elif imported.binds_module:
                is_alias = imported.binding != imported.module.split(".", 1)[0]
                module = imported.module if is_alias else head
                *middle, last = rest.split(".") if rest else [""]
                targets = self.lookup(".".join([module, *middle]), last) if last else []
            else:
                module = imported.module
                targets = self.lookup(module, imported.name)
                if rest:
                    submodule = f"{module}.{imported.name}"
                    *middle, last = rest.split(".")
                    targets = self.lookup(".".join([submodule, *middle]), last)
            found.extend(self.classes(targets, 0))
        return found

    def classes(self, targets: Iterable[int], depth: int) -> list[int]:
        """Follow re-exports (import bindings) to the class definitions they name."""
        found: list[int] = []
        for target in targets:
            node = self.nodes[target]
            if node.kind == "class":
                found.append(target)
            elif node.imported is not None and not node.imported.binds_module and depth < 5:
                lookup = self.lookup(node.imported.module, node.imported.name)
                found.extend(self.classes(lookup, depth + 1))
        return found

    def definitions(self, targets: Iterable[int], depth: int = 0) -> list[int]:
        """Follow import bindings to the definitions (or modules) they name."""
        found: list[int] = []
        for target in targets:
            node = self.nodes[target]
            if node.imported is None:
                found.append(target)
            elif depth < 5:
                found.extend(self.definitions(self._binding_targets(node.imported), depth + 1))
        return found

    def ancestors(self, cls: Node) -> list[int]:
        """The in-repository classes ``cls`` derives from, nearest first (no repeats)."""
        seen: dict[int, None] = {}
        queue = [cls]
        while queue:
            current = queue.pop(0)
            definition = current.definition
            if definition is None:
                continue
            for base in definition.bases:
                for parent in self.resolve_base(current, base):
                    if parent not in seen and parent != cls.id:
                        seen[parent] = None
                        queue.append(self.nodes[parent])
        return list(seen)

    def members(self, cls: int) -> dict[str, list[int]]:
        return self.scopes[self.nodes[cls].file].members.get(cls, {})

    def overriders(self) -> dict[int, list[int]]:
        """Base-class method → the methods of subclasses that override it.

        Calling the base method may run any override, so an override is reached from the
        method it overrides (not kept as a root).
        """
        if self._overriders is None:
            edges: dict[int, list[int]] = {}
            for node in self.nodes:
                if node.kind != "class" or not node.definition or not node.definition.bases:
                    continue
                own = self.members(node.id)
                if not own:
                    continue
                for ancestor in self.ancestors(node):
                    inherited = self.members(ancestor)
                    for name in own.keys() & inherited.keys():
                        for base_member in inherited[name]:
                            edges.setdefault(base_member, []).extend(own[name])
            self._overriders = edges
        return self._overriders

    def adopt_overriders(self, overriders: dict[int, list[int]]) -> None:
        """Use ``overriders`` as `overriders` (kept from the last scan when no class
        hierarchy changed, `app.deadcode.links`)."""
        self._overriders = overriders

    def _module_successors(self, node: Node, fanout: Fanout | None) -> set[int]:
        facts = self.files[node.file]
        found: set[int] = set()
        parts = facts.module.split(".")
        for end in range(1, len(parts)):
            found.update(self.module_nodes(".".join(parts[:end])))
        self._resolve(node.file, facts.body, -1, found, fanout)
        for imported in facts.imports:
            if imported.owner >= 0:
                continue
            # Importing a module runs it, whether or not the binding is used afterwards
            # (``from . import signals`` registers handlers); a name import does not keep the
            # module alive unless the name is used.
            if imported.binds_module:
                found.update(self._module_chain(imported.module))
            elif imported.binding == "*":
                found.update(self.module_nodes(imported.module))
            else:
                found.update(self.module_nodes(f"{imported.module}.{imported.name}"))
        return found

    def _module_chain(self, dotted: str) -> list[int]:
        parts = dotted.split(".")
        found: list[int] = []
        for end in range(1, len(parts) + 1):
            found.extend(self.module_nodes(".".join(parts[:end])))
        return found

    def _binding_targets(self, imported: Import) -> set[int]:
        if imported.binds_module:
            return set(self._module_chain(imported.module))
        found = set(self.module_nodes(imported.module))
        if imported.binding != "*":
            found.update(self.lookup(imported.module, imported.name))
        return found

    def _resolve(
        self, position: int, refs: Refs, class_id: int, found: set[int], fanout: Fanout | None
    ) -> None:
        # Set intersections (done in C) instead of one dictionary probe per name: most names
        # are locals and builtins that resolve to nothing.
        scope = self.scopes[position]
        top = scope.top
        bound = top.keys() & refs.names
        for name in bound:
            found.update(top[name])
        if scope.stars:
            for name in set(refs.names) - bound:
                found.update(self._in_scope(position, name, 0))
        members = scope.members.get(class_id) if class_id >= 0 else None
        if members is not None:
            for name in members.keys() & refs.names:
                found.update(members[name])
        explained: set[str] = set()
        for chain in refs.chains:
            if chain[: chain.find(".")] in top and self._resolve_chain(scope, chain, found):
                explained.add(chain[chain.rfind(".") + 1 :])
        # An attribute of an unknown object may be any member of that name, or a module-level
        # name reached through a module object passed around.
        if fanout is not None:
            fanout.members.extend(self.members_by_name.keys() & refs.attrs)
            fanout.tops.extend(self.top_by_name.keys() & set(refs.attrs) - explained)
            return
        for attr in self.members_by_name.keys() & refs.attrs:
            found.update(self.members_by_name[attr])
        for attr in self.top_by_name.keys() & refs.attrs:
            if attr not in explained:
                found.update(self.top_by_name[attr])

    def _resolve_chain(self, scope: Scope, chain: str, found: set[int]) -> bool:
        """``alias.sub.name`` where ``alias`` is an imported module: reach into that module.

        True when the chain's head is a module binding and nothing else of that name.
        """
        head, _, rest = chain.partition(".")
        bindings = scope.top.get(head, ())
        precise = bool(bindings)
        for binding in bindings:
            imported = self.nodes[binding].imported
            if imported is None:
                precise = False
                continue
            module = bound_name(imported, head)
            if not imported.binds_module and module not in self.modules:
                precise = False
                continue
            precise = self._walk_modules(module, rest.split("."), found) and precise
        return precise

    def _walk_modules(self, module: str, parts: list[str], found: set[int]) -> bool:
        """Reach ``module.parts...``; True when the last part was looked up in a module."""
        if module not in self.modules:
            return False
        for position, part in enumerate(parts):
            found.update(self.lookup(module, part))
            submodule = f"{module}.{part}"
            if submodule not in self.modules:
                return position == len(parts) - 1
            module = submodule
        return True

    def reach_dotted(self, text: str) -> tuple[list[int], str | None]:
        """What a string such as ``pkg.mod.func`` or ``pkg.mod:Class.attr`` names.

        Returns the nodes and, when the whole string names a module, that module.
        """
        parts = text.replace(":", ".").split(".")
        for end in range(len(parts), 0, -1):
            module = ".".join(parts[:end])
            if module not in self.modules:
                continue
            found = self._module_chain(module)
            rest = parts[end:]
            if not rest:
                return found, module
            targets = self.lookup(module, rest[0])
            found.extend(targets)
            if len(rest) > 1:  # "pkg.mod:Class.attr": the member of that class
                for target in targets:
                    members = self.scopes[self.nodes[target].file].members.get(target, {})
                    found.extend(members.get(rest[1], ()))
            return found, None
        return [], None


def bound_name(imported: Import, head: str) -> str:
    """The dotted name an import binding called ``head`` stands for: ``a.b`` for
    ``import a.b as head``, ``a`` for ``import a.b``, ``m.x`` for ``from m import x``."""
    if imported.binds_module:
        is_alias = imported.binding != imported.module.split(".", 1)[0]
        return imported.module if is_alias else head
    return f"{imported.module}.{imported.name}"


def module_aliases(facts: FileFacts) -> set[str]:
    """The module's name, plus its path as a dotted name (namespace packages, ``src/``)."""
    path = facts.path[: -len(".py")]
    if path.endswith("/__init__"):
        path = path[: -len("/__init__")]
    dotted = path.replace("/", ".")
    aliases = {facts.module, dotted}
    if dotted.startswith("src."):
        aliases.add(dotted[len("src.") :])
    return {a for a in aliases if a}
