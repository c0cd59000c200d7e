"""Reference resolution and guards, on small trees (no git needed)."""

from __future__ import annotations

import gc
from pathlib import Path
from textwrap import dedent

import pytest

from app.deadcode.confidence import Status
from app.deadcode.detect import Detection, detect
from app.deadcode.graph import Fanout, Graph
from app.deadcode.guards import GuardSettings, is_test_file
from app.deadcode.liveness import _Walk
from tests.deadcode.support import write


def run(tmp_path: Path, files: dict[str, str], settings: GuardSettings | None = None) -> Detection:
    write(tmp_path, {path: dedent(text) for path, text in files.items()})
    paths = sorted(files)
    return detect(tmp_path, paths, settings or GuardSettings(), cache=None)


def dead(detection: Detection) -> dict[str, Status]:
    return {f"{c.file}::{c.name}": c.status for c in detection.candidates}


ENTRY = {"main.py": "if __name__ == '__main__':\n    run()\n"}


def test_imports_relative_star_aliases_and_module_chains(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                "main.py": """\
                    import pkg.chained
                    import pkg.aliased as aliased
                    from pkg import relative_user
                    from pkg.starred import *

                    if __name__ == "__main__":
                        pkg.chained.used()
                        aliased.used()
                        relative_user.run()
                        star_used()
                    """,
                "pkg/__init__.py": "",
                "pkg/chained.py": "def used(): pass\ndef unused(): pass\n",
                "pkg/aliased.py": "def used(): pass\ndef unused(): pass\n",
                "pkg/relative_user.py": "from .target import used\ndef run():\n    used()\n",
                "pkg/target.py": "def used(): pass\ndef unused(): pass\n",
                "pkg/starred.py": "def star_used(): pass\ndef _private(): pass\n",
            },
        )
    )
    assert found == {
        "pkg/chained.py::unused": Status.UNREFERENCED,
        "pkg/aliased.py::unused": Status.UNREFERENCED,
        "pkg/target.py::unused": Status.UNREFERENCED,
        "pkg/starred.py::_private": Status.UNREFERENCED,
    }


def test_namespace_packages_resolve_by_path(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                **ENTRY,
                "main.py": "from ns.tool import work\nif __name__ == '__main__':\n    work()\n",
                "ns/tool.py": "def work(): pass\ndef idle(): pass\n",
            },
        )
    )
    assert found == {"ns/tool.py::idle": Status.UNREFERENCED}


def test_side_effect_imports_keep_the_module(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                **ENTRY,
                "main.py": "import app\nif __name__ == '__main__':\n    app.run()\n",
                "app/__init__.py": "from . import signals  # registers handlers\ndef run(): pass\n",
                "app/signals.py": "registry = []\nregistry.append(print)\n",
                "app/orphan.py": "def unused(): pass\n",
            },
        )
    )
    assert found == {"app/orphan.py::app.orphan": Status.UNREFERENCED}


def test_attributes_strings_and_prefixes_keep_members(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                "main.py": """\
                    class Visitor:
                        def visit_name(self): pass
                        def visit_call(self): pass
                        def dispatch(self, kind):
                            return getattr(self, "visit_" + kind)()
                        def called(self): pass
                        def by_string(self): pass
                        def unused(self): pass

                    if __name__ == "__main__":
                        thing = Visitor()
                        thing.dispatch("name")
                        something_else.called()
                        getattr(thing, "by_string")()
                    """,
            },
        )
    )
    assert found == {"main.py::Visitor.unused": Status.UNREFERENCED}


def test_overrides_abstract_methods_dunders_and_declarative_fields(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                "main.py": """\
                    import abc
                    import unittest
                    from dataclasses import dataclass

                    class Base(abc.ABC):
                        @abc.abstractmethod
                        def hook(self): ...
                        def helper(self): pass

                    class Impl(Base):
                        def hook(self): pass
                        def helper(self): pass
                        def extra(self): pass
                        def __repr__(self): return "Impl"

                    class Plain:
                        def lonely(self): pass
                        count = 0

                    class Case(unittest.TestCase):
                        def setUp(self): pass

                    class Error(Exception):
                        def __str__(self): return "error"
                        def own(self): pass

                    @dataclass
                    class Record:
                        field: int = 0

                    if __name__ == "__main__":
                        Impl(), Plain(), Case, Record(), Error()
                    """,
            },
        )
    )
    assert found == {
        "main.py::Base.helper": Status.UNREFERENCED,
        "main.py::Impl.helper": Status.DEAD_REFERRERS,  # overrides only the dead Base.helper
        "main.py::Impl.extra": Status.UNREFERENCED,
        "main.py::Plain.lonely": Status.UNREFERENCED,
        "main.py::Plain.count": Status.UNREFERENCED,
        "main.py::Error.own": Status.UNREFERENCED,
    }


def test_tests_conftest_hooks_and_tested_only_code(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                **ENTRY,
                "main.py": "from lib import used\nif __name__ == '__main__':\n    used()\n",
                "lib.py": "def used(): pass\ndef for_tests(): pass\n",
                "tests/conftest.py": "def pytest_configure(config): pass\ndef fixture(): pass\n",
                "tests/test_lib.py": "from lib import for_tests\ndef test_it():\n    for_tests()\n",
            },
        )
    )
    assert found == {"lib.py::for_tests": Status.TESTED_ONLY}


def test_only_dead_callers_chain(tmp_path: Path) -> None:
    detection = run(
        tmp_path,
        {
            **ENTRY,
            "main.py": "import lib\nif __name__ == '__main__':\n    lib.run()\n",
            "lib.py": "def run(): pass\ndef outer():\n    return inner()\ndef inner(): pass\n",
        },
    )
    by_name = {c.name: c for c in detection.candidates}
    assert by_name["outer"].status is Status.UNREFERENCED
    assert by_name["inner"].status is Status.DEAD_REFERRERS
    assert by_name["inner"].evidence[0] == "referenced only by dead code: `lib.py::outer`"
    assert (by_name["outer"].confidence, by_name["inner"].confidence) == (100, 100)


def test_modules_without_importers_and_scripts(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                **ENTRY,
                "pkg/__init__.py": "",
                "pkg/forgotten.py": "def a(): pass\n",
                "script.py": "print('runs when executed')\n",
                "config.toml": 'plugin = "pkg.loaded"\n',
                "pkg/loaded.py": "def hook(): pass\n",
            },
        )
    )
    assert found == {"pkg/forgotten.py::pkg.forgotten": Status.UNREFERENCED}


def test_library_mode_whitelist_and_decorators(tmp_path: Path) -> None:
    files = {
        "main.py": "import lib.api\nif __name__ == '__main__':\n    run()\n",
        "lib/__init__.py": "",
        "lib/api.py": """\
            from lib.bus import bus

            def public(): pass
            def _private(): pass
            def legacy_keep(): pass

            @bus.subscribe
            def handler(): pass
            """,
        "lib/bus.py": "class Bus:\n    def subscribe(self, f): return f\nbus = Bus()\n",
    }
    default = dead(run(tmp_path / "a", files))
    assert set(default) == {
        "lib/bus.py::lib.bus",  # only the unregistered handler used it
        "lib/api.py::public",
        "lib/api.py::_private",
        "lib/api.py::legacy_keep",
        "lib/api.py::handler",
    }
    settings = GuardSettings(
        whitelist=("legacy_*",), decorators=("bus.subscribe",), library_public_api=True
    )
    # `public` is not exported by a package `__init__`: an internal name like `_private`.
    assert set(dead(run(tmp_path / "b", files, settings))) == {
        "lib/api.py::_private",
        "lib/api.py::public",
    }


def test_setup_cfg_entry_points_ini_and_templates(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                "setup.cfg": "[options.entry_points]\nconsole_scripts =\n    tool = app.cli:run\n",
                "tox.ini": "[testenv]\ncommands = python -m app.tasks\n",
                "app/__init__.py": "",
                "app/cli.py": "def run(): pass\ndef unused(): pass\n",
                "app/tasks.py": "def nightly(): pass\n",
                "app/views.py": "class Page:\n    def title(self): ...\n    def gone(self): ...\n",
                "app/templates/page.html": "<h1>{{ page.title }}</h1>\n",
                "main.py": "from app.views import Page\nif __name__ == '__main__':\n    Page()\n",
            },
        )
    )
    assert found == {
        "app/cli.py::unused": Status.UNREFERENCED,
        "app/views.py::Page.gone": Status.UNREFERENCED,
    }


def test_a_top_level_package_is_never_dead_as_a_whole(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                "lib/__init__.py": "from lib.core import api\n\napi()\nVERSION = 1\n",
                "lib/core.py": "def api(): pass\ndef _unused(): pass\n",
                "lib/orphan.py": "def lonely(): pass\n",
            },
        )
    )
    assert found == {
        "lib/core.py::_unused": Status.UNREFERENCED,
        "lib/orphan.py::lib.orphan": Status.UNREFERENCED,
        "lib/__init__.py::VERSION": Status.UNREFERENCED,
    }


def test_whitelist_matches_name_class_member_or_dotted_path(tmp_path: Path) -> None:
    files = {
        "main.py": "import lib\nif __name__ == '__main__':\n    lib.Box()\n",
        "lib.py": "class Box:\n    def keep(self): ...\n    def drop(self): ...\n"
        "def helper(): ...\ndef other(): ...\n",
    }
    settings = GuardSettings(whitelist=("Box.keep", "lib.help*"))
    assert set(dead(run(tmp_path, files, settings))) == {"lib.py::Box.drop", "lib.py::other"}


def test_all_keeps_names_and_submodules(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                "lib/__init__.py": '__all__ = ["exported", "plugins"]\n'
                "def exported(): ...\ndef hidden(): ...\n",
                "lib/plugins.py": "def hook(): ...\n",
            },
        )
    )
    assert found == {  # the module stays; what nothing uses inside it still goes
        "lib/__init__.py::hidden": Status.UNREFERENCED,
        "lib/plugins.py::hook": Status.UNREFERENCED,
    }


def test_framework_registrations_are_kept(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                "main.py": "import app.handlers\nif __name__ == '__main__':\n    pass\n",
                "app/__init__.py": "",
                "app/handlers.py": """\
                    import click
                    from celery import shared_task
                    from django.dispatch import receiver
                    from fastapi import APIRouter
                    from .runtime import celery_app, cli, router

                    @cli.command()
                    def export(): ...

                    @celery_app.task
                    def nightly(): ...

                    @shared_task(bind=True)
                    def retry(self): ...

                    @receiver(post_save)
                    def on_save(sender, **kwargs): ...

                    @router.get("/items")
                    def items(): ...

                    @click.group()
                    def tools(): ...

                    def forgotten(): ...
                    """,
                "app/runtime.py": "celery_app = cli = router = object()\n",
            },
        )
    )
    assert found == {"app/handlers.py::forgotten": Status.UNREFERENCED}


def test_setup_py_entry_points(tmp_path: Path) -> None:
    found = dead(
        run(
            tmp_path,
            {
                "setup.py": "from setuptools import setup\n"
                'setup(entry_points={"console_scripts": ["tool = app.cli:run"]})\n',
                "app/__init__.py": "",
                "app/cli.py": "def run(): ...\ndef unused(): ...\n",
            },
        )
    )
    assert found == {"app/cli.py::unused": Status.UNREFERENCED}


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "deadcode"


def _walk_with_full_successors(graph: Graph, roots: list[int]) -> set[int]:
    """Reachability as the liveness walk defines it (members wait for their class), with
    every node's full successor set: the reference for the walk that expands names once."""
    seen: set[int] = set()
    pending: dict[int, set[int]] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        parent = graph.nodes[node].parent
        if parent >= 0 and parent not in seen:
            pending.setdefault(parent, set()).add(node)
            continue
        seen.add(node)
        stack.extend(graph.successors(node))
        stack.extend(pending.pop(node, ()))
    return seen


@pytest.mark.parametrize("fixture", ["shop", "ledger", "traps"])
def test_expanding_each_attribute_name_once_reaches_what_every_edge_reaches(
    fixture: str,
) -> None:
    tree = FIXTURES / fixture
    paths = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file())
    detection = detect(tree, paths, GuardSettings(), cache=None)
    graph = detection.graph
    some_fanout = False
    for node in range(len(graph.nodes)):
        fanout = Fanout()
        direct = graph.edges(node, fanout)
        some_fanout = some_fanout or bool(fanout.members or fanout.tops)
        expanded = set(direct)
        for name in fanout.members:
            expanded.update(graph.members_by_name[name])
        for name in fanout.tops:
            expanded.update(graph.top_by_name[name])
        assert expanded == graph.successors(node), graph.qualname(graph.nodes[node])
    assert some_fanout  # the fixture exercises attribute names
    test_files = {i for i, facts in enumerate(graph.files) if is_test_file(facts.path)}
    production = [n for n in detection.roots.reasons if graph.nodes[n].file not in test_files]
    walk = _Walk(graph, graph, None)
    walk.reach(production)
    assert walk.seen == _walk_with_full_successors(graph, production)


def _many_modules() -> dict[str, str]:
    files = {f"pkg/mod{n}.py": f"def function{n}():\n    return {n}\n" for n in range(200)}
    return {"pkg/__init__.py": "", **files, **ENTRY}


def test_detection_leaves_its_objects_to_the_oldest_generation(tmp_path: Path) -> None:
    """Re-enabled, the collector must not walk everything detection made in its first young
    collection: those objects are handed to the oldest generation, still collectable."""
    assert gc.get_freeze_count() == 0
    gc.collect()
    detection = run(tmp_path, _many_modules())
    scopes = detection.graph.scopes
    assert any(o is scopes for o in gc.get_objects(generation=2))  # not walked when young
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # nothing is left frozen
    assert "pkg/mod7.py::pkg.mod7" in dead(detection)


def test_detection_leaves_a_frozen_process_frozen(tmp_path: Path) -> None:
    """A service freezes its start-up objects (`app.cli.service`): detection keeps them so."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        run(tmp_path, _many_modules())
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
