"""What a normalised SELECT filters, sorts and joins on, read with PostgreSQL's own parser (pglast).

Pure: a statement's text in, `Shape` out. Unqualified columns are resolved against the columns
of the statement's tables (handed in), so ``status`` in a join of two tables belongs to the one
that has it. Only plain SELECTs over tables are analysed; anything else is `NotAnalysable`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import A_Expr_Kind, BoolExprType
from pglast.parser import ParseError

MAX_STATEMENT_CHARS = 100_000
"""Longer statements are not parsed (pg_stat_statements keeps ``track_activity_query_size``)."""
_EQUALITY = {"="}
_RANGE = {"<", ">", "<=", ">=", "~~", "~~*"}


class NotAnalysable(Exception):
    pass


@dataclass(frozen=True)
class Predicate:
    table: str
    column: str
    equality: bool
    params: tuple[int, ...]
    """The ``$n`` compared with the column (for EXPLAIN's parameters)."""


@dataclass(frozen=True)
class Shape:
    tables: tuple[str, ...]
    predicates: tuple[Predicate, ...]
    order_by: tuple[tuple[str, str], ...]
    """(table, column) in ORDER BY order."""
    joins: tuple[tuple[str, str], ...]
    """(table, column) on either side of an equi-join."""
    params: int
    """The highest ``$n`` in the statement."""
    limit_params: tuple[int, ...] = ()
    """The ``$n`` of LIMIT and OFFSET."""


def tables_of(text: str) -> tuple[str, ...]:
    """The tables a SELECT reads (``schema.name`` unless in ``public``), or `NotAnalysable`."""
    select = _select(text)
    return tuple(dict.fromkeys(name for name, _ in _ranges(select)))


def shape(text: str, columns: Mapping[str, frozenset[str]]) -> Shape:
    """``columns`` maps each table the statement reads to its column names."""
    select = _select(text)
    aliases: dict[str, str] = {}
    tables: list[str] = []
    for name, alias in _ranges(select):
        tables.append(name)
        aliases[alias] = name
        aliases.setdefault(name.rpartition(".")[2], name)
    resolver = _Resolver(aliases, tables, columns)
    predicates: list[Predicate] = []
    joins: list[tuple[str, str]] = []
    for expression in _conjuncts(select.whereClause):
        _read_predicate(expression, resolver, predicates, joins)
    for quals in _join_quals(select.fromClause or ()):
        for expression in _conjuncts(quals):
            _read_predicate(expression, resolver, predicates, joins)
    order_by = []
    for sort in select.sortClause or ():
        if isinstance(sort, ast.SortBy):
            found = resolver.column(sort.node)
            if found:
                order_by.append(found)
    return Shape(
        tables=tuple(dict.fromkeys(tables)),
        predicates=tuple(predicates),
        order_by=tuple(order_by),
        joins=tuple(dict.fromkeys(joins)),
        params=max(_param_numbers(select), default=0),
        limit_params=_params((select.limitCount, select.limitOffset)),
    )


def _select(text: str) -> ast.SelectStmt:
    if len(text) > MAX_STATEMENT_CHARS:
        raise NotAnalysable(f"longer than {MAX_STATEMENT_CHARS} characters")
    try:
        parsed = parse_sql(text)
    except ParseError as exc:
        raise NotAnalysable(f"not parsable: {exc}") from None
    if len(parsed) != 1 or not isinstance(parsed[0].stmt, ast.SelectStmt):
        raise NotAnalysable("not a single SELECT")
    select = parsed[0].stmt
    if select.op is not None and getattr(select.op, "value", 0) != 0:
        raise NotAnalysable("a UNION, INTERSECT or EXCEPT")
    if not select.fromClause:
        raise NotAnalysable("reads no table")
    return select


def _ranges(select: ast.SelectStmt) -> Iterator[tuple[str, str]]:
    """(table, alias) of every table in FROM, through joins."""
    stack: list[Any] = list(select.fromClause or ())
    while stack:
        node = stack.pop(0)
        if isinstance(node, ast.RangeVar):
            schema, relname = node.schemaname, str(node.relname)
            name = relname if schema in (None, "public") else f"{schema}.{relname}"
            alias = str(node.alias.aliasname) if node.alias is not None else relname
            yield name, alias
        elif isinstance(node, ast.JoinExpr):
            stack[:0] = [node.larg, node.rarg]


def _join_quals(nodes: Any) -> Iterator[Any]:
    for node in nodes:
        if isinstance(node, ast.JoinExpr):
            yield from _join_quals((node.larg, node.rarg))
            if node.quals is not None:
                yield node.quals


def _conjuncts(node: Any) -> Iterator[Any]:
    if node is None:
        return
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
        for arg in node.args or ():
            yield from _conjuncts(arg)
    else:
        yield node


class _Resolver:
    def __init__(
        self, aliases: Mapping[str, str], tables: list[str], columns: Mapping[str, frozenset[str]]
    ) -> None:
        self.aliases = aliases
        self.tables = tables
        self.columns = columns

    def column(self, node: Any) -> tuple[str, str] | None:
        while isinstance(node, ast.TypeCast):
            node = node.arg
        if not isinstance(node, ast.ColumnRef):
            return None
        fields = node.fields or ()
        names = [str(f.sval) for f in fields if isinstance(f, ast.String)]
        if len(names) != len(fields) or not names:
            return None  # a star
        if len(names) == 1:
            owners = [t for t in self.tables if names[0] in self.columns.get(t, frozenset())]
            return (owners[0], names[0]) if len(set(owners)) == 1 else None
        table = self.aliases.get(names[-2])
        if table is None or names[-1] not in self.columns.get(table, frozenset()):
            return None
        return table, names[-1]


def _params(node: Any) -> tuple[int, ...]:
    nodes = node if isinstance(node, tuple) else (node,)
    found = []
    for item in nodes:
        while isinstance(item, ast.TypeCast):
            item = item.arg
        if isinstance(item, ast.ParamRef):
            found.append(int(item.number or 0))
    return tuple(found)


def _is_value(node: Any) -> bool:
    nodes = node if isinstance(node, tuple) else (node,)
    for item in nodes:
        while isinstance(item, ast.TypeCast):
            item = item.arg
        if not isinstance(item, ast.ParamRef | ast.A_Const):
            return False
    return True


def _read_predicate(
    node: Any,
    resolver: _Resolver,
    predicates: list[Predicate],
    joins: list[tuple[str, str]],
) -> None:
    if isinstance(node, ast.NullTest):
        found = resolver.column(node.arg)
        if found:
            predicates.append(Predicate(*found, equality=True, params=()))
        return
    if not isinstance(node, ast.A_Expr) or not node.name:
        return
    operator = node.name[-1].sval if isinstance(node.name[-1], ast.String) else ""
    kind = node.kind
    if kind == A_Expr_Kind.AEXPR_OP and operator in _EQUALITY | _RANGE:
        left, right = resolver.column(node.lexpr), resolver.column(node.rexpr)
        if left and right and operator == "=" and left[0] != right[0]:
            joins.extend([left, right])
            return
        for column, other in ((left, node.rexpr), (right, node.lexpr)):
            if column and _is_value(other):
                predicates.append(
                    Predicate(*column, equality=operator in _EQUALITY, params=_params(other))
                )
                return
    elif kind == A_Expr_Kind.AEXPR_IN and operator == "=":
        column = resolver.column(node.lexpr)
        if column and _is_value(node.rexpr):
            predicates.append(Predicate(*column, equality=True, params=_params(node.rexpr)))
    elif kind in (A_Expr_Kind.AEXPR_BETWEEN, A_Expr_Kind.AEXPR_LIKE, A_Expr_Kind.AEXPR_ILIKE):
        column = resolver.column(node.lexpr)
        if column and _is_value(node.rexpr):
            predicates.append(Predicate(*column, equality=False, params=_params(node.rexpr)))


def _param_numbers(node: Any) -> Iterator[int]:
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.ParamRef):
            yield int(item.number or 0)
        elif isinstance(item, ast.Node):
            stack.extend(getattr(item, name) for name in item)
        elif isinstance(item, tuple | list):
            stack.extend(item)
