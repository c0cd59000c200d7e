"""Imports go where a human would put them (issue #10, item 20)."""

from __future__ import annotations

from codemods.cgi_escape import CgiEscape
from codemods.collections_abc import CollectionsAbc
from codemods.imp_reload import ImpReload
from codemods.pipes_quote import PipesQuote
from codemods.pkg_resources_version import PkgResourcesVersion
from codemods.typing_builtins import TypingBuiltins
from tests.codemods.support import check


def test_a_stdlib_import_joins_the_stdlib_group_not_the_first_party_one() -> None:
    check(
        PipesQuote,
        '''\
        """Doc."""
        import os
        import pipes

        import requests

        from pkg import util


        def f(x):
            return pipes.quote(x)
        ''',
        '''\
        """Doc."""
        import os
        import shlex

        import requests

        from pkg import util


        def f(x):
            return shlex.quote(x)
        ''',
    )


def test_a_split_off_from_import_goes_next_to_where_it_came_from() -> None:
    check(
        CollectionsAbc,
        """\
        from collections import Mapping, OrderedDict

        import requests

        from . import util

        x: Mapping = OrderedDict()
        """,
        """\
        from collections import OrderedDict
        from collections.abc import Mapping

        import requests

        from . import util

        x: Mapping = OrderedDict()
        """,
    )


def test_a_new_stdlib_group_goes_before_third_party_imports() -> None:
    check(
        PkgResourcesVersion,
        """\
        from __future__ import annotations

        import pkg_resources
        import requests

        V = pkg_resources.get_distribution("x").version
        """,
        """\
        from __future__ import annotations

        import importlib.metadata

        import requests

        V = importlib.metadata.version("x")
        """,
    )
    check(
        PkgResourcesVersion,
        """\
        \"\"\"Doc.\"\"\"

        from pkg_resources import get_distribution

        from pkg import util

        V = get_distribution("pkg").version
        """,
        """\
        \"\"\"Doc.\"\"\"

        import importlib.metadata

        from pkg import util

        V = importlib.metadata.version("pkg")
        """,
    )


def test_a_file_that_imports_inside_functions_gets_a_local_import() -> None:
    check(
        ImpReload,
        """\
        \"\"\"Doc.\"\"\"
        import os


        def refresh(module):
            import imp
            return imp.reload(module)
        """,
        """\
        \"\"\"Doc.\"\"\"
        import os


        def refresh(module):
            import importlib
            return importlib.reload(module)
        """,
    )


def test_an_import_in_a_mixed_group_is_sorted_among_its_section() -> None:
    check(
        CgiEscape,
        "import cgi\nimport requests\nimport zlib\n\nsafe = cgi.escape(t)\nc = cgi.FieldStorage\n",
        "import cgi\nimport html\nimport requests\nimport zlib\n\n"
        "safe = html.escape(t, quote=False)\nc = cgi.FieldStorage\n",
    )


def test_removing_the_only_import_leaves_no_blank_lines_at_the_top() -> None:
    check(
        TypingBuiltins,
        """\
        from typing import List


        def f(x: List[int]) -> None:
            pass
        """,
        """\
        def f(x: List[int]) -> None:
            pass
        """.replace("List", "list"),
    )
    check(
        TypingBuiltins,
        """\
        # Copyright header
        from typing import List

        X: List[int] = []
        """,
        """\
        # Copyright header
        X: list[int] = []
        """,
    )
