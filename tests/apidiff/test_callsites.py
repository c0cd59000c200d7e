"""Call sites by qualified name, never by spelling."""

from __future__ import annotations

from app.apidiff.callsites import Reference, references_in

SOURCE = """\
import jinja2 as j
from jinja2.utils import escape as esc


def escape(text):  # a local function of the same name is not jinja2's
    return text


def page(name, ctx):
    env = j.Environment(autoescape=True)
    env.compile_templates("out", py_compile=True)
    other = make()
    other.compile_templates("out", py_compile=True)
    return j.Markup(esc(escape(name)))
"""


def test_references_follow_imports_aliases_and_instances() -> None:
    found = references_in("views.py", SOURCE, ["jinja2"])
    by_symbol: dict[str, list[Reference]] = {}
    for reference in found:
        by_symbol.setdefault(reference.symbol, []).append(reference)
    assert [r.line for r in by_symbol["jinja2.utils.escape"]] == [2, 14]
    assert [r.line for r in by_symbol["jinja2.Markup"]] == [14]
    environment = by_symbol["jinja2.Environment"][0]
    assert (environment.called, environment.keywords) == (True, ("autoescape",))
    [compile_call] = by_symbol["jinja2.Environment.compile_templates"]
    assert (compile_call.line, compile_call.keywords, compile_call.positional) == (
        11,
        ("py_compile",),
        1,
    )
    # ``escape`` (the local function) and ``other`` (not a jinja2 object) are not references.
    assert all(r.line != 13 for r in found)
    assert sum(1 for r in found if r.line == 14) == 2


def test_files_that_do_not_import_the_package_have_no_references() -> None:
    assert references_in("x.py", "def Markup():\n    pass\nMarkup()\n", ["jinja2"]) == []
    assert references_in("bad.py", "def broken(:\n", ["jinja2"]) == []
