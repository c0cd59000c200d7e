"""MAINTAINER_DATABASES, the snapshot history with its forecasts, N+1 hints, and the PR body."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.forecast import Forecast
from app.model import Kind, RiskLevel
from app.queries.advisor import IndexAdvice, StatementGain
from app.queries.evidence import ForeignKey, Plan, Statement, Table
from app.queries.history import History, describe, trends
from app.queries.migrations import NewMigration
from app.queries.models import Model
from app.queries.nplusone import hints
from app.queries.proposals import IndexPlan, proposal
from app.settings import Settings, SettingsError

ORDERS = Table("shop_order", 1, 1_200_000, 10**8, 40, 10**7, 5, 1_000)


def statement(queryid: int, mean: float, calls: int = 100, rows: int = 100) -> Statement:
    return Statement(
        queryid, "SELECT id FROM shop_order WHERE status = $1", calls, mean * calls, mean, rows
    )


def test_databases_setting_from_json_or_a_file(tmp_path: Path) -> None:
    settings = Settings(databases='{"Acme/Shop": "postgresql://ro@db/shop"}')
    assert (
        settings.repository_databases()["acme/shop"].get_secret_value() == "postgresql://ro@db/shop"
    )
    listing = tmp_path / "databases"
    listing.write_text("# owner/repo DSN\nacme/shop postgresql://ro@db/shop\n")
    assert set(Settings(databases=str(listing)).repository_databases()) == {"acme/shop"}
    listing.write_text("acme/shop\n")
    with pytest.raises(SettingsError, match="line 1 is not 'owner/repo DSN'"):
        Settings(databases=str(listing)).repository_databases()
    with pytest.raises(SettingsError, match="cannot read"):
        Settings(databases=str(tmp_path / "missing")).repository_databases()
    with pytest.raises(SettingsError, match="not owner/repo"):
        Settings(databases='{"shop": "postgresql://x"}').repository_databases()
    assert "postgresql" not in repr(Settings(databases='{"a/b": "postgresql://u:pw@h/d"}'))


def test_mean_time_snapshots_become_a_forecast(tmp_path: Path) -> None:
    start = date(2026, 1, 5)
    with History(tmp_path / "q.sqlite") as history:
        for week in range(8):
            history.record(
                "db", start + timedelta(weeks=week), [statement(7, 300 + 20 * week)], [ORDERS]
            )
        # a second run the same day replaces that day's point
        history.record("db", start + timedelta(weeks=7), [statement(7, 440)], [ORDERS])
        found = trends(history, "db", [statement(7, 440)], {"shop_order": ORDERS}, 500.0)
    trend = found["statement:7"]
    assert len(trend.points) == 8 and trend.points[-1][1] == 440
    assert isinstance(trend.outlook, Forecast)
    assert 2 <= trend.outlook.eta_weeks.mid <= 4
    assert describe(trend, "ms").startswith("440 ms now, +20.0 ms/week, crosses 500 ms in 3 weeks")
    assert "no forecast" in describe(found["table:shop_order"], "rows")


def test_a_one_row_lookup_called_very_often_on_a_foreign_key_is_an_n_plus_one_hint() -> None:
    lookup = Statement(
        3, "SELECT id, name FROM shop_customer WHERE id = $1", 5_000, 50.0, 0.01, 5_000
    )
    columns = {"shop_customer": frozenset({"id", "name"})}
    keys = [ForeignKey("shop_order", "customer_id", "shop_customer", "id")]
    model = Model(
        "django",
        "shop/models.py",
        "Order",
        "shop_order",
        "shop",
        "shop",
        {"customer_id": "customer"},
        {"customer_id": "customer"},
    )
    [hint] = hints([lookup], columns, keys, {"shop_order": model}, 1_000)
    assert hint.model == "Order.customer"
    assert "select_related('customer')" in hint.advice
    assert hints([lookup], columns, keys, {}, 10_000) == []


def test_the_pull_request_body_has_the_evidence_and_the_rollback() -> None:
    gain = StatementGain(
        statement(9, 120.0),
        0.6,
        Plan(9000.0, ("Seq Scan on shop_order",)),
        Plan(800.0, ("Bitmap Heap Scan on shop_order", "Bitmap Index Scan on <1>btree_x")),
        "pg_qualstats",
    )
    advice = IndexAdvice(ORDERS, ("status", "region"), (gain,))
    model = Model("django", "shop/models.py", "Order", "shop_order", "shop", "shop")
    migration = NewMigration(
        "shop/migrations/0002_x.py", "", "python manage.py migrate shop 0001_initial"
    )
    made = proposal(IndexPlan(advice, model, migration, (), None), {})
    assert made.kind is Kind.PERFORMANCE and made.labels == ("performance",)
    assert made.branch == "maintainer/performance/index-shop_order_status_region_idx"
    assert made.risk.level is RiskLevel.MEDIUM  # 1.2 million rows: a long concurrent build
    body = made.body
    for expected in (
        "SELECT id FROM shop_order WHERE status = $1",
        "| 100 | 120.00 ms | 12,000 ms | 60.0 % |",
        "| before | 9,000.00 | Seq Scan on shop_order |",
        "Expected gain: planner cost −91 %",
        "pg_qualstats constants",
        "CREATE INDEX CONCURRENTLY shop_order_status_region_idx ON shop_order (status, region);",
        "DROP INDEX CONCURRENTLY shop_order_status_region_idx;",
        "DropIndexConcurrently",
        "1,000 rows written",
    ):
        assert expected in body, expected
