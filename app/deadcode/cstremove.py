"""The libcst side of the removal codemod: for what line ranges cannot do exactly (part of an
import, a body left empty, several statements on one line)."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from app.deadcode.codemod import RemovalFailed, Target
from app.deadcode.lines import string_names


def remove_with_libcst(
    source: str, path: str, targets: Sequence[Target], unused_imports: Collection[str]
) -> tuple[str, ast.Module, set[str]]:
    """The edited text, its tree (it compiles) and the imports removed; raises `RemovalFailed`."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise RemovalFailed(f"libcst cannot parse the file: {exc.message}") from exc
    first = RemoveDefinitions(targets)
    changed = MetadataWrapper(module).visit(first)
    missing = [t for t in targets if (t.name, t.line) not in first.removed]
    if missing:
        shown = ", ".join(f"{t.name} (line {t.line})" for t in missing)
        raise RemovalFailed(f"definitions not found where the index saw them: {shown}")
    still_used = used_names(changed)
    orphans = {n for n in first.used_by_removed if n not in still_used and n in unused_imports}
    if orphans:
        changed = changed.visit(RemoveImports(orphans))
    result = changed.code
    try:
        tree = ast.parse(result, path)
        compile(tree, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise RemovalFailed(f"the edited file does not compile: {exc}") from exc
    return result, tree, orphans


class _Remover(cst.CSTTransformer):
    """Removes statements through placeholders, so the blank lines that separated a removed
    statement from the one before it stay (``import x`` / blank / constant keeps its blank)."""

    def __init__(self) -> None:
        super().__init__()
        # The placeholders themselves are kept: an id is unique only while its object lives,
        # and a freed placeholder's id could be reused by a statement that must stay.
        self._placeholders: list[cst.BaseStatement] = []
        self._removed: set[int] = set()

    def _remove(self, original: cst.BaseStatement) -> cst.BaseStatement:
        placeholder = cst.SimpleStatementLine(body=[cst.Pass()], leading_lines=_leading(original))
        self._placeholders.append(placeholder)
        self._removed.add(id(placeholder))
        return placeholder

    def _collapse(self, body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        kept: list[cst.BaseStatement] = []
        blank = 0
        removed_before = False
        for statement in body:
            if id(statement) in self._removed:
                blank = max(blank, _leading_blank(statement))
                removed_before = True
                continue
            own = _leading_blank(statement)
            if removed_before and not kept:
                # Now first in its block: no blank lines above it (formatters agree).
                statement = statement.with_changes(leading_lines=_leading(statement)[own:])
            elif blank > own:
                missing = [cst.EmptyLine()] * (blank - own)
                statement = statement.with_changes(leading_lines=[*missing, *_leading(statement)])
            blank = 0
            kept.append(statement)
        return kept

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._collapse(updated.body))

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = self._collapse(updated.body)
        if not body:
            body = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return updated.with_changes(body=body)


def _leading(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    lines: Sequence[cst.EmptyLine] = getattr(statement, "leading_lines", ())
    return lines


def _leading_blank(statement: cst.BaseStatement) -> int:
    count = 0
    for line in _leading(statement):
        if line.comment is not None:
            break
        count += 1
    return count


class RemoveDefinitions(_Remover):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, targets: Iterable[Target]) -> None:
        super().__init__()
        # A name and the line of its statement are unique in a file, at any depth (methods,
        # functions nested in functions, classes nested in classes).
        self.targets = {(t.name, t.line) for t in targets}
        self.removed: set[tuple[str, int]] = set()
        self.used_by_removed: set[str] = set()

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def _take(self, name: str, node: cst.CSTNode) -> bool:
        key = (name, self._line(node))
        if key not in self.targets:
            return False
        self.removed.add(key)
        self.used_by_removed |= used_names(node)
        return True

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.BaseStatement:
        if self._take(original.name.value, original):
            return self._remove(original)
        return updated

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.BaseStatement:
        if self._take(original.name.value, original):
            return self._remove(original)
        return updated

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        kept = []
        for statement in updated.body:
            name = _assigned_name(statement)
            if name is not None and self._take(name, original):
                continue
            if isinstance(statement, cst.Import | cst.ImportFrom):
                trimmed = self._imports(statement, original)
                if trimmed is not None:
                    kept.append(trimmed)
                continue
            kept.append(statement)
        if not kept:
            return self._remove(original)
        if all(a is b for a, b in zip(kept, updated.body, strict=False)) and len(kept) == len(
            updated.body
        ):
            return updated
        return updated.with_changes(body=_strip_last_semicolon(kept))

    def _imports(
        self, statement: cst.Import | cst.ImportFrom, line_node: cst.CSTNode
    ) -> cst.BaseSmallStatement | None:
        """Drop the import bindings named as targets (re-exports of removed code)."""
        if isinstance(statement.names, cst.ImportStar):
            return statement
        kept = [a for a in statement.names if not self._take(_binding(a), line_node)]
        if len(kept) == len(statement.names):
            return statement
        return _with_aliases(statement, kept)


class RemoveImports(_Remover):
    """Remove module-level import bindings whose only users were removed."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.depth -= 1
        return updated

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.depth -= 1
        return updated

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        if self.depth:
            return updated
        kept: list[cst.BaseSmallStatement] = []
        for statement in updated.body:
            if (
                isinstance(statement, cst.Import | cst.ImportFrom)
                and not _is_future(statement)
                and not isinstance(statement.names, cst.ImportStar)
            ):
                aliases = [a for a in statement.names if _binding(a) not in self.names]
                trimmed = _with_aliases(statement, aliases)
                if trimmed is not None:
                    kept.append(trimmed)
                continue
            kept.append(statement)
        if not kept:
            return self._remove(original)
        return updated.with_changes(body=_strip_last_semicolon(kept))


def used_names(node: cst.CSTNode) -> set[str]:
    """Every name the code may read, including words inside strings (annotations, ``__all__``)."""
    collector = _Names()
    node.visit(collector)
    return collector.names


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # the names an import binds are not uses

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """A string naming code (``"Model"``, ``"list[Model]"``, ``__all__`` entries), not
        prose: ``"application/json"`` does not use an import named ``json``."""
        value = node.evaluated_value
        if isinstance(value, str):
            self.names.update(string_names(value))


def _assigned_name(statement: cst.BaseSmallStatement) -> str | None:
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
        target = statement.targets[0].target
        return target.value if isinstance(target, cst.Name) else None
    if isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
        return statement.target.value
    return None


def _binding(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value  # type: ignore[assignment]
    return name.value if isinstance(name, cst.Name) else ""


def _is_future(statement: cst.Import | cst.ImportFrom) -> bool:
    if not isinstance(statement, cst.ImportFrom) or statement.module is None:
        return False
    return isinstance(statement.module, cst.Name) and statement.module.value == "__future__"


def _with_aliases(
    statement: cst.Import | cst.ImportFrom, aliases: list[cst.ImportAlias]
) -> cst.BaseSmallStatement | None:
    """The import with only ``aliases`` left, in the layout of the original."""
    if not aliases:
        return None
    if isinstance(statement, cst.ImportFrom) and len(aliases) == 1 and statement.lpar is not None:
        single = aliases[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return statement.with_changes(names=[single], lpar=None, rpar=None)
    # The new last name takes the old last name's comma: none, or the trailing comma and
    # line break of a parenthesized one-name-per-line import.
    original = statement.names
    assert not isinstance(original, cst.ImportStar)
    last = aliases[-1].with_changes(comma=original[-1].comma)
    return statement.with_changes(names=[*aliases[:-1], last])


def _strip_last_semicolon(
    statements: list[cst.BaseSmallStatement],
) -> list[cst.BaseSmallStatement]:
    last = statements[-1]
    if hasattr(last, "semicolon"):
        statements = [*statements[:-1], last.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)]
    return statements
