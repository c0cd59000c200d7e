"""setup.py is read statically with `ast` (never run), literals only, rewritten span-exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.manifests import is_manifest, rewrite_specifier
from app.manifests.setup_py import parse_setup_py
from app.model import apply_edits

TEXT = """\
# -*- coding: utf-8 -*-
from setuptools import find_packages, setup

setup(
    name="légacy",  # a non-ASCII name moves UTF-8 columns away from characters
    packages=find_packages(),
    python_requires=">=3.6.1",
    install_requires=[
        "requests>=2.20,<3",  # http
        'six==1.16.0',
        "attrs",
        r"click>=7 ; python_version >= '3.7'",
    ],
    extras_require={
        "test": ["pytest==6.2.5", "coverage"],
        "yaml:python_version<'3.8'": ("pyyaml>=5.1",),
    },
    classifiers=["Programming Language :: Python :: 3.6"],
)
"""


def test_install_requires_extras_and_python_requires() -> None:
    parsed = parse_setup_py("setup.py", TEXT)
    assert parsed.errors == []
    found = [(d.name, d.spec_text, d.line, d.group, d.development) for d in parsed.dependencies]
    assert found == [
        ("requests", ">=2.20,<3", 9, None, False),
        ("six", "==1.16.0", 10, None, False),
        ("attrs", "", 11, None, False),
        ("click", ">=7", 12, None, False),
        ("pytest", "==6.2.5", 15, "test", True),
        ("coverage", "", 15, "test", True),
        ("pyyaml", ">=5.1", 16, "yaml", False),
    ]
    assert parsed.dependencies[3].marker == 'python_version >= "3.7"'
    assert parsed.requires_python == ">=3.6.1"
    assert parsed.is_library


@pytest.mark.parametrize(
    ("name", "new", "old_text", "new_text"),
    [
        ("six", "==1.17.0", "'six==1.16.0'", "'six==1.17.0'"),
        ("requests", ">=2.32,<3", '"requests>=2.20,<3",  # http', '"requests>=2.32,<3",  # http'),
        ("click", ">=8.1", 'r"click>=7 ;', 'r"click>=8.1 ;'),
        ("pyyaml", ">=6.0.1", '("pyyaml>=5.1",)', '("pyyaml>=6.0.1",)'),
    ],
)
def test_rewrite_changes_only_the_specifier(
    name: str, new: str, old_text: str, new_text: str
) -> None:
    dependency = next(d for d in parse_setup_py("setup.py", TEXT).dependencies if d.name == name)
    assert apply_edits(TEXT, [rewrite_specifier(dependency, new)]) == TEXT.replace(
        old_text, new_text
    )


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("setup(install_requires=REQUIREMENTS)", 2, "the name 'REQUIREMENTS'"),
        ("setup(\n    extras_require=get_extras(),\n)", 3, "a function call"),
        ("setup(python_requires=PY)", 2, "python_requires is the name 'PY'"),
        ("setup(**metadata)", 2, "setup(**...)"),
        ("setup(install_requires=['a' 'b>=1'])", 2, "several literals"),
        ("setup(install_requires=['flask\\x3e=2'])", 2, "escapes"),
        ("setup(install_requires=['not a requirement!'])", 2, "invalid requirement"),
    ],
)
def test_what_is_not_a_literal_is_an_error_naming_its_line(
    source: str, line: int, words: str
) -> None:
    parsed = parse_setup_py("setup.py", "from setuptools import setup\n" + source + "\n")
    assert parsed.dependencies == []
    [error] = parsed.errors
    assert error.line == line
    assert words in error.message


def test_a_module_level_literal_bound_once_is_read() -> None:
    source = (
        "from setuptools import setup\n"
        "REQUIREMENTS = ['requests>=2.20', 'six']\n"
        "PYTHON: str = '>=3.8'\n"
        "setup(install_requires=REQUIREMENTS, python_requires=PYTHON)\n"
    )
    parsed = parse_setup_py("setup.py", source)
    assert [(d.name, d.line) for d in parsed.dependencies] == [("requests", 2), ("six", 2)]
    assert parsed.requires_python == ">=3.8" and parsed.errors == []
    requests = parsed.dependencies[0]
    assert apply_edits(source, [rewrite_specifier(requests, ">=2.32")]) == source.replace(
        "'requests>=2.20'", "'requests>=2.32'"
    )


@pytest.mark.parametrize(
    "change",
    [
        "REQUIREMENTS.append('flask')",
        "REQUIREMENTS += ['flask']",
        "REQUIREMENTS = ['flask']",
        "from extra import REQUIREMENTS",
        "print(REQUIREMENTS)",
        "def f():\n    global REQUIREMENTS\n    REQUIREMENTS = []",
    ],
)
def test_a_name_changed_or_used_elsewhere_is_not_guessed(change: str) -> None:
    source = (
        "from setuptools import setup\nREQUIREMENTS = ['requests']\n"
        f"{change}\nsetup(install_requires=REQUIREMENTS)\n"
    )
    parsed = parse_setup_py("setup.py", source)
    assert parsed.dependencies == []
    [error] = parsed.errors
    assert "the name 'REQUIREMENTS', not bound once to a literal" in error.message


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = f"open({str(marker)!r}, 'w').close()\nfrom setuptools import setup\nsetup()\n"
    parse_setup_py("setup.py", source)
    assert not marker.exists()


def test_syntax_errors_and_classifier_floors() -> None:
    broken = parse_setup_py("setup.py", "setup(install_requires=[\n")
    assert broken.errors and broken.errors[0].line is not None
    classified = parse_setup_py(
        "setup.py",
        "setup(classifiers=['Programming Language :: Python :: 3.9',"
        " 'Programming Language :: Python :: 2.7'])\n",
    )
    assert classified.requires_python == ">=2.7"


def test_setup_py_is_a_manifest() -> None:
    assert is_manifest("setup.py") and is_manifest("sub/pkg/setup.py")
    assert not is_manifest("setup_helpers.py")
