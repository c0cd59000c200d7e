"""Cheap checks that pick the rules worth a libcst parse of a file.

Stage 1 (`codemods.text_filters`) looks for each rule's needles in the raw bytes. Stage 2, only
for files that pass stage 1 with a rule declaring ``uses``/``attrs`` (or a sharper test named by
``RuleInfo.ast_filter``), parses the file with the stdlib ``ast`` (much faster than libcst) and
keeps the rules whose qualified names the file reaches through its imports, ignoring scopes.
Both stages may keep a file that turns out to need nothing (the libcst rules decide exactly);
neither may drop a file a rule would change. Like stage 1, stage 2 needs only the rules'
metadata (`codemods.info`): a file it settles never costs the libcst import.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.import_resolution import bindings as import_bindings
from codemods.info import ProjectFacts, RuleInfo, parse_python
from codemods.pythons import SIX, VERSION_TEST, import_available, version_token_value


@dataclass(frozen=True)
class Survey:
    """The qualified names a file reaches through imports, and every identifier it spells."""

    uses: frozenset[str]
    names: frozenset[str]
    calls: frozenset[tuple[str, str]]
    """(qualified name of the called function, keyword argument) for every keyword passed."""
    methods: frozenset[str]
    """Names of methods called on objects (``x.warn(...)``, not ``warnings.warn(...)``)."""
    guards: frozenset[str] = frozenset()
    """What compatibility guards test: the names a ``try`` whose handlers catch ImportError
    imports, ``sys.version_info``/``six.PY2``… when an ``if`` tests them, ``module.attr`` for
    ``hasattr(module, "attr")`` in an ``if`` test."""


def survey(tree: ast.AST) -> Survey:
    uses: set[str] = set()
    names: set[str] = set()
    nodes = list(ast.walk(tree))
    bindings = import_bindings(nodes)  # relative imports: the repository's own, no API
    for node in nodes:
        if isinstance(node, ast.Import):
            uses.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                uses.add(f"{node.module}.{alias.name}")
                names.add(alias.name)
    calls: set[tuple[str, str]] = set()
    methods: set[str] = set()
    guards: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            guards.update(_imported(node.body))
        elif isinstance(node, ast.If):
            guards.update(_tested(node.test, bindings))
        if isinstance(node, ast.Call):
            func = node.func
            callee: str | None = None
            if isinstance(func, ast.Attribute):
                callee = dotted_name(func, bindings)
                if callee is None:
                    methods.add(func.attr)
            elif isinstance(func, ast.Name):
                callee = bindings.get(func.id)
            if callee is not None:
                calls.update((callee, k.arg) for k in node.keywords if k.arg)
        if isinstance(node, ast.Name):
            names.add(node.id)
            if node.id in bindings:
                uses.add(bindings[node.id])
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            dotted = dotted_name(node, bindings)
            if dotted is not None:
                uses.add(dotted)
    return Survey(
        frozenset(uses), frozenset(names), frozenset(calls), frozenset(methods), frozenset(guards)
    )


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    elements = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(e, ast.Name) and e.id in _IMPORT_ERRORS for e in elements)


def _imported(body: list[ast.stmt]) -> set[str]:
    found: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.Import):
            found.update(alias.name for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            found.update(f"{statement.module}.{alias.name}" for alias in statement.names)
    return found


_AST_OPERATORS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}


def _version_token(node: ast.Compare, bindings: dict[str, str]) -> str | None:
    if len(node.ops) != 1 or type(node.ops[0]) not in _AST_OPERATORS:
        return None
    left, right = node.left, node.comparators[0]
    read: str | None = None
    if isinstance(left, ast.Attribute) and left.attr in ("major", "minor", "micro"):
        inner = left.value
        if isinstance(inner, ast.Attribute) and dotted_name(inner, bindings) == "sys.version_info":
            read = f".{left.attr}"
    if isinstance(left, ast.Attribute) and dotted_name(left, bindings) == "sys.version_info":
        read = ""
    elif (
        isinstance(left, ast.Subscript)
        and isinstance(left.value, ast.Attribute)
        and dotted_name(left.value, bindings) == "sys.version_info"
    ):
        index = left.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, int):
            read = f"[{index.value}]"
        elif (
            isinstance(index, ast.Slice)
            and index.lower is None
            and index.step is None
            and isinstance(index.upper, ast.Constant)
            and type(index.upper.value) is int
        ):
            read = f"[:{index.upper.value}]"
    if read is None:
        return None
    if isinstance(right, ast.Constant) and type(right.value) is int:
        literal = str(right.value)
    elif isinstance(right, ast.Tuple) and all(
        isinstance(e, ast.Constant) and type(e.value) is int for e in right.elts
    ):
        literal = ",".join(str(e.value) for e in right.elts if isinstance(e, ast.Constant)) + ","
    else:
        return None
    return f"{VERSION_TEST}{read}?{_AST_OPERATORS[type(node.ops[0])]}?{literal}"


_SIX_FLAGS = frozenset({"PY2", "PY3"})


def _tested(test: ast.expr, bindings: dict[str, str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(test):
        if isinstance(node, ast.Compare):
            token = _version_token(node, bindings)
            if token is not None:
                found.add(token)
            continue
        if isinstance(node, ast.Attribute | ast.Name):
            dotted = (
                dotted_name(node, bindings)
                if isinstance(node, ast.Attribute)
                else bindings.get(node.id)
            )
            if dotted is not None and dotted.rpartition(".")[2] in _SIX_FLAGS:
                found.add(dotted)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "hasattr"
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            target = node.args[0]
            owner = (
                bindings.get(target.id)
                if isinstance(target, ast.Name)
                else dotted_name(target, bindings)
                if isinstance(target, ast.Attribute)
                else None
            )
            if owner is not None:
                found.add(f"{owner}.{node.args[1].value}")
    return found


def dotted_name(node: ast.Attribute, bindings: dict[str, str]) -> str | None:
    """The qualified name of ``a.b.c`` when ``a`` is bound by an import."""
    parts = [node.attr]
    value = node.value
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if not isinstance(value, ast.Name) or value.id not in bindings:
        return None
    return ".".join([bindings[value.id], *reversed(parts)])


def uses_and_attrs(info: RuleInfo, found: Survey, facts: ProjectFacts) -> bool:
    """The file reaches one of ``uses`` (when there are any) and spells one of ``attrs`` (when
    there are any)."""
    if info.uses and found.uses.isdisjoint(info.uses):
        return False
    return not info.attrs or not found.names.isdisjoint(info.attrs)


def module_uses(info: RuleInfo, found: Survey, facts: ProjectFacts) -> bool:
    """The file reaches a module of ``uses`` or anything in it."""
    return any(
        use == module or use.startswith(module + ".") for module in info.uses for use in found.uses
    )


def encoding_keyword(info: RuleInfo, found: Survey, facts: ProjectFacts) -> bool:
    """A function of ``uses`` is called with an ``encoding=`` keyword."""
    return any((use, "encoding") in found.calls for use in info.uses)


def warn_call(info: RuleInfo, found: Survey, facts: ProjectFacts) -> bool:
    """``logging.warn`` itself, or ``.warn(...)`` called on an object in a file that makes
    loggers (``warnings.warn`` is a module function and does not count)."""
    if "logging.warn" in found.uses:
        return True
    return "warn" in found.methods and not found.uses.isdisjoint(info.uses)


def compat_guards(info: RuleInfo, found: Survey, facts: ProjectFacts) -> bool:
    """Only files with a guard the oldest Python makes obsolete: a ``try`` importing a name it
    has, a ``sys.version_info`` test constant from it on, ``six.PY2``/``PY3``, or ``hasattr`` of
    a name it has. (The libcst pass then checks the rest.)"""
    floor = parse_python(facts.python)
    if floor is None:
        return False
    for guard in found.guards:
        if guard in SIX or import_available(guard, floor):
            return True
        if guard.startswith(VERSION_TEST) and version_token_value(guard, floor) is not None:
            return True
    return False


AstFilter = Callable[[RuleInfo, Survey, ProjectFacts], bool]
AST_FILTERS: dict[str, AstFilter] = {
    "": uses_and_attrs,
    "module-uses": module_uses,
    "encoding-keyword": encoding_keyword,
    "warn-call": warn_call,
    "compat-guards": compat_guards,
}


def reaches(info: RuleInfo, found: Survey, facts: ProjectFacts) -> bool:
    """Stage 2 for one rule: may the file hold something for it? Never false for a file the
    rule would change."""
    return AST_FILTERS[info.ast_filter](info, found, facts)


def needs_survey(info: RuleInfo) -> bool:
    """Whether the ``ast`` pre-filter can reject files for this rule (else it is skipped)."""
    return bool(info.ast_filter or info.uses or info.attrs)


def by_ast(
    source: str | bytes, rules: Sequence[RuleInfo], facts: ProjectFacts | None = None
) -> list[RuleInfo]:
    """Stage 2: of those, the rules whose names the file reaches (all when it does not parse)."""
    if not any(needs_survey(info) for info in rules):
        return list(rules)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return list(rules)  # libcst will report the problem precisely
    return by_tree(tree, rules, facts)


def by_tree(
    tree: ast.AST, rules: Sequence[RuleInfo], facts: ProjectFacts | None = None
) -> list[RuleInfo]:
    """`by_ast` on a tree parsed already (`app.parsed`: one parse per file per scan)."""
    if not any(needs_survey(info) for info in rules):
        return list(rules)
    found = survey(tree)
    known = facts or ProjectFacts()
    return [info for info in rules if reaches(info, found, known)]
