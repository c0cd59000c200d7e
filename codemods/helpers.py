"""Shared helpers for rules: qualified names, scopes, module references, receiver types.

Everything here reads the metadata of the *original* tree through the calling rule, so a rule
calls these with ``original_node`` from its ``leave_*`` methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    Assignment,
    BuiltinScope,
    ClassScope,
    GlobalScope,
    ImportAssignment,
    ProviderT,
    QualifiedName,
    Scope,
    ScopeProvider,
)

from codemods.base import Rule
from codemods.imports import want_import


def qualified(rule: Rule, node: cst.CSTNode) -> set[QualifiedName]:
    """What ``QualifiedNameProvider`` would say, asked of the scope for this one node only
    (the provider itself walks the whole tree again, which costs a third of the metadata)."""
    scope = rule.get_metadata(ScopeProvider, node, None)
    if scope is None:
        return set()
    try:
        return set(scope.get_qualified_names_for(node))
    except Exception:  # libcst raises on nodes it does not track (parts of imports)
        return set()


def qualified_names(rule: Rule, node: cst.CSTNode) -> set[str]:
    return {q.name for q in qualified(rule, node)}


def qualified_name(rule: Rule, node: cst.CSTNode) -> str | None:
    """The node's qualified name when it has exactly one (ambiguous bindings give ``None``)."""
    names = qualified_names(rule, node)
    return next(iter(names)) if len(names) == 1 else None


def scope_of(rule: Rule, node: cst.CSTNode) -> Scope | None:
    return rule.get_metadata(ScopeProvider, node, None)


def _visible_scopes(scope: Scope | None) -> Iterable[Scope]:
    while scope is not None and not isinstance(scope, BuiltinScope):
        yield scope
        scope = scope.parent


def is_bound(rule: Rule, node: cst.CSTNode, name: str) -> bool:
    """Is ``name`` assigned in the file in a scope visible from ``node`` (builtins excluded)?"""
    return any(name in scope.assignments for scope in _visible_scopes(scope_of(rule, node)))


def global_scope(rule: Rule, node: cst.CSTNode) -> GlobalScope | None:
    scope = scope_of(rule, node)
    return scope.globals if scope is not None else None


def dotted(name: str) -> cst.Attribute | cst.Name:
    parts = name.split(".")
    expr: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        expr = cst.Attribute(value=expr, attr=cst.Name(part))
    return expr


def module_reference(rule: Rule, node: cst.CSTNode, module: str) -> cst.Attribute | cst.Name | None:
    """An expression naming ``module`` at ``node``, scheduling ``import module`` if needed.

    ``None`` when the module's top-level name is taken by something else in the file (a local
    variable, an alias, a from-import), so that using it would change meaning.
    """
    top = module.split(".")[0]
    scopes = list(_visible_scopes(scope_of(rule, node)))
    if not scopes:
        return None
    present = False
    for scope in scopes:
        for assignment in scope.assignments[top]:
            if not _is_plain_import_of(assignment, top):
                return None
            present = present or _imports_exactly(assignment, module)
    if not present:
        want_import(rule, node, module)
    return dotted(module)


def _imports_exactly(assignment: object, module: str) -> bool:
    if not isinstance(assignment, ImportAssignment) or not isinstance(assignment.node, cst.Import):
        return False
    return any(
        alias.asname is None and alias.evaluated_name == module for alias in assignment.node.names
    )


def _is_plain_import_of(assignment: object, top: str) -> bool:
    if not isinstance(assignment, ImportAssignment) or not isinstance(assignment.node, cst.Import):
        return False
    for alias in assignment.node.names:
        if alias.asname is None and cst.helpers.get_full_name_for_node(alias.name) is not None:
            full = cst.helpers.get_full_name_for_node(alias.name) or ""
            if full == top or full.startswith(top + "."):
                return True
    return False


def name_reference(rule: Rule, node: cst.CSTNode, module: str, obj: str) -> cst.Name | None:
    """``obj`` imported from ``module`` at ``node`` (``from module import obj`` scheduled).

    ``None`` when ``obj`` is already bound to something else in a visible scope.
    """
    present = False
    for scope in _visible_scopes(scope_of(rule, node)):
        for assignment in scope.assignments[obj]:
            if not _is_from_import_of(assignment, module, obj):
                return None
            present = True
    if not present:
        want_import(rule, node, module, obj)
    return cst.Name(obj)


def _is_from_import_of(assignment: object, module: str, obj: str) -> bool:
    if not isinstance(assignment, ImportAssignment):
        return False
    node = assignment.node
    if not isinstance(node, cst.ImportFrom) or node.relative or node.module is None:
        return False
    if cst.helpers.get_full_name_for_node(node.module) != module:
        return False
    if isinstance(node.names, cst.ImportStar):
        return False
    return any(
        alias.asname is None and cst.helpers.get_full_name_for_node(alias.name) == obj
        for alias in node.names
    )


def enclosing_class(rule: Rule, node: cst.CSTNode) -> cst.ClassDef | None:
    """The class whose method body (directly) contains ``node``, if any."""
    current: cst.CSTNode | None = node
    seen_function = False
    while current is not None:
        parent = rule.parent(current)
        if isinstance(parent, cst.FunctionDef | cst.Lambda):
            if seen_function:
                return None
            seen_function = True
        elif isinstance(parent, cst.ClassDef):
            return parent if seen_function else None
        current = parent
    return None


def class_defines(cls: cst.ClassDef, name: str) -> bool:
    """Does the class body define ``name`` (a method, or an assignment of that name)?"""
    for statement in cls.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return True
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets: list[cst.BaseExpression] = []
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, cst.AnnAssign):
                    targets = [small.target]
                if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                    return True
    return False


NameResolver = Callable[[cst.CSTNode], set[str]]


@dataclass(frozen=True)
class TypeRules:
    """How to recognise values of some types: the calls that make them and the classes.

    ``factories`` maps a callable's qualified name to the type its call returns; ``classes``
    maps a class's qualified name to the type its instances count as (used for constructor
    calls, parameter annotations, ``self`` in subclasses). ``subscript`` maps a type to the
    type of ``value[...]``.
    """

    factories: Mapping[str, str] = field(default_factory=dict)
    classes: Mapping[str, str] = field(default_factory=dict)
    subscript: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)
    """Qualified names of ready-made objects (``logging.root``) and their types."""


class TypeOracle:
    """Proves the type of a receiver from assignments the file makes, or gives up (``None``)."""

    def __init__(self, rule: Rule, rules: TypeRules, names: NameResolver | None = None) -> None:
        self.rule = rule
        self.rules = rules
        self.names: NameResolver = names or (lambda node: qualified_names(rule, node))

    def type_of(self, expr: cst.BaseExpression, depth: int = 0) -> str | None:
        if depth > 6:
            return None
        if isinstance(expr, cst.Call):
            return self._call_type(expr, depth)
        if isinstance(expr, cst.Name | cst.Attribute):
            known = {self.rules.values[n] for n in self.names(expr) if n in self.rules.values}
            if len(known) == 1:
                return known.pop()
        if isinstance(expr, cst.Name):
            return self._name_type(expr, depth)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            cls = self_method_class(self.rule, expr.value)
            return self._member_type(cls, expr.attr.value, depth) if cls is not None else None
        if isinstance(expr, cst.Subscript):
            inner = self.type_of(expr.value, depth + 1)
            return self.rules.subscript.get(inner) if inner else None
        return None

    def class_type(self, expr: cst.BaseExpression) -> str | None:
        """The type an expression naming a class (``User`` in ``User.parse_obj``) stands for."""
        known = {self.rules.classes[n] for n in self.names(expr) if n in self.rules.classes}
        if len(known) == 1:
            return next(iter(known))
        if isinstance(expr, cst.Name):
            definitions = self._assignments(expr)
            if definitions and all(isinstance(a.node, cst.ClassDef) for a in definitions):
                types = {self._class_def_type(a.node) for a in definitions}  # type: ignore[arg-type]
                if len(types) == 1:
                    return types.pop()
        return None

    def _member_type(self, cls: cst.ClassDef, attr: str, depth: int) -> str | None:
        """``self.attr``: every value the class body and its methods assign to it agrees."""
        collector = _MemberAssignments(attr)
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.params.params:
                collector.receiver = statement.params.params[0].name.value
                statement.body.visit(collector)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == attr
                        for t in small.targets
                    ):
                        collector.values.append(small.value)
        if collector.unknown or not collector.values:
            return None
        types = {self.type_of(value, depth + 1) for value in collector.values}
        return types.pop() if len(types) == 1 else None

    def _call_type(self, call: cst.Call, depth: int) -> str | None:
        names = self.names(call.func)
        made = {self.rules.factories[n] for n in names if n in self.rules.factories}
        made |= {self.rules.classes[n] for n in names if n in self.rules.classes}
        if len(made) == 1 and len(names) == 1:
            return made.pop()
        if not names or len(names) == 1:
            return self.class_type(call.func)
        return None

    def _assignments(self, name: cst.Name) -> list[Assignment]:
        scope = scope_of(self.rule, name)
        if scope is None:
            return []
        found = scope[name.value]
        if not found or not all(isinstance(a, Assignment) for a in found):
            return []
        return [a for a in found if isinstance(a, Assignment)]

    def _name_type(self, name: cst.Name, depth: int) -> str | None:
        assignments = self._assignments(name)
        if not assignments:
            return None
        types = {self._assignment_type(a, depth) for a in assignments}
        if len(types) != 1:
            return None
        return types.pop()

    def _assignment_type(self, assignment: Assignment, depth: int) -> str | None:
        node = assignment.node
        if isinstance(node, cst.Param):
            return self._param_type(node)
        if not isinstance(node, cst.Name):
            return None
        parent = self.rule.parent(node)
        if isinstance(parent, cst.AssignTarget):
            statement = self.rule.parent(parent)
            if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                return self.type_of(statement.value, depth + 1)
        if isinstance(parent, cst.AnnAssign) and parent.target is node:
            annotated = self.class_type(parent.annotation.annotation)
            if annotated is not None:
                return annotated
            return self.type_of(parent.value, depth + 1) if parent.value else None
        return None

    def _param_type(self, param: cst.Param) -> str | None:
        if param.annotation is not None:
            return self.class_type(param.annotation.annotation)
        return self._self_type(param)

    def _self_type(self, param: cst.Param) -> str | None:
        """``self``: the first parameter of a plain method of a class of a known type."""
        params = self.rule.parent(param)
        function = self.rule.parent(params) if params else None
        if not isinstance(params, cst.Parameters) or not isinstance(function, cst.FunctionDef):
            return None
        if not params.params or params.params[0] is not param:
            return None
        if any(_decorator_name(d) in ("staticmethod", "classmethod") for d in function.decorators):
            return None
        scope = scope_of(self.rule, function)
        if not isinstance(scope, ClassScope) or not isinstance(scope.node, cst.ClassDef):
            return None
        return self._class_def_type(scope.node)

    def _class_def_type(self, cls: cst.ClassDef) -> str | None:
        own = self.names(cls.name)
        for name in own:
            if name in self.rules.classes:
                return self.rules.classes[name]
        for base in cls.bases:
            known = self.class_type(base.value)
            if known is not None:
                return known
        return None


def _decorator_name(decorator: cst.Decorator) -> str | None:
    return cst.helpers.get_full_name_for_node(decorator.decorator)


def is_direct_call_to(rule: Rule, call: cst.Call, names: Iterable[str]) -> str | None:
    """The qualified name of ``call.func`` when it is exactly one of ``names``."""
    found = qualified_name(rule, call.func)
    return found if found is not None and found in set(names) else None


def self_method_class(rule: Rule, receiver: cst.BaseExpression) -> cst.ClassDef | None:
    """The class when ``receiver`` is the ``self`` (first) parameter of one of its methods."""
    if not isinstance(receiver, cst.Name):
        return None
    scope = scope_of(rule, receiver)
    if scope is None:
        return None
    found = scope[receiver.value]
    if len(found) != 1:
        return None
    assignment = next(iter(found))
    if not isinstance(assignment, Assignment) or not isinstance(assignment.node, cst.Param):
        return None
    param = assignment.node
    params = rule.parent(param)
    function = rule.parent(params) if params else None
    if not isinstance(params, cst.Parameters) or not isinstance(function, cst.FunctionDef):
        return None
    if not params.params or params.params[0] is not param:
        return None
    if any(_decorator_name(d) in ("staticmethod", "classmethod") for d in function.decorators):
        return None
    function_scope = scope_of(rule, function)
    if not isinstance(function_scope, ClassScope) or not isinstance(
        function_scope.node, cst.ClassDef
    ):
        return None
    return function_scope.node


def local_class_chain(rule: Rule, cls: cst.ClassDef) -> list[cst.ClassDef]:
    """The class and its base classes defined in the same file (a best-effort MRO)."""
    chain = [cls]
    index = 0
    while index < len(chain) and len(chain) < 20:
        for base in chain[index].bases:
            if not isinstance(base.value, cst.Name):
                continue
            scope = scope_of(rule, base.value)
            for assignment in scope[base.value.value] if scope else ():
                node = getattr(assignment, "node", None)
                if isinstance(node, cst.ClassDef) and node not in chain:
                    chain.append(node)
        index += 1
    return chain


SCOPED: tuple[ProviderT, ...] = (ScopeProvider,)
"""The metadata most rules need up front: qualified names and scopes (parents and positions
are resolved lazily through `Rule.parent` and `Rule.record`)."""


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def plain_args(call: cst.Call) -> bool:
    """No ``*args``/``**kwargs`` (whose contents we cannot see)."""
    return not any(a.star for a in call.args)


def drop_trailing_comma(args: list[cst.Arg]) -> list[cst.Arg]:
    if args and isinstance(args[-1].comma, cst.Comma):
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return args


def root_name(expr: cst.BaseExpression) -> cst.Name | None:
    while isinstance(expr, cst.Attribute | cst.Call):
        expr = expr.value if isinstance(expr, cst.Attribute) else expr.func
    return expr if isinstance(expr, cst.Name) else None


def import_binding(rule: Rule, name: cst.Name) -> ImportAssignment | None:
    """The import that binds ``name`` where it is used, when that is its only binding."""
    scope = scope_of(rule, name)
    if scope is None:
        return None
    found = scope[name.value]
    if len(found) != 1:
        return None
    assignment = next(iter(found))
    return assignment if isinstance(assignment, ImportAssignment) else None


def drop_use(rule: Rule, expr: cst.BaseExpression) -> None:
    """Note that a use of an imported name (the root of ``expr``) disappears from the code.

    When every use of an import binding is gone, `codemods.imports` deletes the import.
    """
    name = root_name(expr)
    assignment = import_binding(rule, name) if name is not None else None
    if assignment is not None:
        _, count = rule.run.dropped.get(id(assignment), (assignment, 0))
        rule.run.dropped[id(assignment)] = (assignment, count + 1)


class _MemberAssignments(cst.CSTVisitor):
    """The values assigned to ``<receiver>.<attr>`` in a method body (``unknown`` when some
    assignment hides its value: tuple unpacking, augmented assignment, ``del``)."""

    def __init__(self, attr: str) -> None:
        super().__init__()
        self.attr = attr
        self.receiver = ""
        self.values: list[cst.BaseExpression] = []
        self.unknown = False

    def _is_member(self, node: cst.BaseExpression) -> bool:
        return (
            isinstance(node, cst.Attribute)
            and node.attr.value == self.attr
            and isinstance(node.value, cst.Name)
            and node.value.value == self.receiver
        )

    def _mentions(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.BaseExpression) and self._is_member(node):
            return True
        return any(self._mentions(child) for child in node.children)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if self._is_member(target.target):
                self.values.append(node.value)
            elif self._mentions(target.target):
                self.unknown = True

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self._is_member(node.target) and node.value is not None:
            self.values.append(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.unknown = self.unknown or self._is_member(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self.unknown = self.unknown or self._mentions(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.unknown = self.unknown or self._mentions(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and self._mentions(node.asname.name):
            self.unknown = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's "self" is another variable
