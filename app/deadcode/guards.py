"""Guards against false positives: what is used although no code in the repository calls it.

Each guard returns the nodes it keeps with the reason, so a kept symbol can be explained.
"""

from __future__ import annotations

import abc
import builtins
import fnmatch
import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.deadcode.cache import TextFacts
from app.deadcode.facts import Flag
from app.deadcode.graph import IMPORT, MODULE, Graph, Node

REGISTRATION_DECORATORS = (
    # web routes, CLI commands, task queues, signal receivers, plugin and test hooks
    "*.route", "*.get", "*.post", "*.put", "*.patch", "*.delete", "*.head", "*.options",
    "*.websocket", "*.api_route", "*.on_event", "*.middleware", "*.exception_handler",
    "*.command", "*.group", "*.callback", "*.result_callback", "command", "group",
    "*.task", "task", "shared_task", "*.periodic_task", "*.job", "actor", "*.actor",
    "receiver", "*.receiver", "*.connect", "*.listens_for", "listens_for", "*.hookimpl",
    "hookimpl", "*.hookspec", "pytest.fixture", "fixture", "*.fixture", "pytest.hookimpl",
    "*.register", "register", "*.register_*", "*.filter", "*.simple_tag", "*.inclusion_tag",
    "*.tag", "*.validator", "validator", "field_validator", "model_validator",
    "root_validator", "*.field_validator", "*.model_validator", "computed_field",
    "field_serializer", "model_serializer", "*.setter", "*.getter", "*.deleter",
    "*.event", "*.handler", "*.subscriber", "*.hook", "atexit.register", "*.before_request",
    "*.after_request", "*.errorhandler", "*.teardown_*", "*.context_processor",
    "*.template_filter", "*.cli.command", "typer.*", "*.message_handler", "*.on",
    "singledispatch", "*.singledispatch", "*.dispatch", "*.implementer", "*.provider",
)  # fmt: skip
DECLARATIVE_BASES = frozenset(
    {
        "BaseModel", "BaseSettings", "RootModel", "Model", "Enum", "IntEnum", "StrEnum", "Flag",
        "IntFlag", "NamedTuple", "TypedDict", "Protocol", "Schema", "Form", "ModelForm",
        "Serializer", "ModelSerializer", "HyperlinkedModelSerializer", "Struct", "Base",
        "DeclarativeBase", "Document", "EmbeddedDocument", "TextChoices", "IntegerChoices",
        "Choices", "SQLModel", "AppConfig", "Migration", "Admin", "ModelAdmin", "TabularInline",
        "StackedInline", "FilterSet", "Table", "Message", "Settings", "Config", "Meta",
        "Generic", "ABC", "Exception", "BaseException", "TestCase", "SimpleTestCase",
    }
)  # fmt: skip
DECLARATIVE_DECORATORS = frozenset(
    {"dataclass", "dataclasses.dataclass", "define", "frozen", "mutable", "attr.s", "attrs",
     "attr.attrs", "attrs.define", "attrs.frozen", "attr.define", "dataclass_json",
     "pydantic.dataclasses.dataclass", "total_ordering", "unique", "enum.unique",
     "runtime_checkable", "final"}
)  # fmt: skip
ENTRY_MODULE_NAMES = frozenset(
    {"__main__", "setup", "manage", "conftest", "noxfile", "fabfile", "tasks", "dodo", "wsgi",
     "asgi", "settings", "models", "admin", "apps", "urls", "signals", "celery", "env",
     "conf", "hooks", "plugin", "plugins"}
)  # fmt: skip
ENTRY_DIRECTORIES = ("migrations", "management/commands", "templatetags", "alembic", "versions")
BUILTIN_TYPES: dict[str, type] = {
    name: value for name, value in vars(builtins).items() if isinstance(value, type)
}
# External bases whose methods are known and never dispatched by name, so a method they lack
# is not an override. (Not ast.NodeVisitor, cmd.Cmd and the like: they call `visit_*` etc.)
KNOWN_BASES: dict[str, object] = {
    **BUILTIN_TYPES,
    "ABC": abc.ABC,
    "abc.ABC": abc.ABC,
    "Generic": typing.Generic,
    "typing.Generic": typing.Generic,
}
TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_tests?|conftest|tests)\.py$|(^|/)tests/|^test/")


@dataclass(frozen=True)
class GuardSettings:
    whitelist: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    library_public_api: bool = False


@dataclass
class Roots:
    """Nodes kept regardless of references, each with the first reason found."""

    reasons: dict[int, str] = field(default_factory=dict)
    dynamic_modules: set[str] = field(default_factory=set)

    def keep(self, nodes: Iterable[int], reason: str) -> None:
        for node in nodes:
            self.reasons.setdefault(node, reason)


def is_test_file(path: str) -> bool:
    return bool(TEST_FILE.search(path))


def qualified(graph: Graph, node: Node) -> str:
    module = graph.files[node.file].module
    if node.kind == MODULE:
        return module
    if node.parent >= 0:
        return f"{module}.{graph.nodes[node.parent].name}.{node.name}"
    return f"{module}.{node.name}"


def entry_module(graph: Graph, position: int) -> str | None:
    facts = graph.files[position]
    stem = facts.path.rsplit("/", 1)[-1].removesuffix(".py")
    if facts.main_guard:
        return "runs as a script (`if __name__ == '__main__'`)"
    if is_test_file(facts.path):
        return "test module"
    if stem in ENTRY_MODULE_NAMES or facts.module.rsplit(".", 1)[-1] in ENTRY_MODULE_NAMES:
        return f"`{stem}.py` is loaded by convention (tools and frameworks)"
    if any(f"/{d}/" in f"/{facts.path}" for d in ENTRY_DIRECTORIES):
        return "framework directory loaded by convention"
    if facts.is_package and "." not in facts.module:
        return "top-level package: the project itself, imported from outside"
    if "." not in facts.module and not facts.is_package and facts.side_effects:
        return "stand-alone script with module-level code"
    if facts.path.split("/", 1)[0] in ("docs", "doc", "scripts", "bin", "examples"):
        return "documentation, script or example"
    return None


def find_roots(graph: Graph, texts: Mapping[str, TextFacts]) -> Roots:
    """Roots found by scanning the repository: entry modules, `__all__`, strings, configs.

    The per-symbol guards (`NodeGuard`) are applied later, only to what these do not reach.
    """
    roots = Roots()
    for position, facts in enumerate(graph.files):
        reason = entry_module(graph, position)
        if reason:
            roots.keep([position], reason)
        for name in facts.dunder_all or ():
            roots.keep(graph.scopes[position].top.get(name, ()), "listed in `__all__`")
            if facts.is_package:  # a submodule listed in a package's `__all__`
                roots.keep(graph.module_nodes(f"{facts.module}.{name}"), "listed in `__all__`")
    seen: set[str] = set()
    for facts in graph.files:
        _strings(graph, roots, facts.strings, f"named in a string in {facts.path}", seen)
    for path, text in texts.items():
        _strings(graph, roots, text.tokens, f"named in {path}", seen)
    _prefixes(graph, roots)
    for module in roots.dynamic_modules:
        for position in graph.module_nodes(module):
            roots.keep(
                (n for names in graph.scopes[position].top.values() for n in names),
                f"module `{module}` is imported dynamically",
            )
    return roots


def _strings(
    graph: Graph, roots: Roots, strings: Iterable[str], reason: str, seen: set[str]
) -> None:
    """Strings and configuration tokens: ``getattr`` names, dotted paths, entry points."""
    for text in strings:
        if text in seen:
            continue
        seen.add(text)
        last = text.replace(":", ".").rsplit(".", 1)[-1]
        roots.keep(graph.members_by_name.get(last, ()), reason)
        roots.keep(graph.top_by_name.get(last, ()), reason)
        roots.keep(graph.module_nodes(last), reason)
        if "." in text or ":" in text:
            found, module = graph.reach_dotted(text)
            roots.keep(found, reason)
            if module is not None:
                roots.dynamic_modules.add(module)


def _prefixes(graph: Graph, roots: Roots) -> None:
    prefixes = {p for facts in graph.files for p in facts.prefixes}
    for prefix in prefixes:
        for name in graph.names_with_prefix(prefix):
            reason = f"name built at run time from the prefix `{prefix}`"
            roots.keep(graph.members_by_name.get(name, ()), reason)
            roots.keep(graph.top_by_name.get(name, ()), reason)


class NodeGuard:
    """Why a symbol is used although nothing references it (or ``None``)."""

    def __init__(self, graph: Graph, settings: GuardSettings) -> None:
        self.graph = graph
        self.settings = settings
        patterns = (*REGISTRATION_DECORATORS, *settings.decorators)
        self.decorators = re.compile("|".join(fnmatch.translate(p) for p in patterns))
        self.test_files = {i for i, f in enumerate(graph.files) if is_test_file(f.path)}

    def __call__(self, node: Node) -> str | None:
        graph, settings = self.graph, self.settings
        if node.kind in (MODULE, IMPORT):
            if node.kind == MODULE and settings.library_public_api and _public_module(graph, node):
                return "public module of a published library"
            return None
        definition = node.definition
        assert definition is not None
        name = node.name
        if name.startswith("__") and name.endswith("__"):
            return "dunder name (called by Python itself)"
        if name.startswith("__") and node.parent < 0:
            return "module-level name with a double underscore (read by tools, e.g. `__unittest`)"
        if _whitelisted(graph, node, settings.whitelist):
            return "whitelisted in .maintainer.yml"
        hit = next((d for d in definition.decorators if self.decorators.match(d)), None)
        if hit:
            return f"registered by the decorator `@{hit}`"
        if definition.flags & Flag.ABSTRACT:
            return "abstract method"
        if name.startswith("pytest_"):
            return "pytest hook"
        if node.file in self.test_files:
            reason = _test_guard(graph, node, graph.files[node.file].path)
            if reason:
                return reason
        if node.parent >= 0:
            reason = _member_guard(graph, node)
            if reason:
                return reason
        if settings.library_public_api and _public_name(graph, node):
            return "public name of a published library"
        return None


def _test_guard(graph: Graph, node: Node, path: str) -> str | None:
    if path.rsplit("/", 1)[-1] == "conftest.py" and node.parent < 0:
        return "defined in conftest.py (fixtures and hooks are found by name)"
    if node.parent >= 0:
        return "member of a test class (collected by the test runner)"
    if node.name.startswith("test") or node.name.startswith("Test"):
        return "test collected by the test runner"
    return None


def _member_guard(graph: Graph, node: Node) -> str | None:
    owner = graph.nodes[node.parent]
    if node.kind in ("attribute", "class"):
        declarative = _declarative(graph, owner, set())
        if declarative:
            return f"field of a declarative class ({declarative})"
    base = overridden_base(graph, owner, node.name, set())
    if base:
        return f"overrides a method of `{base}`"
    return None


def _declarative(graph: Graph, cls: Node, seen: set[int]) -> str | None:
    definition = cls.definition
    if definition is None or cls.id in seen:
        return None
    seen.add(cls.id)
    for decorator in definition.decorators:
        if decorator in DECLARATIVE_DECORATORS or decorator.rsplit(".", 1)[-1] == "dataclass":
            return f"@{decorator}"
    for base in definition.bases:
        if base.rsplit(".", 1)[-1] in DECLARATIVE_BASES:
            return f"subclass of `{base}`"
        for parent in resolve_base(graph, cls, base):
            found = _declarative(graph, graph.nodes[parent], seen)
            if found:
                return found
    return None


def resolve_base(graph: Graph, cls: Node, base: str) -> list[int]:
    """The class nodes in the repository that the base expression ``base`` names."""
    head, _, rest = base.partition(".")
    found: list[int] = []
    for node_id in graph.scopes[cls.file].top.get(head, []):
        node = graph.nodes[node_id]
        imported = node.imported
        if imported is None:
            targets = [node_id] if not rest else []
        elif imported.binds_module:
            is_alias = imported.binding != imported.module.split(".", 1)[0]
            module = imported.module if is_alias else head
            *middle, last = rest.split(".") if rest else [""]
            targets = graph.lookup(".".join([module, *middle]), last) if last else []
        else:
            module = imported.module
            targets = graph.lookup(module, imported.name)
            if rest:
                submodule = f"{module}.{imported.name}"
                *middle, last = rest.split(".")
                targets = graph.lookup(".".join([submodule, *middle]), last)
        found.extend(_classes(graph, targets, 0))
    return found


def _classes(graph: Graph, targets: Iterable[int], depth: int) -> list[int]:
    """Follow re-exports (import bindings) to the class definitions they name."""
    found: list[int] = []
    for target in targets:
        node = graph.nodes[target]
        if node.kind == "class":
            found.append(target)
        elif node.imported is not None and not node.imported.binds_module and depth < 5:
            lookup = graph.lookup(node.imported.module, node.imported.name)
            found.extend(_classes(graph, lookup, depth + 1))
    return found


def overridden_base(graph: Graph, cls: Node, name: str, seen: set[int]) -> str | None:
    """The base class whose method ``name`` this class may override, in-repo or external."""
    definition = cls.definition
    if definition is None or cls.id in seen:
        return None
    seen.add(cls.id)
    for base in definition.bases:
        if base in ("object", ""):
            continue
        parents = resolve_base(graph, cls, base)
        if not parents:
            known = KNOWN_BASES.get(base.split("[", 1)[0])
            if known is not None and not hasattr(known, name):
                continue
            return base  # outside the repository: any method may be an override
        for parent in parents:
            if name in graph.scopes[graph.nodes[parent].file].members.get(parent, {}):
                return base
            found = overridden_base(graph, graph.nodes[parent], name, seen)
            if found:
                return found
    return None


def _whitelisted(graph: Graph, node: Node, patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return False
    names = {node.name, qualified(graph, node)}
    if node.parent >= 0:
        names.add(f"{graph.nodes[node.parent].name}.{node.name}")
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


def _public_module(graph: Graph, node: Node) -> bool:
    facts = graph.files[node.file]
    parts = facts.module.split(".")
    return (
        ("." in facts.module or facts.is_package)
        and not is_test_file(facts.path)
        and not any(p.startswith("_") for p in parts)
    )


def _public_name(graph: Graph, node: Node) -> bool:
    module = graph.nodes[node.file]
    if not _public_module(graph, module) or node.name.startswith("_"):
        return False
    if node.parent >= 0:
        owner = graph.nodes[node.parent]
        return not owner.name.startswith("_") and owner.parent < 0
    exported = graph.files[node.file].dunder_all
    return exported is None or node.name in exported
