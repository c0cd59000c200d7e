"""Issue #12, item by item, on small trees: what is dead, what is kept and why."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from app.deadcode.codemod import Target, remove
from app.deadcode.confidence import Candidate
from app.deadcode.detect import Detection, detect
from app.deadcode.extract import extract, module_prefix
from app.deadcode.guards import GuardSettings
from tests.deadcode.support import write

MAIN = "if __name__ == '__main__':\n    run()\n"


def run(tmp_path: Path, files: dict[str, str], *, library: bool = False) -> Detection:
    write(tmp_path, {path: dedent(text) for path, text in files.items()})
    settings = GuardSettings(library_public_api=library)
    return detect(tmp_path, sorted(files), settings, cache=None)


def found(detection: Detection) -> dict[str, Candidate]:
    return {f"{c.file}::{c.name}": c for c in detection.candidates}


def kept_because(detection: Detection, name: str) -> str:
    graph = detection.graph
    node = next(n for n in graph.nodes if n.definition and graph.qualname(n) == name)
    return detection.roots.reasons.get(node.id, "")


# 1. class liveness ------------------------------------------------------------------------


def test_a_used_method_name_does_not_keep_an_unused_class(tmp_path: Path) -> None:
    detection = run(
        tmp_path,
        {
            "main.py": """\
                import lib

                class Base:
                    def __init__(self):
                        pass

                class Live(Base):
                    def __init__(self):
                        super().__init__()

                def run():
                    Live()
                    {}.get("key")
                    lib.mention("close")

                if __name__ == "__main__":
                    run()
                """,
            "lib.py": """\
                def mention(name):
                    return name

                class Dead:
                    def __init__(self):
                        pass
                    def get(self, key):
                        return key
                    def close(self):
                        pass
                    def __len__(self):
                        return 0
                """,
        },
    )
    # Only the class is listed: its members go with it, whatever else is named `get`.
    assert set(found(detection)) == {"lib.py::Dead"}
    assert found(detection)["lib.py::Dead"].confidence == 100


def test_registries_keep_the_classes_they_collect(tmp_path: Path) -> None:
    detection = run(
        tmp_path,
        {
            "main.py": "import plugins\nfrom base import Plugin, Meta\n" + MAIN,
            "base.py": """\
                class Plugin:
                    found = []
                    def __init_subclass__(cls, **kwargs):
                        Plugin.found.append(cls)

                class Meta(type):
                    def __new__(mcs, name, bases, namespace):
                        return super().__new__(mcs, name, bases, namespace)

                class Plain:
                    pass
                """,
            "plugins.py": """\
                from base import Meta, Plain, Plugin

                class Csv(Plugin):
                    pass

                class Typed(metaclass=Meta):
                    pass

                class NotRegistered(Plain):
                    pass
                """,
        },
    )
    assert set(found(detection)) == {"plugins.py::NotRegistered", "base.py::Plain"}
    assert "__init_subclass__" in kept_because(detection, "Csv")
    assert "metaclass `Meta`" in kept_because(detection, "Typed")


# 2. overrides of external bases -----------------------------------------------------------


def test_only_the_hooks_of_known_external_bases_are_overrides(tmp_path: Path) -> None:
    detection = run(
        tmp_path,
        {
            "main.py": """\
                import ast
                import logging
                from collections.abc import Mapping
                from typing import Protocol
                from unittest import TestCase
                from vendor.unknown import Thing

                class Handler(logging.Handler):
                    def emit(self, record): pass
                    def unused_helper(self): pass

                class Visitor(ast.NodeVisitor):
                    def visit_Name(self, node): pass
                    def stray(self): pass

                class Case(TestCase):
                    def setUp(self): pass
                    def build(self): pass

                class Table(Mapping):
                    def __getitem__(self, key): return key
                    def __iter__(self): return iter(())
                    def __len__(self): return 0
                    def keys(self): return []
                    def describe(self): pass

                class Closer(Protocol):
                    def close(self) -> None: ...

                class Custom(Thing):
                    def anything(self): pass

                def run():
                    Handler(), Visitor(), Case, Table(), Custom()

                def use(closer: Closer): pass

                if __name__ == "__main__":
                    run()
                    use
                """,
        },
    )
    assert set(found(detection)) == {
        "main.py::Handler.unused_helper",
        "main.py::Visitor.stray",
        "main.py::Case.build",
        "main.py::Table.describe",
    }
    assert "logging.Handler" in kept_because(detection, "Handler.emit")
    assert "Protocol" in kept_because(detection, "Closer.close")
    assert "Thing" in kept_because(detection, "Custom.anything")  # unknown: any method


# 3. confidence ----------------------------------------------------------------------------


def test_wrapping_decorators_cost_nothing_and_clusters_score_as_one(tmp_path: Path) -> None:
    detection = run(
        tmp_path,
        {
            "main.py": "from pkg.mod import Live\n" + MAIN.replace("run()", "Live()"),
            "pkg/__init__.py": "",
            "pkg/mod.py": """\
                import functools

                class Live:
                    @property
                    def unused_property(self): return 1
                    @staticmethod
                    def unused_static(): pass
                    @functools.cached_property
                    def unused_cached(self): return 2

                def first(): return second()
                def second(): return third()
                def third(): return 3
                """,
        },
    )
    by_name = found(detection)
    for name in ("Live.unused_property", "Live.unused_static", "Live.unused_cached"):
        assert by_name[f"pkg/mod.py::{name}"].confidence == 90  # the method doubt only
    assert [by_name[f"pkg/mod.py::{n}"].confidence for n in ("first", "second", "third")] == [
        100,
        100,
        100,
    ]
    application = {
        "main.py": "import pkg.mod\n" + MAIN,
        "pkg/__init__.py": "",
        "pkg/mod.py": "def x(): pass",
    }
    assert found(run(tmp_path / "app", application))["pkg/mod.py::x"].confidence == 100
    library = found(run(tmp_path / "lib", application, library=True))
    assert library["pkg/mod.py::x"].confidence == 95  # public names: doubt in a library only


# 4. nested scopes -------------------------------------------------------------------------


def test_definitions_inside_functions_are_indexed_and_removed(tmp_path: Path) -> None:
    source = dedent(
        """\
        def run():
            def used():
                return helper()

            def unused():
                return other()

            class Inner:
                pass

            return used()


        def helper():
            return 1


        def other():
            return 2
        """
    )
    detection = run(tmp_path, {"main.py": source + MAIN})
    assert set(found(detection)) == {"main.py::run.unused", "main.py::run.Inner", "main.py::other"}
    targets = [Target("unused", "", 5), Target("Inner", "", 8)]
    edited = remove(source, "main.py", targets)
    assert "def unused" not in edited and "class Inner" not in edited
    assert "def used" in edited


# 5. a library's exported surface ----------------------------------------------------------


def test_library_exports_are_report_only_and_internal_names_are_candidates(
    tmp_path: Path,
) -> None:
    detection = run(
        tmp_path,
        {
            "lib/__init__.py": "from lib.core import Client, connect\n__all__ = ['connect']\n",
            "lib/core.py": """\
                class Client:
                    def request(self): pass
                    def _retry(self): pass

                def connect(): pass

                def internal_helper(): pass
                """,
        },
        library=True,
    )
    by_name = found(detection)
    # `connect` is in `__all__` (kept); `Client` is re-exported: dead, but removing it breaks
    # importers; `internal_helper` is offered by no package: an ordinary candidate.
    assert set(by_name) == {"lib/core.py::Client", "lib/core.py::internal_helper"}
    assert "breaking for importers" in by_name["lib/core.py::Client"].report_only
    assert by_name["lib/core.py::internal_helper"].report_only == ""


# 6. what runs by name -----------------------------------------------------------------------


def test_methods_possibly_dispatched_by_name_are_report_only(tmp_path: Path) -> None:
    files = {
        "main.py": """\
            class Alpha:
                def on_save(self): pass
                def unique_name(self): pass

            class Beta:
                def on_save(self): pass

            def fire(obj, event):
                return getattr(obj, event)()

            if __name__ == "__main__":
                fire(Alpha(), "x"), Beta()
            """
    }
    by_name = found(run(tmp_path / "dynamic", files))
    assert "possibly dispatched by name" in by_name["main.py::Alpha.on_save"].report_only
    assert by_name["main.py::Alpha.unique_name"].report_only == ""  # no other class has it
    literal = {"main.py": files["main.py"].replace("getattr(obj, event)", "getattr(obj, 'x')")}
    assert found(run(tmp_path / "literal", literal))["main.py::Alpha.on_save"].report_only == ""


def test_files_loaded_by_path_and_what_examples_and_docs_import_are_used(tmp_path: Path) -> None:
    detection = run(
        tmp_path,
        {
            "hooks/hook-mypkg.py": "hiddenimports = ['x']\ndef hook(api): pass\n",
            "mypkg/__init__.py": "",
            "mypkg/report.py": (
                "def make_report(): pass\ndef summary(): pass\ndef idle(): pass\n"
                "def documented(): pass\n"
            ),
            "docs/tool_examples/basic.py": "from mypkg.report import make_report\n",
            "sub/examples/more.py": "# also try: mypkg.report.summary\n",
            "README.md": "Run the idle check:\n\n    >>> from mypkg.report import documented\n",
        },
    )
    assert set(found(detection)) == {"mypkg/report.py::idle"}


def test_modules_under_a_computed_import_prefix_are_live(tmp_path: Path) -> None:
    files = {
        "main.py": """\
            import importlib

            PACKAGE = "app.locale"

            def load(kind, lang):
                importlib.import_module(f"app.drivers.{kind}")
                importlib.import_module("app.formats.%s" % kind)
                importlib.util.find_spec("app.parsers.{}".format(kind))
                return importlib.import_module("%s.%s" % (PACKAGE, lang))

            if __name__ == "__main__":
                load("a", "b")
            """,
        "app/__init__.py": "",
        "app/drivers/__init__.py": "",
        "app/drivers/sqlite.py": "def connect(): pass\n",
        "app/formats/__init__.py": "",
        "app/formats/csv.py": "def write(): pass\n",
        "app/parsers/__init__.py": "",
        "app/parsers/ini.py": "def parse(): pass\n",
        "app/locale/__init__.py": "",
        "app/locale/fr.py": "DATE = 'j F Y'\n",
        "app/unrelated.py": "def lonely(): pass\n",
    }
    assert set(found(run(tmp_path, files))) == {"app/unrelated.py::app.unrelated"}


def test_computed_module_prefixes() -> None:
    import ast

    def prefix(expression: str) -> str | None:
        return module_prefix(ast.parse(expression, mode="eval").body)

    assert prefix("'pkg.plugins.%s' % name") == "pkg.plugins."
    assert prefix("'pkg.plugins.{}'.format(name)") == "pkg.plugins."
    assert prefix("f'pkg.plugins.{name}'") == "pkg.plugins."
    assert prefix("'pkg.plugins.' + name") == "pkg.plugins."
    assert prefix("'%s.%s' % (location, lang)") == ""
    assert prefix("f'{location}.{lang}'") == ""
    assert prefix("name") is None


def test_test_helpers_shipped_in_a_package_are_public(tmp_path: Path) -> None:
    detection = run(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/testing/__init__.py": "",
            "pkg/testing/factories.py": "def make_user(): pass\ndef _private(): pass\n",
            "pkg/tests/__init__.py": "",
            "pkg/tests/utils.py": "class Fixture:\n    def build(self): pass\n",
            "tests/helpers.py": "def local_helper(): pass\n",
        },
    )
    assert set(found(detection)) == {
        "pkg/testing/factories.py::_private",
        "tests/helpers.py::local_helper",  # the repository's own tests: not shipped
    }


# 7. new syntax ----------------------------------------------------------------------------

NEW_SYNTAX = """\
from lib import used_by_new_syntax

type Pair[T] = tuple[T, T]


class Box[T]:
    def get(self) -> T:
        return used_by_new_syntax(f"{"nested"}")


def dead_in_new_file[T](value: T) -> T:
    return value
"""


def test_files_in_newer_syntax_are_analysed_not_skipped(tmp_path: Path) -> None:
    detection = run(
        tmp_path,
        {
            "main.py": "from modern import Box\n" + MAIN.replace("run()", "Box().get()"),
            "modern.py": NEW_SYNTAX,
            "lib.py": "def used_by_new_syntax(x): return x\ndef unused(): pass\n",
        },
    )
    assert detection.index.errors == ()
    by_name = found(detection)
    assert set(by_name) == {"lib.py::unused", "modern.py::Pair", "modern.py::dead_in_new_file"}
    dead = by_name["modern.py::dead_in_new_file"]
    assert (dead.line, dead.end_line, dead.removable) == (11, 12, False)
    assert any("newer than" in e for e in dead.evidence)


def test_new_syntax_facts_match_the_old_syntax_equivalent() -> None:
    new = extract("m.py", "m", False, NEW_SYNTAX.encode())
    old_source = (
        NEW_SYNTAX.replace("type Pair[T] =", "Pair =")
        .replace("class Box[T]:", "class Box:")
        .replace("dead_in_new_file[T]", "dead_in_new_file")
        .replace('f"{"nested"}"', "'%s' % ('nested',)")
    )
    old = extract("m.py", "m", False, old_source.encode())
    assert new.new_syntax and not old.new_syntax
    assert [(d.name, d.line, d.end_line, d.refs) for d in new.definitions] == [
        (d.name, d.line, d.end_line, d.refs) for d in old.definitions
    ]
    assert [i[:5] for i in new.imports] == [i[:5] for i in old.imports]
