"""What a normalised statement filters, sorts and joins on; the candidates drawn from it."""

from __future__ import annotations

import pytest

from app.queries.advisor import candidates, index_name
from app.queries.statements import NotAnalysable, Predicate, shape, tables_of

COLUMNS = {
    "widget_order": frozenset({"id", "status", "region", "created_at", "customer_id"}),
    "customer": frozenset({"id", "name"}),
}


def test_predicates_joins_order_and_parameters_are_resolved_through_aliases() -> None:
    parsed = shape(
        "SELECT o.id FROM widget_order o JOIN customer c ON c.id = o.customer_id "
        "WHERE o.status = $1 AND region IN ($2, $3) AND o.created_at > $4::timestamptz "
        "ORDER BY o.created_at DESC LIMIT $5",
        COLUMNS,
    )
    assert parsed.tables == ("widget_order", "customer")
    assert parsed.predicates == (
        Predicate("widget_order", "status", True, (1,)),
        Predicate("widget_order", "region", True, (2, 3)),
        Predicate("widget_order", "created_at", False, (4,)),
    )
    assert parsed.joins == (("customer", "id"), ("widget_order", "customer_id"))
    assert parsed.order_by == (("widget_order", "created_at"),)
    assert parsed.params == 5 and parsed.limit_params == (5,)


def test_an_ambiguous_unqualified_column_is_not_guessed() -> None:
    parsed = shape("SELECT 1 FROM widget_order, customer WHERE id = $1", COLUMNS)
    assert parsed.predicates == ()


def test_pair_candidates_lead_with_an_equality_column() -> None:
    parsed = shape(
        "SELECT id FROM widget_order WHERE status = $1 AND created_at > $2 ORDER BY region",
        COLUMNS,
    )
    assert candidates(parsed, "widget_order") == [
        ("status",),
        ("created_at",),
        ("region",),
        ("status", "created_at"),
        ("status", "region"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "UPDATE widget_order SET status = $1",
        "SELECT 1",
        "SELECT 1 FROM widget_order UNION SELECT 2 FROM customer",
        "SELECT FROM WHERE",
        "SELECT 1 FROM widget_order WHERE id = $1" + " " * 100_001,
    ],
)
def test_what_is_not_a_plain_select_over_tables_is_not_analysed(text: str) -> None:
    with pytest.raises(NotAnalysable):
        tables_of(text)


def test_index_names_fit_djangos_thirty_characters() -> None:
    assert index_name("shop_order", ("created_at",)) == "shop_order_created_at_idx"
    long = index_name("warehouse_inventory_item", ("product_id", "warehouse_id"))
    assert len(long) == 30 and long.endswith("_idx")
    assert long != index_name("warehouse_inventory_item", ("warehouse_id", "product_id"))
