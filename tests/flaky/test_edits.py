"""The quarantine marker written with libcst: every other byte stays."""

from __future__ import annotations

import pytest

from app.flaky.edits import EditError, quarantine

SOURCE = '''"""Docs."""

from __future__ import annotations

import random


class TestPick:
    def test_pick(self):
        assert random.random() < 0.5


def test_pick():
    assert random.random() < 0.5
'''


def test_the_marker_goes_above_the_test_of_the_right_class_and_pytest_is_imported() -> None:
    edited = quarantine(
        SOURCE, "tests.test_x.TestPick::test_pick", "@pytest.mark.flaky(reruns=2)", "t.py"
    )
    assert edited == SOURCE.replace("import random\n", "import pytest\nimport random\n").replace(
        "    def test_pick(self):", "    @pytest.mark.flaky(reruns=2)\n    def test_pick(self):"
    )


def test_a_module_level_test_and_an_existing_pytest_import() -> None:
    source = "import pytest\n\n\ndef test_pick():\n    assert True\n"
    edited = quarantine(
        source, "tests.test_x::test_pick", "@pytest.mark.xfail(strict=False)", "t.py"
    )
    assert edited == source.replace(
        "def test_pick", "@pytest.mark.xfail(strict=False)\ndef test_pick"
    )


def test_an_already_marked_or_missing_test_is_an_error() -> None:
    marked = quarantine(SOURCE, "m::test_pick", "@pytest.mark.flaky(reruns=2)", "t.py")
    with pytest.raises(EditError, match="already marked"):
        quarantine(marked, "m::test_pick", "@pytest.mark.flaky(reruns=2)", "t.py")
    with pytest.raises(EditError, match="no function"):
        quarantine(SOURCE, "m::test_gone", "@pytest.mark.flaky(reruns=2)", "t.py")
    with pytest.raises(EditError, match="does not parse"):
        quarantine("def (:\n", "m::test_pick", "@pytest.mark.flaky(reruns=2)", "t.py")
