"""The public API of two versions of a distribution, compared statically with griffe.

griffe's `find_breaking_changes` covers signatures (removed, moved and newly required
parameters, changed defaults) and removed public objects. It skips names a package only
re-exports without ``__all__`` (``jinja2.Markup`` in Jinja 2.x); users import those all the
time, so removed re-exports are found here too. New deprecations are the functions and classes
whose body warns with a ``DeprecationWarning`` (or ``PendingDeprecationWarning``,
``FutureWarning``) or that carry ``@deprecated``, in the new version and not in the old.

Nothing of the distribution is imported or run (``allow_inspection=False``). Compiled modules
without ``.pyi`` stubs cannot be compared: the diff says so instead of claiming no change.
"""

from __future__ import annotations

import ast
import logging
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import griffe

from app.apidiff.archives import COMPILED_SUFFIXES, SOURCE_SUFFIXES, Member

# griffe logs what it cannot resolve in a package's own code (an alias to a Windows-only module,
# an odd annotation) at ERROR: about the package, not our run, so it stays off the user's screen.
logging.getLogger("griffe").setLevel(logging.CRITICAL)

DEPRECATION_CATEGORIES = frozenset(
    {"DeprecationWarning", "PendingDeprecationWarning", "FutureWarning"}
)
MAX_SOURCE_BYTES = 2_000_000
SKIPPED_TOP_LEVEL = frozenset({"setup", "tests", "test", "docs", "examples", "conftest"})


class ChangeKind(StrEnum):
    REMOVED = "removed"
    PARAMETER_REMOVED = "parameter removed"
    PARAMETER_ADDED_REQUIRED = "new required parameter"
    PARAMETER_MOVED = "positional parameter moved"
    PARAMETER_CHANGED_KIND = "parameter kind changed"
    PARAMETER_CHANGED_DEFAULT = "default changed"
    PARAMETER_CHANGED_REQUIRED = "parameter became required"
    CHANGED_KIND = "kind changed"
    RETURN_CHANGED_TYPE = "return type changed"
    BASE_REMOVED = "base class removed"
    ATTRIBUTE_CHANGED = "attribute changed"
    DEPRECATED = "deprecated"

    @property
    def breaks_code(self) -> bool:
        """Code using the symbol this way fails on the new version."""
        return self in _BREAKING


_BREAKING = frozenset(
    {
        ChangeKind.REMOVED,
        ChangeKind.PARAMETER_REMOVED,
        ChangeKind.PARAMETER_ADDED_REQUIRED,
        ChangeKind.PARAMETER_CHANGED_REQUIRED,
        ChangeKind.CHANGED_KIND,
    }
)

_GRIFFE_KINDS = {
    griffe.BreakageKind.OBJECT_REMOVED: ChangeKind.REMOVED,
    griffe.BreakageKind.PARAMETER_REMOVED: ChangeKind.PARAMETER_REMOVED,
    griffe.BreakageKind.PARAMETER_ADDED_REQUIRED: ChangeKind.PARAMETER_ADDED_REQUIRED,
    griffe.BreakageKind.PARAMETER_MOVED: ChangeKind.PARAMETER_MOVED,
    griffe.BreakageKind.PARAMETER_CHANGED_KIND: ChangeKind.PARAMETER_CHANGED_KIND,
    griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT: ChangeKind.PARAMETER_CHANGED_DEFAULT,
    griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED: ChangeKind.PARAMETER_CHANGED_REQUIRED,
    griffe.BreakageKind.OBJECT_CHANGED_KIND: ChangeKind.CHANGED_KIND,
    griffe.BreakageKind.RETURN_CHANGED_TYPE: ChangeKind.RETURN_CHANGED_TYPE,
    griffe.BreakageKind.CLASS_REMOVED_BASE: ChangeKind.BASE_REMOVED,
    griffe.BreakageKind.ATTRIBUTE_CHANGED_TYPE: ChangeKind.ATTRIBUTE_CHANGED,
    # ATTRIBUTE_CHANGED_VALUE is left out: ``__version__`` and other constants change in every
    # release, and listing them would bury the changes that break code.
}


@dataclass(frozen=True)
class ApiChange:
    """One change of the public API: ``symbol`` is its qualified name in the old version."""

    symbol: str
    kind: ChangeKind
    parameter: str | None = None
    note: str = ""

    def describe(self) -> str:
        text = f"{self.kind.value}: `{self.parameter}`" if self.parameter else self.kind.value
        return f"{text} ({self.note})" if self.note else text

    def to_json(self) -> list[Any]:
        return [self.symbol, self.kind.value, self.parameter, self.note]

    @classmethod
    def from_json(cls, data: list[Any]) -> ApiChange:
        symbol, kind, parameter, note = data
        return cls(symbol, ChangeKind(kind), parameter, note)


@dataclass(frozen=True)
class ApiDiff:
    """What changed between two versions; ``uncompared`` names what could not be compared."""

    changes: tuple[ApiChange, ...]
    aliases: tuple[tuple[str, str], ...]
    """Old-version re-exports (``jinja2.Environment`` → ``jinja2.environment.Environment``)."""
    modules: tuple[str, ...]
    """The top-level import names of the distribution."""
    uncompared: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": [c.to_json() for c in self.changes],
            "aliases": [list(a) for a in self.aliases],
            "modules": list(self.modules),
            "uncompared": self.uncompared,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApiDiff:
        return cls(
            changes=tuple(ApiChange.from_json(c) for c in data["changes"]),
            aliases=tuple((a, b) for a, b in data["aliases"]),
            modules=tuple(data["modules"]),
            uncompared=data["uncompared"],
        )


@dataclass(frozen=True)
class Unpacked:
    """One version's sources on disk and what its archive holds."""

    root: Path
    members: tuple[Member, ...]
    top_level: tuple[str, ...]


def top_level_names(found: Iterable[Member], declared: str | None) -> tuple[str, ...]:
    """Import names: ``top_level.txt`` when the wheel has one, else the archive's layout."""
    names: set[str] = set()
    if declared:
        names = {line.strip().replace("/", ".") for line in declared.splitlines()}
        return tuple(sorted(n for n in names if n and not n.startswith("_")))
    for member in found:
        parts = member.name.split("/")
        if parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
        head = parts[0]
        if head.endswith((".dist-info", ".data", ".egg-info")) or head.startswith(("_", ".")):
            continue
        if len(parts) == 1:
            stem = head.split(".")[0]
            if head.endswith(SOURCE_SUFFIXES + COMPILED_SUFFIXES) and stem not in SKIPPED_TOP_LEVEL:
                names.add(stem)
        elif parts[1:] in (["__init__.py"], ["__init__.pyi"]) and head not in SKIPPED_TOP_LEVEL:
            names.add(head)
    return tuple(sorted(names))


def compiled_without_stubs(found: Iterable[Member], top_level: Iterable[str]) -> list[str]:
    """Extension modules of the distribution's packages that ship no ``.pyi`` stub."""
    names = [m.name for m in found]
    stubs = {n.removesuffix(".pyi") for n in names if n.endswith(".pyi")}
    tops = set(top_level)
    missing = []
    for name in names:
        if not name.endswith(COMPILED_SUFFIXES) or name.split("/")[0] not in tops:
            continue
        stem = name.rsplit(".", 2)[0] if name.count(".") >= 2 else name.rsplit(".", 1)[0]
        if stem not in stubs and f"{stem}/__init__" not in stubs:
            missing.append(stem.replace("/", "."))
    return sorted(missing)


def compare(old: Unpacked, new: Unpacked) -> ApiDiff:
    """Every public API change from ``old`` to ``new`` (never raises on odd packages)."""
    modules = tuple(sorted(set(old.top_level) | set(new.top_level)))
    blind = compiled_without_stubs(new.members, new.top_level) + compiled_without_stubs(
        old.members, old.top_level
    )
    changes: dict[tuple[str, ChangeKind, str | None], ApiChange] = {}
    aliases: dict[str, str] = {}
    failed: list[str] = []
    for module in old.top_level:
        try:
            before = _load(module, old.root)
        except Exception as exc:  # griffe on odd code: say so, keep going
            failed.append(f"{module} (old version: {type(exc).__name__})")
            continue
        aliases.update(_aliases(before))
        if module not in new.top_level:
            _add(changes, ApiChange(module, ChangeKind.REMOVED, note="module no longer shipped"))
            continue
        try:
            after = _load(module, new.root)
        except Exception as exc:
            failed.append(f"{module} (new version: {type(exc).__name__})")
            continue
        for change in _breakages(before, after):
            _add(changes, change)
        for change in _removed_reexports(before, after):
            _add(changes, change)
    deprecated = _deprecations(new.root, new.top_level) - _deprecations(old.root, old.top_level)
    for symbol in sorted(deprecated):
        _add(changes, ApiChange(symbol, ChangeKind.DEPRECATED))
    reasons = []
    if blind:
        reasons.append(f"compiled modules without .pyi stubs: {', '.join(sorted(set(blind)))}")
    if failed:
        reasons.append(f"could not be loaded: {', '.join(failed)}")
    if not old.top_level or not new.top_level:
        reasons.append("no importable Python package found in the distribution")
    return ApiDiff(
        changes=tuple(
            sorted(changes.values(), key=lambda c: (c.symbol, c.kind, c.parameter or ""))
        ),
        aliases=tuple(sorted(aliases.items())),
        modules=modules,
        uncompared="; ".join(reasons) or None,
    )


def _add(changes: dict[tuple[str, ChangeKind, str | None], ApiChange], change: ApiChange) -> None:
    changes.setdefault((change.symbol, change.kind, change.parameter), change)


def _load(module: str, root: Path) -> griffe.Object:
    loaded = griffe.load(
        module,
        search_paths=[root, root / "src"],
        allow_inspection=False,
        resolve_aliases=False,
        try_relative_path=False,
    )
    assert isinstance(loaded, griffe.Object)
    return loaded


def _breakages(before: griffe.Object, after: griffe.Object) -> Iterator[ApiChange]:
    yield from _public_breakages(before, after, {})
    # griffe skips private modules; their objects re-exported under public names
    # (``from fast._speed import go``) are compared here and reported by the public name.
    public = {
        target: alias
        for alias, target in _aliases(before).items()
        if _private(target) and not _private(alias)
    }
    for module in sorted({target.rsplit(".", 1)[0] for target in public}):
        old_module, new_module = _lookup(before, module), _lookup(after, module)
        if old_module is None or new_module is None or not old_module.is_module:
            continue
        yield from _public_breakages(old_module, new_module, public)


def _lookup(root: griffe.Object, path: str) -> griffe.Object | None:
    found: Any = root
    for part in path.split(".")[1:]:
        found = found.members.get(part) if found is not None and not found.is_alias else None
    return found if isinstance(found, griffe.Object) else None


def _public_breakages(
    before: griffe.Object, after: griffe.Object, public: dict[str, str]
) -> Iterator[ApiChange]:
    for breakage in griffe.find_breaking_changes(before, after):
        kind = _GRIFFE_KINDS.get(breakage.kind)
        path = _renamed(breakage.obj.path, public)
        if kind is None or _private(path):
            continue
        if kind is ChangeKind.BASE_REMOVED and not _real_bases_removed(breakage):
            continue
        parameter = None
        for value in (breakage.old_value, breakage.new_value):
            if isinstance(value, griffe.Parameter):
                parameter = value.name
                break
        note = ""
        if kind is ChangeKind.PARAMETER_CHANGED_DEFAULT:
            note = f"{breakage.old_value.default} → {breakage.new_value.default}"
        yield ApiChange(path, kind, parameter, note)


def _renamed(path: str, public: dict[str, str]) -> str:
    """``fast._speed.go.x`` → ``fast.go.x`` when ``fast.go`` re-exports ``fast._speed.go``."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in public:
            return ".".join([public[prefix], *parts[end:]])
    return path


def _real_bases_removed(breakage: griffe.Breakage) -> bool:
    """Dropping ``object`` or a Python 2 ``with_metaclass`` base breaks nobody."""
    old = {str(base) for base in breakage.old_value or ()}
    new = {str(base) for base in breakage.new_value or ()}
    removed = {b for b in old - new if b != "object" and "with_metaclass" not in b}
    return bool(removed)


def _private(path: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in path.split("."))


def _modules(root: griffe.Object) -> Iterator[griffe.Object]:
    stack = [root]
    while stack:
        module = stack.pop()
        yield module
        for member in module.members.values():
            if not member.is_alias and member.is_module and not member.name.startswith("_"):
                assert isinstance(member, griffe.Object)
                stack.append(member)


def _aliases(root: griffe.Object) -> dict[str, str]:
    found = {}
    for module in _modules(root):
        for name, member in module.members.items():
            if member.is_alias and not name.startswith("_"):
                target = member.target_path  # type: ignore[union-attr]
                if target.split(".")[0] == root.name:
                    found[member.path] = target
    return found


def _external_module(member: griffe.Object | griffe.Alias) -> bool:
    """``import sys`` inside a module is not part of its API."""
    if not member.is_alias:
        return False
    target = member.target_path  # type: ignore[union-attr]
    head = target.split(".")[0]
    return head in sys.stdlib_module_names or head == "__future__" or target == member.name


def _removed_reexports(before: griffe.Object, after: griffe.Object) -> Iterator[ApiChange]:
    for module in _modules(before):
        relative = module.path.split(".")[1:]
        counterpart: Any = after
        for part in relative:
            counterpart = counterpart.members.get(part) if counterpart is not None else None
        if counterpart is None or counterpart.is_alias:
            continue
        present = counterpart.members
        for name, member in module.members.items():
            if name.startswith("_") or name in present or not member.is_alias:
                continue
            if _external_module(member) or _getattr_provides(counterpart, name):
                continue
            yield ApiChange(member.path, ChangeKind.REMOVED, note="no longer exported")


def _getattr_provides(module: griffe.Object, name: str) -> bool:
    """A module ``__getattr__`` that mentions the name still serves it (deprecated shims)."""
    hook = module.members.get("__getattr__")
    if hook is None or hook.is_alias or not hook.is_function:
        return False
    source = hook.source if hasattr(hook, "source") else ""
    return f'"{name}"' in source or f"'{name}'" in source


def _deprecations(root: Path, top_level: Iterable[str]) -> set[str]:
    """Qualified names whose use warns with a deprecation category in this version."""
    found: set[str] = set()
    for top in top_level:
        for base in (root, root / "src"):
            package = base / top
            files = list(package.rglob("*.py")) if package.is_dir() else []
            single = base / f"{top}.py"
            if single.is_file():
                files.append(single)
            for path in files:
                relative = path.relative_to(base).with_suffix("")
                parts = list(relative.parts)
                if parts[-1] == "__init__":
                    parts.pop()
                if any(p.startswith("_") and p != "__init__" for p in parts[1:]):
                    continue
                found.update(_deprecated_in(path, ".".join(parts)))
    return found


def _deprecated_in(path: Path, module: str) -> set[str]:
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return set()
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError):
        return set()
    found: set[str] = set()
    _walk_deprecations(tree.body, module, found)
    return found


def _walk_deprecations(body: list[ast.stmt], prefix: str, found: set[str]) -> None:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            symbol = f"{prefix}.{node.name}"
            if node.name.startswith("_") and node.name not in ("__init__", "__getattr__"):
                continue
            if any(_is_deprecated_decorator(d) for d in node.decorator_list):
                found.add(symbol)
            if isinstance(node, ast.ClassDef):
                _walk_deprecations(node.body, symbol, found)
                continue
            if node.name == "__getattr__":
                found.update(f"{prefix}.{name}" for name in _warned_names(node))
            elif node.name == "__init__" and _warns(node):
                found.add(prefix)
            elif _warns(node):
                found.add(symbol)


def _is_deprecated_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "deprecated"


def _warns(function: ast.AST) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and _is_deprecation_warn(node):
            return True
    return False


def _is_deprecation_warn(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name != "warn":
        return False
    candidates = [*call.args[1:2], *(k.value for k in call.keywords if k.arg == "category")]
    for candidate in candidates:
        spelled = (
            candidate.attr if isinstance(candidate, ast.Attribute) else getattr(candidate, "id", "")
        )
        if spelled in DEPRECATION_CATEGORIES:
            return True
    return False


def _warned_names(function: ast.AST) -> set[str]:
    """Names a module ``__getattr__`` warns about (``if name == "X": warnings.warn(...)``)."""
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.If) and _warns(node):
            for compare in ast.walk(node.test):
                if isinstance(compare, ast.Constant) and isinstance(compare.value, str):
                    names.add(compare.value)
    return {n for n in names if n.isidentifier()}
