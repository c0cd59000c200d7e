"""What the ast extractor records for one file."""

from __future__ import annotations

from textwrap import dedent

from app.deadcode.extract import extract
from app.deadcode.facts import FileFacts, Flag
from app.import_resolution import package_of, resolve_from


def facts(source: str, module: str = "pkg.mod", is_package: bool = False) -> FileFacts:
    return extract("pkg/mod.py", module, is_package, dedent(source).encode())


def test_definitions_with_kinds_lines_and_parents() -> None:
    found = facts(
        """\
        X = 1
        a, b = 1, 2

        @decorator
        def function():
            pass

        class Klass(Base, metaclass=Meta):
            attr: int = 0

            def method(self):
                return helper()
        """
    )
    summary = [
        (d.name, d.kind, d.first_line, d.line, d.end_line, d.parent) for d in found.definitions
    ]
    assert summary == [
        ("X", "constant", 1, 1, 1, ""),
        ("a", "constant", 2, 2, 2, ""),
        ("b", "constant", 2, 2, 2, ""),
        ("function", "function", 4, 5, 6, ""),
        ("Klass", "class", 8, 8, 12, ""),
        ("attr", "attribute", 9, 9, 9, "Klass"),
        ("method", "method", 11, 11, 12, "Klass"),
    ]
    by_name = {d.name: d for d in found.definitions}
    assert by_name["X"].flags & Flag.REMOVABLE
    assert not by_name["a"].flags & Flag.REMOVABLE  # unpacking: reported, never removed
    assert by_name["function"].decorators == ("decorator",)
    assert by_name["Klass"].bases == ("Base",)
    assert "helper" in by_name["method"].refs.names
    assert {"a", "b"} <= set(found.body.names)  # unpacked names stay referenced by the module


def test_references_names_attributes_and_module_chains() -> None:
    found = facts(
        """\
        import os.path

        def f(x):
            return os.path.join(x.value, other.attribute)
        """
    )
    refs = found.definitions[0].refs
    assert {"os", "other", "x"} <= set(refs.names)
    assert {"path", "join", "value", "attribute"} <= set(refs.attrs)
    assert "os.path.join" in refs.chains


def test_relative_imports_resolve_against_the_module() -> None:
    found = facts(
        """\
        from . import sibling
        from .sub import thing as alias
        from ..top import other
        import json
        """,
        module="pkg.inner.mod",
    )
    imports = [(i.binding, i.module, i.name) for i in found.imports]
    assert imports == [
        ("sibling", "pkg.inner", "sibling"),
        ("alias", "pkg.inner.sub", "thing"),
        ("other", "pkg.top", "other"),
        ("json", "json", ""),
    ]
    assert resolve_from(package_of("pkg", True), 1, "sub") == "pkg.sub"  # in pkg/__init__.py


def test_imports_inside_functions_belong_to_them() -> None:
    found = facts(
        """\
        def lazy():
            from pkg import heavy
            return heavy
        """
    )
    assert [(i.binding, i.owner) for i in found.imports] == [("heavy", 0)]


def test_all_strings_prefixes_and_string_annotations() -> None:
    found = facts(
        """\
        __all__ = ["exported"]
        __all__ += ["more"]

        def dispatch(self, kind: "list[Receipt]") -> None:
            getattr(self, "visit_" + kind)
            importlib.import_module("pkg.plugins.loaded")
            handler = f"on_{kind}"
            return "just some words"
        """
    )
    assert found.dunder_all == ("exported", "more")
    assert "pkg.plugins.loaded" in found.strings
    assert "just some words" not in found.strings
    assert {"visit_", "on_"} <= set(found.prefixes)
    assert "Receipt" in found.definitions[0].refs.names


def test_type_checking_main_guard_and_side_effects() -> None:
    found = facts(
        """\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from pkg.models import Model

        print("loaded")

        if __name__ == "__main__":
            main()
        """
    )
    model = next(i for i in found.imports if i.binding == "Model")
    assert model.flags & Flag.TYPE_CHECKING
    assert found.main_guard and found.side_effects
    assert "main" in found.body.names


def test_docstring_only_module_has_no_side_effects() -> None:
    found = facts('"""Docs."""\nimport os\nVALUE = 1\n')
    assert not found.side_effects


def test_line_count_ignores_the_final_newline() -> None:
    from app.deadcode.extract import line_count

    assert [line_count(b""), line_count(b"a\n"), line_count(b"a\nb"), line_count(b"a\n\n")] == [
        0,
        1,
        2,
        2,
    ]
