"""The migration that creates the index without locking writes: a Django migration with
``AddIndexConcurrently`` (``atomic = False``) after the app's latest one, or an Alembic revision
on the current head with ``op.create_index(..., postgresql_concurrently=True)`` inside an
autocommit block. Migration files are read statically and with bounds.
"""

from __future__ import annotations

import ast
import configparser
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from app.queries.models import Model, read_bounded
from app.templates import render

MAX_MIGRATIONS = 5_000
_DJANGO_NAME = re.compile(r"^(\d{4})_\w+\.py$")


class MigrationError(Exception):
    pass


def _inside(root: Path, folder: Path) -> bool:
    """``folder`` is a real folder of the checkout (a symbolic link out of it is not)."""
    return folder.is_dir() and folder.resolve().is_relative_to(root.resolve())


@dataclass(frozen=True)
class NewMigration:
    path: str
    """Relative POSIX path of the new file."""
    text: str
    rollback: str
    """How to undo it with the framework's own command."""


def django_migration(root: Path, model: Model, name: str, columns: tuple[str, ...]) -> NewMigration:
    folder = root / model.app_dir / "migrations"
    if not _inside(root, folder):
        raise MigrationError(f"{model.app_dir}/migrations: no migrations folder in the checkout")
    names = sorted(p.name for p in folder.iterdir() if _DJANGO_NAME.match(p.name))[:MAX_MIGRATIONS]
    if not names:
        raise MigrationError(f"{model.app_dir}/migrations: no migration to depend on")
    depended: set[str] = set()
    for file in names:
        text = read_bounded(folder / file) or ""
        depended |= {dep for app, dep in _django_dependencies(text) if app == model.app_label}
    leaves = [n[:-3] for n in names if n[:-3] not in depended]
    if len(leaves) != 1:
        raise MigrationError(
            f"{model.app_dir}/migrations: {len(leaves)} leaf migrations ({', '.join(leaves)}); "
            "merge them first (manage.py makemigrations --merge)"
        )
    number = max(int(n[:4]) for n in names) + 1
    filename = f"{number:04d}_{name}.py"
    if (folder / filename).exists():
        raise MigrationError(f"{model.app_dir}/migrations/{filename} already exists")
    fields = [model.field_for(c) for c in columns]
    text = render(
        "queries/django_migration.py.j2",
        app_label=model.app_label,
        previous=leaves[0],
        model_name=model.class_name.lower(),
        fields=fields,
        index_name=name,
    )
    previous = leaves[0]
    return NewMigration(
        f"{model.app_dir}/migrations/{filename}",
        text,
        f"python manage.py migrate {model.app_label} {previous}",
    )


def _django_dependencies(text: str) -> list[tuple[str, str]]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "dependencies" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            for item in node.value.elts:
                if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                    app, dep = item.elts
                    if isinstance(app, ast.Constant) and isinstance(dep, ast.Constant):
                        found.append((str(app.value), str(dep.value)))
    return found


def alembic_versions(root: Path) -> Path | None:
    """The Alembic ``versions`` folder: from ``alembic.ini``'s ``script_location`` (inside the
    repository only), else the first ``*/versions`` next to an ``env.py``."""
    ini = root / "alembic.ini"
    text = read_bounded(ini) if ini.is_file() else None
    if text:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
            location = parser.get("alembic", "script_location", fallback="")
        except configparser.Error:
            location = ""
        location = location.replace("%(here)s", ".").strip()
        if location and ":" not in location:
            folder = (root / location).resolve()
            if _inside(root, folder / "versions"):
                return folder / "versions"
    for env in sorted(root.glob("*/env.py")) + sorted(root.glob("*/*/env.py")):
        if _inside(root, env.parent / "versions"):
            return env.parent / "versions"
    return None


def alembic_head(versions: Path) -> str:
    revisions: dict[str, set[str]] = {}
    for file in sorted(versions.glob("*.py"))[:MAX_MIGRATIONS]:
        text = read_bounded(file)
        if text is None:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        values = {}
        for node in tree.body:
            target = (
                node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
            )
            if target is None and isinstance(node, ast.AnnAssign):
                target = node.target
            value = getattr(node, "value", None)
            if isinstance(target, ast.Name) and value is not None:
                try:
                    values[target.id] = ast.literal_eval(value)
                except ValueError:
                    continue
        revision = values.get("revision")
        if isinstance(revision, str):
            down = values.get("down_revision")
            downs = {down} if isinstance(down, str) else set(down or ())
            revisions[revision] = {str(d) for d in downs}
    if not revisions:
        raise MigrationError(f"{versions}: no Alembic revision found")
    parents = set().union(*revisions.values())
    heads = sorted(set(revisions) - parents)
    if len(heads) != 1:
        raise MigrationError(
            f"Alembic has {len(heads)} heads ({', '.join(heads)}); merge them first (alembic merge)"
        )
    return heads[0]


def alembic_migration(
    root: Path, versions: Path, table: str, name: str, columns: tuple[str, ...]
) -> NewMigration:
    head = alembic_head(versions)
    revision = hashlib.sha1(f"{table}:{name}".encode()).hexdigest()[:12]
    filename = f"{revision}_add_{name}.py"
    if (versions / filename).exists():
        raise MigrationError(f"{filename} already exists")
    schema, _, bare = table.rpartition(".")
    text = render(
        "queries/alembic_revision.py.j2",
        revision=revision,
        head=head,
        table=bare,
        schema=schema,
        columns=list(columns),
        index_name=name,
    )
    relative = (versions / filename).relative_to(root).as_posix()
    return NewMigration(relative, text, f"alembic downgrade {head}")
