"""Compatibility guards: fallback arms are left alone; obsolete guards are removed as MB127."""

from __future__ import annotations

from textwrap import dedent

import pytest

from codemods.collections_abc import CollectionsAbc
from codemods.compat_guards import ObsoleteCompatGuard
from codemods.imp_reload import ImpReload
from codemods.info import ProjectFacts
from codemods.inspect_getargspec import InspectGetargspec
from codemods.registry import RULES
from tests.codemods.support import check, run, unchanged

GUARDED_ABC = """\
try:
    from collections.abc import Sequence
except ImportError:
    from collections import Sequence
"""


def on(python: str) -> ProjectFacts:
    return ProjectFacts(python=python)


def test_the_fallback_arm_of_an_import_guard_is_not_rewritten() -> None:
    unchanged(CollectionsAbc, GUARDED_ABC)


@pytest.mark.parametrize(
    "source",
    [
        """\
        import inspect
        if hasattr(inspect, "getfullargspec"):
            spec = inspect.getfullargspec(f)
        else:
            spec = inspect.getargspec(f)
        """,
        """\
        import inspect, sys
        if sys.version_info[0] == 2:
            spec = inspect.getargspec(f)
        """,
        """\
        import inspect, six
        if not six.PY3:
            spec = inspect.getargspec(f)
        """,
        """\
        import inspect
        from six import PY2
        if PY2:
            spec = inspect.getargspec(f)
        """,
        """\
        import inspect
        try:
            spec = inspect.getfullargspec(f)
        except AttributeError:
            spec = inspect.getargspec(f)
        """,
    ],
)
def test_uses_inside_guards_are_not_reported(source: str) -> None:
    _, hits = run(InspectGetargspec, dedent(source))
    assert hits == []


def test_unguarded_uses_and_lookalike_tests_still_count() -> None:
    source = """\
    import inspect
    hasattr = lambda *a: True
    if hasattr(inspect, "getfullargspec"):
        spec = inspect.getargspec(f)
    try:
        spec = inspect.getargspec(f)
    except (TypeError, ValueError):
        spec = None
    """
    _, hits = run(InspectGetargspec, dedent(source))
    assert [h.line for h in hits] == [4, 6]


def test_every_rule_is_kept_out_of_guards_by_the_engine() -> None:
    source = """\
    import sys
    if sys.version_info < (3, 4):
        import imp
        imp.reload(m)
    """
    unchanged(ImpReload, source)
    assert [r for r in RULES if r.sees_guards] == [ObsoleteCompatGuard]


def test_obsolete_import_guard_is_removed_when_the_floor_has_the_new_module() -> None:
    check(
        ObsoleteCompatGuard,
        "import os\n\n# Python 2\n" + GUARDED_ABC + "\nx = Sequence\n",
        "import os\n\n# Python 2\nfrom collections.abc import Sequence\n\nx = Sequence\n",
        on("3.8"),
    )


def test_guards_needed_by_the_floor_or_with_unknown_floor_stay() -> None:
    unchanged(ObsoleteCompatGuard, GUARDED_ABC, ProjectFacts())
    guard = """\
    try:
        from importlib.metadata import version
    except ImportError:
        from importlib_metadata import version
    """
    unchanged(ObsoleteCompatGuard, guard, on("3.7"))
    check(ObsoleteCompatGuard, guard, "from importlib.metadata import version\n", on("3.8"))


def test_a_fallback_that_defines_more_names_keeps_its_guard() -> None:
    unchanged(
        ObsoleteCompatGuard,
        """\
        try:
            from collections.abc import Sequence
        except ImportError:
            from collections import Sequence
            HAS_ABC = False
        """,
        on("3.11"),
    )
    unchanged(  # an unknown module: its import may fail on some supported Python
        ObsoleteCompatGuard,
        "try:\n    import simplejson as json\nexcept ImportError:\n    import json\n",
        on("3.11"),
    )


def test_version_and_six_tests_keep_the_arm_every_supported_python_runs() -> None:
    check(
        ObsoleteCompatGuard,
        """\
        import sys

        def f():
            if sys.version_info >= (3, 8):
                from importlib import metadata
            else:
                import importlib_metadata as metadata
            return metadata
        """,
        """\
        import sys

        def f():
            from importlib import metadata
            return metadata
        """,
        on("3.8"),
    )
    check(
        ObsoleteCompatGuard,
        "import six\nif six.PY2:\n    text = unicode\nelse:\n    text = str\n",
        "import six\ntext = str\n",
        on("3.8"),
    )
    check(
        ObsoleteCompatGuard,
        "import sys\nif sys.version_info[:2] < (3, 3):\n    a = 1\nelif x:\n    a = 2\n",
        "import sys\nif x:\n    a = 2\n",
        on("3.8"),
    )


def test_tests_that_differ_between_supported_pythons_stay() -> None:
    source = "import sys\nif sys.version_info >= (3, 12):\n    a = 1\nelse:\n    a = 2\n"
    unchanged(ObsoleteCompatGuard, source, on("3.8"))
    check(ObsoleteCompatGuard, source, "import sys\na = 1\n", on("3.12"))


def test_the_prefilter_keeps_only_files_with_a_guard_the_floor_makes_obsolete() -> None:
    from codemods.prefilter import by_ast
    from codemods.text_filters import wants

    def kept(source: str, python: str | None) -> bool:
        facts = ProjectFacts(python=python)
        if not wants(ObsoleteCompatGuard.info, dedent(source).encode(), facts):
            return False
        rule = ObsoleteCompatGuard.info
        return by_ast(dedent(source), [rule], facts) == [rule]

    assert kept(GUARDED_ABC, "3.8")
    assert not kept(GUARDED_ABC, None)  # no known floor: nothing is obsolete
    optional = "try:\n    import yaml\nexcept ImportError:\n    yaml = None\n"
    assert not kept(optional, "3.8")
    version = "import sys\nif sys.version_info >= (3, 12):\n    a = 1\n"
    assert not kept(version, "3.8") and kept(version, "3.12")
    assert not kept("if hasattr(obj, 'name'):\n    pass\n", "3.12")
    assert kept("import inspect\nif hasattr(inspect, 'signature'):\n    pass\n", "3.8")
