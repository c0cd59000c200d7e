"""One resolver of import statements, relative ones as Python resolves them, and each of its
users (dead code, the codemods' project facts and pre-filter, import counts) reading the same
statement the same way."""

from __future__ import annotations

import ast
import importlib.util

import pytest

from app.deadcode.extract import extract
from app.import_resolution import bindings, package_of, resolve_from, top_level_modules
from app.imports import imported_modules
from codemods.facts import module_name, pydantic_models
from codemods.prefilter import survey


@pytest.mark.parametrize(
    ("module", "is_package", "statement", "expected"),
    [
        ("a.b.c", False, "from . import x", "a.b.x"),
        ("a.b.c", False, "from .d import x", "a.b.d.x"),
        ("a.b.c", False, "from .. import x", "a.x"),
        ("a.b.c", False, "from ..d.e import x as y", "a.d.e.x"),
        ("a.b", True, "from . import x", "a.b.x"),  # a/b/__init__.py: itself is the package
        ("a.b", True, "from .. import x", "a.x"),
        ("a.b", False, "from .. import x", None),  # beyond the top-level package
        ("a", True, "from .. import x", None),
        ("top", False, "from . import x", None),  # a top-level module has no package
        ("a.b", False, "from json import dumps as d", "json.dumps"),
        ("a.b", False, "import os.path as p", "os.path"),
        ("a.b", False, "import os.path", "os"),
    ],
)
def test_relative_and_absolute_imports_resolve_as_python_does(
    module: str, is_package: bool, statement: str, expected: str | None
) -> None:
    node = ast.parse(statement).body[0]
    found = bindings([node], package_of(module, is_package))
    assert list(found.values()) == ([] if expected is None else [expected])
    if expected is not None and isinstance(node, ast.ImportFrom) and node.level:
        dots = "." * node.level + (node.module or "")
        python = importlib.util.resolve_name(dots, package_of(module, is_package))
        assert expected == f"{python}.{node.names[0].name}"


def test_resolve_from_matches_importlib_and_refuses_what_it_refuses() -> None:
    for package in ("a", "a.b", "a.b.c"):
        for level in range(1, 5):
            for target in (None, "m", "m.n"):
                ours = resolve_from(package, level, target)
                name = "." * level + (target or "")
                try:
                    theirs: str | None = importlib.util.resolve_name(name, package)
                except ImportError:
                    theirs = None
                assert ours == theirs, (package, level, target)


def test_without_a_position_relative_imports_bind_nothing() -> None:
    tree = ast.parse("from . import x\nfrom .y import z\nimport q\n")
    assert bindings(tree.body) == {"q": "q"}
    assert top_level_modules(tree) == {"q"}


SOURCE = """\
from . import sibling
from ..base import Model as Base
from ... import beyond
import numpy as np
"""


def test_every_user_reads_the_same_statements_the_same_way() -> None:
    # dead code: pkg/models/user.py is module pkg.models.user
    facts = extract("pkg/models/user.py", "pkg.models.user", False, SOURCE.encode())
    resolved = {i.binding: f"{i.module}.{i.name}" if i.name else i.module for i in facts.imports}
    assert resolved["sibling"] == "pkg.models.sibling"
    assert resolved["Base"] == "pkg.base.Model"
    assert resolved["np"] == "numpy"
    # codemods' project facts: the same file found by its path
    assert module_name("pkg/models/user.py").package == "pkg.models"
    models = pydantic_models(
        {
            "pkg/base.py": "from pydantic import BaseModel\nclass Model(BaseModel):\n    x: int\n",
            "pkg/models/user.py": SOURCE + "\n\nclass User(Base):\n    name: str\n",
        }
    )
    assert set(models.pydantic_models) == {"pkg.base.Model", "pkg.models.user.User"}
    # the pre-filter and the import counts: external APIs only
    assert "numpy" in survey(ast.parse(SOURCE)).uses
    assert imported_modules(SOURCE) == {"numpy"}
