"""N+1 hints (report only, no rewrite): one statement called very many times, returning at most
one row a call, looked up by one key that a foreign key (and so a model relation) covers.

The loop is in the application: each parent loads its related row one query at a time. The
hint names the model and field and the ORM's way to load them together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.queries.evidence import ForeignKey, Statement
from app.queries.models import Model
from app.queries.statements import NotAnalysable, shape, tables_of


@dataclass(frozen=True)
class Hint:
    statement: Statement
    table: str
    column: str
    model: str
    """``Class.field`` (or the table and column when no model owns it)."""
    advice: str

    def to_json(self) -> dict[str, object]:
        return {
            "queryid": self.statement.queryid,
            "query": self.statement.text,
            "calls": self.statement.calls,
            "rows_per_call": round(self.statement.rows / max(1, self.statement.calls), 3),
            "table": self.table,
            "column": self.column,
            "model": self.model,
            "advice": self.advice,
        }


_PARENT = {
    "django": "select_related('{field}') on the query that loads the {owner} rows",
    "sqlalchemy": "joinedload({owner}.{field}) (or selectinload) on the query that loads them",
}
_CHILDREN = {
    "django": "prefetch_related() of the reverse relation of {owner}.{field}",
    "sqlalchemy": "selectinload() of the relationship backed by {owner}.{field}",
}


def hints(
    statements: Iterable[Statement],
    columns: Mapping[str, frozenset[str]],
    keys: Sequence[ForeignKey],
    models: Mapping[str, Model],
    min_calls: int,
) -> list[Hint]:
    found = []
    for statement in statements:
        if statement.calls < min_calls or statement.rows > statement.calls:
            continue
        try:
            read = tables_of(statement.text)
            parsed = shape(statement.text, {t: columns.get(t, frozenset()) for t in read})
        except NotAnalysable:
            continue
        keyed = [p for p in parsed.predicates if p.equality and p.params]
        if len(read) != 1 or len(keyed) != 1:
            continue
        table, column = keyed[0].table, keyed[0].column
        for key in keys:
            if (key.target, key.target_column) == (table, column):
                owner, field, advice = key.table, key.column, _PARENT
            elif (key.table, key.column) == (table, column):
                owner, field, advice = key.table, key.column, _CHILDREN
            else:
                continue
            model = models.get(owner)
            if model is not None:
                name = model.relations.get(field, field.removesuffix("_id"))
                where = f"{model.class_name}.{name}"
                text = advice[model.framework].format(owner=model.class_name, field=name)
            else:
                where = f"{owner}.{field}"
                text = "load the related rows together (a join or one IN query)"
            found.append(Hint(statement, table, column, where, text))
            break
    return found
