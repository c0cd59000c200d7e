"""Candidates: unreachable symbols with a confidence and the evidence behind it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from app.deadcode.facts import Flag
from app.deadcode.graph import IMPORT, MODULE, Graph, Node
from app.deadcode.guards import is_test_file
from app.deadcode.liveness import Liveness
from app.deadcode.surface import exported

MAX_NAMED = 3
CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
NOT_REGISTERING = frozenset(
    {"property", "staticmethod", "classmethod", "cached_property", "functools.cached_property",
     "overload", "typing.overload", "typing_extensions.overload", "abc.abstractproperty",
     "functools.wraps", "wraps", "functools.cache", "functools.lru_cache", "cache", "lru_cache"}
)  # fmt: skip
"""Decorators that wrap a function without registering it anywhere: no doubt from them."""
BREAKING = "exported by `{package}`: removing it is breaking for importers (reported only)"
DISPATCHED = (
    "possibly dispatched by name: `{name}` is also defined by other classes or made from a "
    "class name, and the code calls `getattr(obj, name)` with computed names (reported only)"
)


NEW_SYNTAX = "its file uses syntax newer than the bot's Python: reported, not edited"


class Status(StrEnum):
    UNREFERENCED = "unreferenced"
    DEAD_REFERRERS = "referenced only by dead code"
    TESTED_ONLY = "referenced only by tests"


BASE_CONFIDENCE = {Status.UNREFERENCED: 100, Status.DEAD_REFERRERS: 100, Status.TESTED_ONLY: 85}
"""Code referenced only by dead code is as dead as its referrers: the cluster goes together."""


@dataclass(frozen=True)
class Candidate:
    node: int
    name: str
    """Within its module: ``func``, ``Class.method``; the dotted module for a whole module."""
    kind: str
    file: str
    line: int
    first_line: int
    end_line: int
    confidence: int
    status: Status
    evidence: tuple[str, ...]
    referrers: tuple[int, ...]
    removable: bool
    report_only: str = ""
    """Why it is never removed although it is dead (breaking for importers, run by name)."""

    @property
    def lines(self) -> int:
        return self.end_line - self.first_line + 1


def candidates(graph: Graph, liveness: Liveness, *, library: bool = False) -> list[Candidate]:
    """Unreachable symbols. With ``library``, removing the exported surface is report-only and
    public names lose a few points; otherwise public names are ordinary candidates."""
    surface = exported(graph) if library else {}
    dynamic = any(facts.dynamic_getattr for facts in graph.files)
    class_names = hook_names(graph) if dynamic else set()
    found = []
    for node in graph.nodes:
        status = _status(graph, liveness, node)
        if status is not None and not _covered(graph, liveness, node):
            candidate = _candidate(graph, liveness, node, status, library)
            reason = _report_only(graph, liveness, node, surface, dynamic, class_names)
            if reason:
                candidate = replace(candidate, report_only=reason)
            found.append(candidate)
    return found


def _report_only(
    graph: Graph,
    liveness: Liveness,
    node: Node,
    surface: dict[int, str],
    dynamic: bool,
    class_names: set[str],
) -> str:
    if node.id in surface:
        return BREAKING.format(package=surface[node.id])
    if node.kind == MODULE:  # a module that defines exported names
        package = next((p for n, p in surface.items() if graph.nodes[n].file == node.id), None)
        if package is not None:
            return BREAKING.format(package=package)
    if dynamic and node.kind == "method" and _dispatched(graph, liveness, node, class_names):
        return DISPATCHED.format(name=node.name)
    return ""


def hook_names(graph: Graph) -> set[str]:
    """Class names as code turns them into method names: ``type(e).__name__.lower()``."""
    names: set[str] = set()
    for node in graph.nodes:
        if node.kind == "class":
            names.add(node.name.lower())
            names.add(CAMEL.sub("_", node.name).lower())
    return names


def _dispatched(graph: Graph, liveness: Liveness, node: Node, class_names: set[str]) -> bool:
    """A public method of a live class whose name unrelated classes also define, or that is
    the name of a class turned into a hook name (``Shutdown`` → ``shutdown``)."""
    if node.name.startswith("_") or liveness.dead(node.parent):
        return False
    if node.name in class_names:
        return True
    owner = graph.nodes[node.parent]
    related = {owner.id, *graph.ancestors(owner)}
    for other in graph.members_by_name.get(node.name, ()):
        parent = graph.nodes[other].parent
        if parent in related or parent < 0:
            continue
        if owner.id not in graph.ancestors(graph.nodes[parent]):
            return True
    return False


def _status(graph: Graph, liveness: Liveness, node: Node) -> Status | None:
    if node.kind == IMPORT:
        return None  # unused imports are a linter's business; re-exports go with their target
    if liveness.dead(node.id):
        referrers = liveness.referrers.get(node.id, frozenset())
        return Status.DEAD_REFERRERS if referrers else Status.UNREFERENCED
    if liveness.tested_only(node.id) and not is_test_file(graph.files[node.file].path):
        return Status.TESTED_ONLY
    return None


def _covered(graph: Graph, liveness: Liveness, node: Node) -> bool:
    """A member of a removed class or a definition of a removed module is not listed again."""
    outer = graph.enclosing(node)
    return any(_status(graph, liveness, graph.nodes[o]) is not None for o in outer)


def _candidate(
    graph: Graph, liveness: Liveness, node: Node, status: Status, library: bool
) -> Candidate:
    facts = graph.files[node.file]
    referrers = tuple(
        sorted(r for r in liveness.referrers.get(node.id, ()) if not _inside(graph, r, node))
    )
    if status is Status.DEAD_REFERRERS and not referrers:
        status = Status.UNREFERENCED
    evidence = [_status_text(graph, status, _users(graph, liveness, referrers))]
    score = BASE_CONFIDENCE[status]
    penalties, removable = _penalties(graph, node, library)
    for text, points in penalties:
        evidence.append(f"{text} (-{points})" if points else text)
        score -= points
    if node.kind == MODULE:
        return Candidate(
            node=node.id,
            name=facts.module,
            kind=MODULE,
            file=facts.path,
            line=1,
            first_line=1,
            end_line=facts.lines,
            confidence=max(score, 0),
            status=status,
            evidence=tuple(evidence),
            referrers=referrers,
            removable=removable,
        )
    definition = node.definition
    assert definition is not None
    return Candidate(
        node=node.id,
        name=graph.qualname(node),
        kind=node.kind,
        file=facts.path,
        line=definition.line,
        first_line=definition.first_line,
        end_line=definition.end_line,
        confidence=max(score, 0),
        status=status,
        evidence=tuple(evidence),
        referrers=referrers,
        removable=removable,
    )


def _users(graph: Graph, liveness: Liveness, referrers: tuple[int, ...]) -> tuple[int, ...]:
    """The referrers to show: an import binding is replaced by the code that uses it."""
    shown: list[int] = []
    for referrer in referrers:
        users = liveness.referrers.get(referrer, frozenset())
        if graph.nodes[referrer].kind == IMPORT and users:
            shown.extend(sorted(users))
        else:
            shown.append(referrer)
    return tuple(dict.fromkeys(shown))


def _inside(graph: Graph, referrer: int, node: Node) -> bool:
    """References from a symbol's own body (recursion, methods naming their class)."""
    other = graph.nodes[referrer]
    if node.kind == MODULE:
        return other.file == node.file
    return referrer == node.id or node.id in graph.enclosing(other)


def _status_text(graph: Graph, status: Status, referrers: tuple[int, ...]) -> str:
    if status is Status.UNREFERENCED:
        return "no reference anywhere in the repository"
    named = ", ".join(f"`{describe(graph, graph.nodes[r])}`" for r in referrers[:MAX_NAMED])
    more = f" and {len(referrers) - MAX_NAMED} more" if len(referrers) > MAX_NAMED else ""
    return f"{status.value}: {named}{more}"


def describe(graph: Graph, node: Node) -> str:
    facts = graph.files[node.file]
    if node.kind == MODULE:
        return facts.path
    return f"{facts.path}::{graph.qualname(node)}"


def _penalties(graph: Graph, node: Node, library: bool) -> tuple[list[tuple[str, int]], bool]:
    """Reasons to doubt, with the points each takes off; and whether the codemod can remove it."""
    facts = graph.files[node.file]
    found: list[tuple[str, int]] = []
    if node.kind == MODULE:
        if facts.side_effects:
            found.append(("module-level code runs on import and would no longer run", 20))
        if facts.new_syntax:
            found.append((NEW_SYNTAX, 0))
        return found, not facts.new_syntax
    definition = node.definition
    assert definition is not None
    removable = bool(definition.flags & Flag.REMOVABLE)
    if not removable:
        found.append(("assigned together with other names: reported, not removed", 10))
    if definition.flags & Flag.NEW_SYNTAX:
        found.append((NEW_SYNTAX, 0))
        removable = False
    registering = [d for d in definition.decorators if d and d not in NOT_REGISTERING]
    if registering:
        shown = ", ".join(f"@{d}" for d in registering)
        found.append((f"decorated with {shown}: a decorator may register it", 15))
    if node.kind == "method":
        found.append(("methods can be called through names built at run time", 10))
    if node.kind == "attribute":
        found.append(("class attributes can be read through names built at run time", 15))
    if definition.flags & Flag.CALL_VALUE:
        found.append(("its value comes from a call that would no longer run", 10))
    if definition.flags & Flag.TYPE_CHECKING:
        found.append(("defined for type checkers only", 5))
    if library and not node.name.startswith("_") and "." in facts.module:
        found.append(("public name: code outside the repository may import it", 5))
    return found, removable
