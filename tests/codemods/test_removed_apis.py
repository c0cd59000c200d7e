"""Report-only rules for removed APIs: each use with its place and what to do (issue #10, 19)."""

from __future__ import annotations

from textwrap import dedent

from codemods.distutils_find_executable import FindExecutable
from codemods.distutils_uses import DistutilsUses
from codemods.imp_reload import ImpReload
from codemods.imp_uses import ImpUses
from codemods.info import Hit, ProjectFacts
from codemods.pkg_resources_uses import MODULE_ANCHOR, PkgResourcesUses
from codemods.pkg_resources_version import PkgResourcesVersion
from codemods.pydantic_v1_api import PydanticV1Api
from codemods.pytest_raises_message import PytestRaisesMessage
from codemods.text_filters import wants
from tests.codemods.support import models, run


def places(hits: list[Hit], rule_id: str) -> list[tuple[int, str]]:
    return [(h.line, h.advice) for h in hits if h.rule_id == rule_id]


def test_pkg_resources_uses_are_reported_and_the_version_call_rewritten() -> None:
    source = dedent(
        """\
        import pkg_resources
        from pkg_resources import resource_filename

        VERSION = pkg_resources.get_distribution("demo").version
        DATA = resource_filename(__name__, "data.json")
        for entry in pkg_resources.iter_entry_points("demo.plugins"):
            pass
        """
    )
    new, hits = run([PkgResourcesVersion, PkgResourcesUses], source, path="demo/mod.py")
    assert 'VERSION = importlib.metadata.version("demo")' in new
    reported = places(hits, "MB128")
    assert [line for line, _ in reported] == [5, 6]
    assert reported[0][1].endswith(MODULE_ANCHOR)  # __name__ of a module is no package
    assert "entry_points(group=" in reported[1][1]
    assert all(not h.after for h in hits if h.rule_id == "MB128")


def test_pkg_resources_without_the_rewriting_rule_reports_every_use() -> None:
    source = 'import pkg_resources\nV = pkg_resources.get_distribution("x").version\n'
    new, hits = run(PkgResourcesUses, source)
    assert new == source
    assert places(hits, "MB128") == [(2, PkgResourcesUses.advice["pkg_resources.get_distribution"])]


def test_resource_filename_in_a_package_init_has_no_anchor_warning() -> None:
    source = 'import pkg_resources\np = pkg_resources.resource_filename(__name__, "x")\n'
    _, hits = run(PkgResourcesUses, source, path="demo/__init__.py")
    (hit,) = hits
    assert "importlib.resources.files" in hit.advice and MODULE_ANCHOR not in hit.advice


def test_unused_import_of_a_removed_module_is_reported_at_the_import() -> None:
    _, hits = run(PkgResourcesUses, "import pkg_resources  # noqa: F401\n")
    assert [h.line for h in hits] == [1]


def test_imp_uses_are_reported_except_the_reload_that_mb114_rewrites() -> None:
    source = dedent(
        """\
        import imp
        import importlib

        imp.reload(importlib)
        mod = imp.load_source("m", "m.py")
        """
    )
    new, hits = run([ImpReload, ImpUses], source)
    assert "importlib.reload(importlib)" in new
    assert places(hits, "MB129") == [(5, ImpUses.advice["imp.load_source"])]
    assert wants(ImpUses.info, source.encode(), ProjectFacts())
    importlib_only = b"import importlib\nimportlib.import_module('imp')\n"
    assert not wants(ImpUses.info, importlib_only, ProjectFacts())


def test_distutils_uses_are_reported() -> None:
    source = dedent(
        """\
        from distutils.version import LooseVersion
        from distutils.spawn import find_executable
        from distutils.core import setup

        OK = LooseVersion("1.0") < LooseVersion("2.0")
        git = find_executable("git")
        setup(name="demo")
        """
    )
    new, hits = run([FindExecutable, DistutilsUses], source)
    assert 'git = which("git")' in new
    assert [line for line, _ in places(hits, "MB130")] == [5, 5, 7]
    assert "packaging.version.Version" in places(hits, "MB130")[0][1]
    assert places(hits, "MB130")[2][1] == "setuptools.setup"


def test_pytest_raises_message_is_reported() -> None:
    source = dedent(
        """\
        import pytest

        def test_x():
            with pytest.raises(ValueError, message="should fail"):
                int("x")
            with pytest.raises(ValueError, match="x"):
                int("x")
        """
    )
    _, hits = run(PytestRaisesMessage, source)
    assert [h.line for h in hits] == [4]


def test_pydantic_v1_api_is_reported_on_provable_models_only() -> None:
    facts = models(
        app__models="""\
        from pydantic import BaseModel, Field, validator

        class User(BaseModel):
            name: str = Field(..., regex="^[a-z]+$")
            kind: str = Field("user", const=True)

            class Config:
                orm_mode = True

            @validator("name")
            def check(cls, v):
                return v

        class Plain:
            class Config:
                pass
        """
    )
    source = dedent(
        """\
        from pydantic import BaseModel, Field, validator, parse_obj_as

        class User(BaseModel):
            name: str = Field(..., regex="^[a-z]+$")
            kind: str = Field("user", const=True)

            class Config:
                orm_mode = True

            @validator("name")
            def check(cls, v):
                return v

        class Plain:
            class Config:
                pass

        users = parse_obj_as(list[User], [])
        user = User.from_orm(row)
        """
    )
    _, hits = run(PydanticV1Api, source, facts, path="app/models.py")
    found = places(hits, "MB214")
    assert [line for line, _ in found] == [4, 5, 7, 10, 18, 19]
    assert "pattern=" in found[0][1] and "Literal" in found[1][1]
    assert "ConfigDict" in found[2][1] and "field_validator" in found[3][1]
    assert "TypeAdapter" in found[4][1] and "from_attributes" in found[5][1]
