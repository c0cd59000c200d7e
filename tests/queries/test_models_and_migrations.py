"""The model owning a table, the index added to it, and the migration file (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.queries.edits import ModelEditError, add_index
from app.queries.migrations import (
    MigrationError,
    alembic_head,
    alembic_migration,
    alembic_versions,
    django_migration,
)
from app.queries.models import find_models

DJANGO = """from django.db import models


class Order(models.Model):
    buyer = models.ForeignKey("Customer", on_delete=models.CASCADE, db_column="buyer_ref")
    status = models.CharField(max_length=20)
{meta}"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_django_tables_from_app_label_or_db_table_and_abstract_models_skipped(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "shop/models.py": DJANGO.format(meta=""),
            "billing/models/invoice.py": "from django.db import models\n\n"
            "class Invoice(models.Model):\n    class Meta:\n        db_table = 'invoices'\n\n"
            "class Base(models.Model):\n    class Meta:\n        abstract = True\n",
            "broken/models.py": "from django.db import models\nclass (:\n",
        },
    )
    models = find_models(tmp_path)
    assert set(models) == {"shop_order", "invoices"}
    order = models["shop_order"]
    assert (order.app_label, order.app_dir, order.class_name) == ("shop", "shop", "Order")
    assert order.field_for("buyer_ref") == "buyer" and order.relations == {"buyer_ref": "buyer"}
    assert models["invoices"].app_dir == "billing"


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (
            "",
            '\n    class Meta:\n        indexes = [models.Index(fields=["buyer", "status"], '
            'name="ix")]\n',
        ),
        (
            "\n    class Meta:\n        ordering = ['id']\n",
            "\n    class Meta:\n        ordering = ['id']\n"
            '        indexes = [models.Index(fields=["buyer", "status"], name="ix")]\n',
        ),
        (
            "\n    class Meta:\n        indexes = [\n            models.Index(fields=['status'], "
            "name='a'),\n        ]\n",
            "\n    class Meta:\n        indexes = [\n            models.Index(fields=['status'], "
            'name=\'a\'),\n            models.Index(fields=["buyer", "status"], name="ix"),\n'
            "        ]\n",
        ),
    ],
)
def test_django_index_goes_into_meta_indexes(tmp_path: Path, meta: str, expected: str) -> None:
    text = DJANGO.format(meta=meta)
    write(tmp_path, {"shop/models.py": text})
    model = find_models(tmp_path)["shop_order"]
    edited = add_index(text, model, "ix", ("buyer_ref", "status"))
    assert edited == DJANGO.format(meta="") + expected
    compile(edited, "models.py", "exec")


SQLA = """from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
{args}    id = None
"""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", '    __table_args__ = (Index("ix", "a", "b"),)\n'),
        ("    __table_args__ = ()\n", '    __table_args__ = (Index("ix", "a", "b"),)\n'),
        (
            "    __table_args__ = (Index('old', 'c'),)\n",
            '    __table_args__ = (Index(\'old\', \'c\'), Index("ix", "a", "b"),)\n',
        ),
        (
            "    __table_args__ = (Index('old', 'c'), {'schema': 'public'})\n",
            '    __table_args__ = (Index(\'old\', \'c\'), Index("ix", "a", "b"), '
            "{'schema': 'public'})\n",
        ),
        (
            "    __table_args__ = {'comment': 'x'}\n",
            '    __table_args__ = (Index("ix", "a", "b"), {\'comment\': \'x\'})\n',
        ),
    ],
)
def test_sqlalchemy_index_goes_into_table_args_and_index_is_imported(
    tmp_path: Path, args: str, expected: str
) -> None:
    text = SQLA.format(args=args)
    write(tmp_path, {"app/models.py": text})
    model = find_models(tmp_path)["orders"]
    edited = add_index(text, model, "ix", ("a", "b"))
    assert edited.startswith(
        "from sqlalchemy.orm import DeclarativeBase\nfrom sqlalchemy import Index\n"
    )
    assert expected in edited
    compile(edited, "models.py", "exec")


def test_table_args_that_is_no_literal_is_refused(tmp_path: Path) -> None:
    text = SQLA.format(args="    __table_args__ = make_args()\n")
    write(tmp_path, {"app/models.py": text})
    with pytest.raises(ModelEditError, match="neither a tuple nor a dict"):
        add_index(text, find_models(tmp_path)["orders"], "ix", ("a",))


def test_django_migration_depends_on_the_leaf_and_refuses_two_leaves(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/models.py": DJANGO.format(meta=""),
            "shop/migrations/0001_initial.py": "dependencies = []\n",
            "shop/migrations/0002_more.py": "dependencies = [('shop', '0001_initial')]\n",
        },
    )
    model = find_models(tmp_path)["shop_order"]
    made = django_migration(tmp_path, model, "ix", ("buyer_ref", "status"))
    assert made.path == "shop/migrations/0003_ix.py"
    assert '("shop", "0002_more")' in made.text and "atomic = False" in made.text
    assert 'fields=["buyer", "status"]' in made.text and 'model_name="order"' in made.text
    compile(made.text, made.path, "exec")
    write(
        tmp_path, {"shop/migrations/0002_other.py": "dependencies = [('shop', '0001_initial')]\n"}
    )
    with pytest.raises(MigrationError, match="2 leaf migrations"):
        django_migration(tmp_path, model, "ix", ("status",))


def test_alembic_revision_on_the_single_head(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/db\n",
            "db/env.py": "",
            "db/versions/a.py": 'revision = "a"\ndown_revision = None\n',
            "db/versions/b.py": 'revision: str = "b"\ndown_revision = "a"\n',
        },
    )
    versions = alembic_versions(tmp_path)
    assert versions == (tmp_path / "db" / "versions").resolve()
    assert alembic_head(versions) == "b"
    made = alembic_migration(tmp_path, versions, "orders", "ix", ("a", "b"))
    assert 'down_revision = "b"' in made.text and "autocommit_block()" in made.text
    assert "postgresql_concurrently=True" in made.text and "op.drop_index(" in made.text
    compile(made.text, made.path, "exec")
    write(tmp_path, {"db/versions/c.py": 'revision = "c"\ndown_revision = "a"\n'})
    with pytest.raises(MigrationError, match="2 heads"):
        alembic_head(versions)


def test_script_location_outside_the_repository_is_ignored(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"versions/a.py": 'revision = "a"\ndown_revision = None\n'})
    repo = write(tmp_path / "repo", {"alembic.ini": f"[alembic]\nscript_location = {outside}\n"})
    assert alembic_versions(repo) is None


def test_migration_folders_linked_out_of_the_checkout_are_not_read(tmp_path: Path) -> None:
    outside = write(
        tmp_path / "outside",
        {"migrations/0001_initial.py": "", "versions/a.py": 'revision = "a"\n'},
    )
    repo = write(tmp_path / "repo", {"shop/models.py": DJANGO.format(meta=""), "db/env.py": ""})
    (repo / "shop" / "migrations").symlink_to(outside / "migrations")
    (repo / "db" / "versions").symlink_to(outside / "versions")
    with pytest.raises(MigrationError, match="no migrations folder in the checkout"):
        django_migration(repo, find_models(repo)["shop_order"], "ix", ("status",))
    assert alembic_versions(repo) is None
