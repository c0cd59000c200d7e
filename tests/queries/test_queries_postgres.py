"""End to end on the local PostgreSQL: a Django app and a SQLAlchemy+Alembic app, 500,000 rows
each, a workload; the advisor proposes exactly the indexes that cut cost by half, the generated
migration really creates them, the plan drops as predicted, and a second run proposes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from app.cli import cli
from tests.queries.conftest import ShopDatabase, migrate, run_workload
from tests.support import git

pytestmark = pytest.mark.slow


def invoke(*args: str, cache: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["queries", *args, "--cache-dir", str(cache)])
    return result.exit_code, result.stdout, result.stderr


def explained_cost(database: ShopDatabase, query: str, parameters: tuple[Any, ...]) -> float:
    with psycopg.connect(database.dsn, autocommit=True) as db:
        [(plan,)] = db.execute(f"EXPLAIN (FORMAT JSON) {query}", parameters).fetchall()
    return float(plan[0]["Plan"]["Total Cost"])


def indexes_of(database: ShopDatabase) -> set[str]:
    with psycopg.connect(database.dsn, autocommit=True) as db:
        rows = db.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s", (database.orders,)
        ).fetchall()
    return {name for (name,) in rows}


def apply_branch(database: ShopDatabase, index: dict[str, Any]) -> None:
    git(database.repo, "checkout", "-q", index["branch"])
    files = git(database.repo, "diff", "--name-only", "HEAD^", "HEAD").split()
    assert sorted(files) == sorted([index["model"]["file"], index["migration"]])
    migrate(database)
    git(database.repo, "checkout", "-q", "main")


def check_whole_cycle(database: ShopDatabase, tmp_path: Path) -> list[dict[str, Any]]:
    orders = database.orders
    pair_query = f"SELECT id, total FROM {orders} WHERE status = %s AND region = %s"
    sort_query = f"SELECT id FROM {orders} ORDER BY created_at DESC LIMIT %s"
    before_pair = explained_cost(database, pair_query, ("s3", "r21"))
    before_sort = explained_cost(database, sort_query, (10,))
    existing = indexes_of(database)
    run_workload(database)

    code, out, err = invoke(
        str(database.repo),
        "--database-url",
        database.dsn,
        "--format",
        "json",
        "--apply",
        cache=tmp_path / "cache",
    )
    assert code == 0, err
    report = json.loads(out)
    proposed = {(i["table"], frozenset(i["columns"])) for i in report["indexes"]}
    assert proposed == {
        (orders, frozenset({"status", "region"})),
        (orders, frozenset({"created_at"})),
    }
    assert indexes_of(database) == existing, "the advisor created a real index"
    by_columns = {frozenset(i["columns"]): i for i in report["indexes"]}
    pair, sort = by_columns[frozenset({"status", "region"})], by_columns[frozenset({"created_at"})]
    for index in (pair, sort):
        assert index["problem"] is None
        assert index["branch"].startswith("maintainer/performance/")
        [statement] = index["statements"]
        assert statement["cost_drop"] >= 0.5
        assert any("<" in node for node in statement["plan_with_index"])
    assert pair["statements"][0]["parameters_from"] == "pg_qualstats"
    skipped = {s["query"]: s["reason"] for s in report["skipped"]}
    control = next(q for q in skipped if "WHERE id = $1" in q)
    assert control  # the well-indexed control gave no proposal

    # each branch holds the model edit and the migration; applying it creates the index. The
    # first is merged; a new run then rebuilds the other's branch on the new head.
    first = report["indexes"][0]
    apply_branch(database, first)
    git(database.repo, "merge", "-q", "--ff-only", first["branch"])
    code, out, err = invoke(
        str(database.repo),
        "--database-url",
        database.dsn,
        "--format",
        "json",
        "--apply",
        cache=tmp_path / "cache",
    )
    assert code == 0, err
    [second] = json.loads(out)["indexes"]
    assert second["name"] != first["name"]
    apply_branch(database, second)
    git(database.repo, "checkout", "-q", "main")
    assert {pair["name"], sort["name"]} <= indexes_of(database)
    after_pair = explained_cost(database, pair_query, ("s3", "r21"))
    after_sort = explained_cost(database, sort_query, (10,))
    assert after_pair <= before_pair * 0.5 and after_sort <= before_sort * 0.5
    predicted_pair = pair["statements"][0]["cost_with_index"]
    predicted_sort = sort["statements"][0]["cost_with_index"]
    assert after_pair == pytest.approx(predicted_pair, rel=0.5)
    assert after_sort == pytest.approx(predicted_sort, rel=0.5, abs=1.0)

    # a second run over the same workload proposes nothing
    code, out, err = invoke(
        str(database.repo),
        "--database-url",
        database.dsn,
        "--format",
        "json",
        cache=tmp_path / "cache",
    )
    assert code == 0, err
    assert json.loads(out)["indexes"] == []
    return [first, second]


def test_django_app_gets_its_indexes_by_migration(
    django_shop: ShopDatabase, tmp_path: Path
) -> None:
    for index in check_whole_cycle(django_shop, tmp_path):
        migration = git(django_shop.repo, "show", f"{index['branch']}:{index['migration']}")
        assert "AddIndexConcurrently(" in migration and "atomic = False" in migration
        model = git(django_shop.repo, "show", f"{index['branch']}:shop/models.py")
        assert f'name="{index["name"]}"' in model and "class Meta:" in model
    # the second migration depends on the first (merged before the second run)
    assert '("shop", "0002_' in git(
        django_shop.repo, "show", f"{index['branch']}:{index['migration']}"
    )


def test_sqlalchemy_app_gets_its_indexes_by_alembic_revision(
    sqlalchemy_shop: ShopDatabase, tmp_path: Path
) -> None:
    first, second = check_whole_cycle(sqlalchemy_shop, tmp_path)
    text = git(sqlalchemy_shop.repo, "show", f"{second['branch']}:{second['migration']}")
    assert "postgresql_concurrently=True" in text and "autocommit_block()" in text
    assert f'down_revision = "{Path(first["migration"]).name.partition("_")[0]}"' in text
    model = git(sqlalchemy_shop.repo, "show", f"{second['branch']}:shop/models.py")
    assert f'Index("{first["name"]}"' in model and f'Index("{second["name"]}"' in model
