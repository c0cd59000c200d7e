from codemods.ast_constant import AstConstant
from codemods.asyncio_running_loop import AsyncioRunningLoop
from codemods.cgi_escape import CgiEscape
from codemods.datetime_utcfromtimestamp import DatetimeUtcfromtimestamp
from codemods.datetime_utcnow import DatetimeUtcnow
from codemods.datetime_utcnow_reference import DatetimeUtcnowReference
from codemods.inspect_getargspec import InspectGetargspec
from codemods.json_encoding import JsonEncoding
from codemods.pkg_resources_version import PkgResourcesVersion
from tests.codemods.support import check, run, unchanged


def test_utcnow_keeps_naive_semantics_with_module_import():
    check(
        DatetimeUtcnow,
        "import datetime\nnow = datetime.datetime.utcnow()\n",
        "import datetime\n"
        "now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)\n",
    )


def test_utcnow_with_class_import_adds_timezone():
    check(
        DatetimeUtcnow,
        "from datetime import datetime\nnow = datetime.utcnow()\n",
        "from datetime import datetime, timezone\n"
        "now = datetime.now(timezone.utc).replace(tzinfo=None)\n",
    )


def test_utcnow_left_alone_when_timezone_name_is_taken():
    # django.utils.timezone is bound to "timezone": adding datetime.timezone would clobber it.
    unchanged(
        DatetimeUtcnow,
        """\
        from datetime import datetime
        from django.utils import timezone
        now = datetime.utcnow()
        """,
    )


def test_utcnow_negatives():
    unchanged(
        DatetimeUtcnow,
        """\
        import datetime
        default = datetime.datetime.utcnow
        arrow.utcnow()
        "datetime.utcnow()"

        class Clock:
            def utcnow(self): ...
        Clock().utcnow()
        """,
    )


def test_utcfromtimestamp():
    check(
        DatetimeUtcfromtimestamp,
        "import datetime as dt\nwhen = dt.datetime.utcfromtimestamp(stamp)\n",
        "import datetime as dt\n"
        "when = dt.datetime.fromtimestamp(stamp, dt.timezone.utc).replace(tzinfo=None)\n",
    )
    unchanged(
        DatetimeUtcfromtimestamp, "from pendulum import datetime\ndatetime.utcfromtimestamp(1)\n"
    )


def test_get_event_loop_only_inside_coroutines():
    check(
        AsyncioRunningLoop,
        """\
        import asyncio

        def sync():
            return asyncio.get_event_loop()

        async def main():
            loop = asyncio.get_event_loop()

            def inner():
                return asyncio.get_event_loop()

            return loop
        """,
        """\
        import asyncio

        def sync():
            return asyncio.get_event_loop()

        async def main():
            loop = asyncio.get_running_loop()

            def inner():
                return asyncio.get_event_loop()

            return loop
        """,
    )
    unchanged(
        AsyncioRunningLoop,
        "from trio_compat import get_event_loop\nasync def f():\n    return get_event_loop()\n",
    )


def test_pkg_resources_version():
    check(
        PkgResourcesVersion,
        "import pkg_resources\nv = pkg_resources.get_distribution('pkg').version\n",
        "import importlib.metadata\n\nv = importlib.metadata.version('pkg')\n",
    )
    unchanged(
        PkgResourcesVersion,
        "import pkg_resources\nd = pkg_resources.get_distribution('pkg')\nd.location\n",
    )


def test_getargspec_is_report_only():
    source = "import inspect\nspec = inspect.getargspec(f)\n# inspect.getargspec(g)\n"
    new, hits = run(InspectGetargspec, source)
    assert new == source
    assert [(h.rule_id, h.line) for h in hits] == [("MB116", 2)]


def test_cgi_escape_exact_form_only():
    check(
        CgiEscape,
        "import cgi\nsafe = cgi.escape(text)\nkept = cgi.escape(text, True)\n",
        "import cgi\nimport html\n"
        "safe = html.escape(text, quote=False)\nkept = cgi.escape(text, True)\n",
    )
    unchanged(CgiEscape, "import html\nhtml.escape(text)\n")


def test_ast_constant():
    check(
        AstConstant,
        "import ast\nnode = ast.Num(n=1)\ns = ast.Str('x')\n",
        "import ast\nnode = ast.Constant(value=1)\ns = ast.Constant('x')\n",
    )
    unchanged(AstConstant, "import ast\nisinstance(node, ast.Num)\nclass Num: ...\nNum(1)\n")


def test_json_loads_encoding():
    check(
        JsonEncoding,
        "import json\ndata = json.loads(raw, encoding='utf-8')\n",
        "import json\ndata = json.loads(raw)\n",
    )
    unchanged(JsonEncoding, "import simplejson\nsimplejson.loads(raw, encoding='utf-8')\n")


def test_utcnow_passed_as_a_callable_is_reported():
    source = (
        "import datetime\n"
        "from datetime import datetime as dt\n"
        "created = Column(default=datetime.datetime.utcnow)\n"
        "made = Field(default_factory=dt.utcnow)\n"
        "now = dt.utcnow()\n"
        "other = clock.utcnow\n"
    )
    new, hits = run(DatetimeUtcnowReference, source)
    assert new == source
    assert [(h.rule_id, h.line, h.before) for h in hits] == [
        ("MB126", 3, "datetime.datetime.utcnow"),
        ("MB126", 4, "dt.utcnow"),
    ]
