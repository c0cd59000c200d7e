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
from app.deadcode.extract import is_example
from app.deadcode.facts import FileFacts, Flag
from app.deadcode.graph import IMPORT, MODULE, Graph, Node, bound_name
from app.deadcode.hooks import calls, is_protocol

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
EXAMPLE = "documentation, script or example"
TEST_PACKAGES = frozenset({"test", "tests", "testing"})
EXTERNAL_METACLASSES = frozenset({"ABCMeta", "abc.ABCMeta", "type", "EnumMeta", "enum.EnumMeta"})


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
    if facts.path.split("/", 1)[0] in ("docs", "doc", "scripts", "bin") or is_example(facts.path):
        return EXAMPLE
    if not importable(facts.path):
        return "file name is not an importable module name: loaded by path (a tool's hook file)"
    return None


def importable(path: str) -> bool:
    return path.rsplit("/", 1)[-1].removesuffix(".py").isidentifier()


def is_test_helper(facts: FileFacts) -> bool:
    """A module under ``test/``, ``tests/`` or ``testing/`` inside a package: other projects'
    test suites import its helpers (``pkg.testing.factories``)."""
    parts = facts.module.split(".")
    return len(parts) > 1 and any(p in TEST_PACKAGES for p in parts[1:])


def find_roots(graph: Graph, texts: Mapping[str, TextFacts]) -> Roots:
    """Roots found by scanning the repository: entry modules, `__all__`, strings, configs.

    The per-symbol guards (`NodeGuard`) are applied later, only to what these do not reach.
    """
    roots = Roots()
    for position, facts in enumerate(graph.files):
        reason = entry_module(graph, position)
        if reason:
            roots.keep([position], reason)
        if reason == EXAMPLE:  # what an example imports is what users import
            roots.keep(
                (n for nodes in graph.scopes[position].top.values() for n in nodes
                 if graph.nodes[n].kind == IMPORT),
                "imported by an example or the docs",
            )  # fmt: skip
        if not importable(facts.path):  # e.g. `hook-pkg.py`: the loading tool reads its names
            top = graph.scopes[position].top.values()
            roots.keep((n for nodes in top for n in nodes), "read by the tool that loads the file")
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
    _computed_imports(graph, roots)
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


def _computed_imports(graph: Graph, roots: Roots) -> None:
    """``import_module(f"pkg.plugins.{name}")``: every module under ``pkg.plugins`` may run.

    When the package itself is a variable (``"%s.%s" % (location, name)``), the packages that
    the same file names in strings are taken as its possible values.
    """
    wanted: dict[str, str] = {}
    for facts in graph.files:
        for prefix in facts.import_prefixes:
            if prefix:
                wanted.setdefault(prefix, facts.path)
                continue
            for text in facts.strings:
                if any(graph.files[p].is_package for p in graph.module_nodes(text)):
                    wanted.setdefault(text + ".", facts.path)
    if not wanted:
        return
    for module, positions in graph.modules.items():
        for prefix, path in wanted.items():
            if module.startswith(prefix) and module != prefix:
                reason = f"imported by a name built at run time from `{prefix}` in {path}"
                roots.keep(positions, reason)
                roots.dynamic_modules.add(module)
                break


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
        facts = graph.files[node.file]
        if is_test_helper(facts) and _public_member_chain(graph, node):
            return "test helper of a distributed package (other projects' tests import it)"
        if node.file in self.test_files:
            reason = _test_guard(graph, node, facts.path)
            if reason:
                return reason
        if node.kind == "class":
            reason = registered_class(graph, node)
            if reason:
                return reason
        if node.parent >= 0:
            reason = _member_guard(graph, node)
            if reason:
                return reason
        return None


def _public_member_chain(graph: Graph, node: Node) -> bool:
    """Neither the name nor any class or function around it starts with an underscore."""
    outer = [graph.nodes[o] for o in graph.enclosing(node) if graph.nodes[o].kind != MODULE]
    return not any(n.name.startswith("_") for n in (node, *outer)) and node.scope < 0


def registered_class(graph: Graph, cls: Node) -> str | None:
    """A class registered when it is defined: by ``__init_subclass__`` of a base, or by a
    metaclass defined in the repository (plugin registries). Nothing has to name it."""
    for owner in (cls.id, *graph.ancestors(cls)):
        owner_node = graph.nodes[owner]
        if owner != cls.id and "__init_subclass__" in graph.members(owner):
            return f"registered by `__init_subclass__` of its base `{owner_node.name}`"
        definition = owner_node.definition
        metaclass = definition.metaclass if definition else ""
        registering = metaclass and metaclass not in EXTERNAL_METACLASSES
        if registering and graph.resolve_base(owner_node, metaclass):
            return f"registered by the metaclass `{metaclass}` when it is defined"
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
    if node.kind in ("method", "class") and _declares_protocol(graph, owner):
        return "declared by a `Protocol` (an interface for type checkers)"
    base = overridden_base(graph, owner, node.name, set())
    if base:
        return f"overrides a method of `{base}`"
    return None


def _declares_protocol(graph: Graph, cls: Node) -> bool:
    definition = cls.definition
    return definition is not None and any(
        is_protocol(qualify_base(graph, cls, b.split("[", 1)[0]) or "") for b in definition.bases
    )


def qualify_base(graph: Graph, cls: Node, base: str) -> str | None:
    """The dotted name an external base expression stands for, through the file's imports
    (``View`` after ``from django.views import generic as g``... ``g.View``); ``None`` when
    the name is defined in the file itself."""
    head, _, rest = base.partition(".")
    bindings = graph.scopes[cls.file].top.get(head)
    if not bindings:
        return base  # a builtin, or from a star import
    for binding in bindings:
        imported = graph.nodes[binding].imported
        if imported is None:
            continue
        module = bound_name(imported, head)
        return f"{module}.{rest}" if rest else module
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
        for parent in graph.resolve_base(cls, base):
            found = _declarative(graph, graph.nodes[parent], seen)
            if found:
                return found
    return None


def overridden_base(graph: Graph, cls: Node, name: str, seen: set[int]) -> str | None:
    """The external base class whose method ``name`` this class may override.

    Overrides of methods defined in the repository are edges of the graph (reached from the
    method they override), not guards. An external base overrides ``name`` when it has that
    attribute (builtins, `collections.abc`), when its hook table lists it, or, for a base we
    know nothing about, always.
    """
    definition = cls.definition
    if definition is None or cls.id in seen:
        return None
    seen.add(cls.id)
    for base in definition.bases:
        bare = base.split("[", 1)[0]
        if bare in ("object", ""):
            continue
        parents = graph.resolve_base(cls, base)
        if parents:
            for parent in parents:
                found = overridden_base(graph, graph.nodes[parent], name, seen)
                if found:
                    return found
            continue
        known = KNOWN_BASES.get(bare)
        if known is not None:
            if hasattr(known, name):
                return base
            continue
        qualified = qualify_base(graph, cls, bare)
        if qualified is None:
            return base  # made by a call in this file (``Base = declarative_base()``)
        hooked = calls(qualified, name)
        if hooked is None or hooked:
            return base
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
