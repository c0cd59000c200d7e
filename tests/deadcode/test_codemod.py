"""The libcst removal codemod: before/after, and refusal when the result would not compile."""

from __future__ import annotations

from textwrap import dedent

import pytest

from app.deadcode.codemod import RemovalFailed, Target, remove
from app.deadcode.cstremove import remove_with_libcst
from app.deadcode.lines import remove_lines


def check(before: str, targets: list[Target], after: str, unused: set[str] | None = None) -> None:
    result = remove(dedent(before), "mod.py", targets, unused or set())
    assert result == dedent(after)


def test_removes_functions_with_decorators_and_comments_kept_elsewhere() -> None:
    check(
        """\
        import os  # used below

        # The dead one.
        @cache
        def dead():
            return 1


        def alive():  # stays
            return os.sep
        """,
        [Target("dead", "", 5)],
        """\
        import os  # used below


        def alive():  # stays
            return os.sep
        """,
    )


def test_removes_imports_only_the_removed_code_used() -> None:
    check(
        """\
        from __future__ import annotations

        import json, os
        from typing import (
            Any,
            Iterable,
        )

        def dead(data: Any) -> str:
            return json.dumps(data)

        def alive(items: Iterable[str]) -> str:
            return os.sep.join(items)
        """,
        [Target("dead", "", 9)],
        """\
        from __future__ import annotations

        import os
        from typing import Iterable

        def alive(items: Iterable[str]) -> str:
            return os.sep.join(items)
        """,
        unused={"json", "Any", "os", "Iterable"},
    )


def test_keeps_imports_other_modules_re_export() -> None:
    check(
        """\
        import json

        def dead():
            return json.dumps(1)
        """,
        [Target("dead", "", 3)],
        """\
        import json
        """,
        unused=set(),  # the index says another module imports `json` from here
    )


def test_keeps_imports_named_in_strings_and_annotations() -> None:
    check(
        """\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from models import Model

        def dead(m: Model):
            return m

        def alive(m: "Model"):
            return m
        """,
        [Target("dead", "", 5)],
        """\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from models import Model

        def alive(m: "Model"):
            return m
        """,
        unused={"Model"},
    )


def test_emptied_bodies_get_pass() -> None:
    check(
        """\
        import sys

        if sys.version_info >= (3, 11):
            def dead():
                return 1
        else:
            def dead():
                return 2

        class Holder:
            def only(self):
                return 1
        """,
        [Target("dead", "", 4), Target("dead", "", 7), Target("only", "Holder", 11)],
        """\
        import sys

        if sys.version_info >= (3, 11):
            pass
        else:
            pass

        class Holder:
            pass
        """,
    )


def test_removes_members_constants_and_one_of_several_statements() -> None:
    check(
        """\
        LIMIT = 1; KEPT = 2
        ANNOTATED: int = 3

        class Widget:
            size = 1
            color: str = "red"

            def method(self):
                return self.color
        """,
        [Target("LIMIT", "", 1), Target("ANNOTATED", "", 2), Target("size", "Widget", 5)],
        """\
        KEPT = 2

        class Widget:
            color: str = "red"

            def method(self):
                return self.color
        """,
    )


def test_removes_named_re_exports() -> None:
    check(
        """\
        from .legacy import old, kept
        from .gone import thing
        """,
        [Target("old", "", 1), Target("thing", "", 2)],
        """\
        from .legacy import kept
        """,
    )


def test_only_the_definition_at_the_given_line_goes() -> None:
    check(
        """\
        def twin():
            return 1

        class Box:
            def twin(self):
                return 2
        """,
        [Target("twin", "Box", 5)],
        """\
        def twin():
            return 1

        class Box:
            pass
        """,
    )


def test_a_result_that_does_not_compile_is_refused() -> None:
    source = "def dead():\n    return 1\n\ndef strange():\n    nonlocal missing\n"
    with pytest.raises(RemovalFailed, match="does not compile"):
        remove(source, "mod.py", [Target("dead", "", 1)])


def test_a_target_that_is_not_there_is_refused() -> None:
    with pytest.raises(RemovalFailed, match="not found"):
        remove("def other():\n    pass\n", "mod.py", [Target("dead", "", 1)])


def test_a_parenthesized_import_keeps_its_layout() -> None:
    check(
        """\
        from models import (
            Kept,
            Other,
            Gone,
        )

        def dead():
            return Gone

        def alive():
            return Kept, Other
        """,
        [Target("dead", "", 7)],
        """\
        from models import (
            Kept,
            Other,
        )

        def alive():
            return Kept, Other
        """,
        unused={"Gone"},
    )


def test_the_blank_lines_before_a_removed_statement_stay() -> None:
    check(
        """\
        import os

        UNUSED = "0" * 40
        FIELD = os.sep


        def dead():
            pass
        def squeezed():
            pass
        """,
        [Target("UNUSED", "", 3), Target("dead", "", 7)],
        """\
        import os

        FIELD = os.sep


        def squeezed():
            pass
        """,
    )


def test_a_statement_that_becomes_first_loses_its_blank_lines() -> None:
    check(
        """\
        LIMIT = 10


        def kept():
            pass


        class Widget:
            size = 3

            def method(self):
                pass
        """,
        [Target("LIMIT", "", 1), Target("size", "Widget", 9)],
        """\
        def kept():
            pass


        class Widget:
            def method(self):
                pass
        """,
    )


def test_a_removal_that_leaves_a_dangling_name_is_refused() -> None:
    source = "def helper():\n    return 1\n\n\ndef caller():\n    return helper()\n"
    with pytest.raises(RemovalFailed, match="would still use the removed `helper`"):
        remove(source, "mod.py", [Target("helper", "", 1)])


def test_prose_in_strings_does_not_keep_an_import() -> None:
    check(
        """\
        import json

        MEDIA = "application/json"

        def dead(text):
            return json.loads(text)
        """,
        [Target("dead", "", 5)],
        """\
        MEDIA = "application/json"
        """,
        unused={"json"},
    )


LINE_CASES = {
    "between definitions, with a comment above": (
        "import os\n\n\n# dead\ndef dead():\n    return os\n\n\ndef alive():\n    pass\n",
        [Target("dead", "", 5)],
        {"os"},
    ),
    "last in the file": (
        "def alive():\n    pass\n\n\ndef dead():\n    pass\n",
        [Target("dead", "", 5)],
        set(),
    ),
    "first and last members of a class": (
        "class A:\n    x = 1\n\n    def mid(self):\n        pass\n\n"
        "    def end(self):\n        pass\n\n\nb = A()\n",
        [Target("x", "A", 2), Target("end", "A", 7)],
        set(),
    ),
    "a function nested in a function": (
        "def outer():\n    def inner():\n        pass\n\n    return 1\n",
        [Target("inner", "", 2)],
        set(),
    ),
}


@pytest.mark.parametrize("case", sorted(LINE_CASES))
def test_line_ranges_cut_what_libcst_would(case: str) -> None:
    """The `ast` line-range fast path takes these, and gives libcst's text byte for byte."""
    source, targets, unused = LINE_CASES[case]
    fast = remove_lines(source, [(t.name, t.line) for t in targets], unused)
    assert fast is not None
    assert fast[0] == remove_with_libcst(source, "mod.py", targets, unused)[0]


@pytest.mark.parametrize(
    ("source", "targets"),
    [
        ("a = 1; b = 2\n", [Target("a", "", 1)]),  # two statements on a line
        ("from m import a, b\nprint(b)\n", [Target("a", "", 1)]),  # part of an import
        ("class A:\n    def only(self):\n        pass\n", [Target("only", "A", 2)]),  # empty
    ],
)
def test_line_ranges_leave_fiddly_cases_to_libcst(source: str, targets: list[Target]) -> None:
    assert remove_lines(source, [(t.name, t.line) for t in targets], set()) is None
    assert compile(remove(source, "mod.py", targets), "mod.py", "exec")
