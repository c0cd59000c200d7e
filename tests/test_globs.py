"""`matches_any` (two alternations, base names tried alone) says what one `matches` per glob
says, for the glob shapes manifests and `.maintainer.yml` paths use."""

from __future__ import annotations

import pytest

from app.globs import matches, matches_any

PATTERN_SETS = [
    ("*requirements*.txt", "*Requirements*.txt", "**/requirements/*.txt", "*.in"),
    ("MANIFEST.in", "manifest.in"),
    ("pyproject.toml",),
    ("**/tests/**", "docs/*", "vendor/**/x?.py", "[!a]*.cfg", "**.txt"),
    (),
]
PATHS = [
    "requirements.txt",
    "a/b/requirements-dev.txt",
    "requirements/base.txt",
    "x/requirements/base.txt",
    "MANIFEST.in",
    "a/MANIFEST.in",
    "setup.in",
    "pyproject.toml",
    "a/pyproject.toml",
    "a/pyproject.toml.bak",
    "tests/x.py",
    "src/tests/a/b.py",
    "docs/a.md",
    "docs/a/b.md",
    "vendor/q/xy.py",
    "vendor/xy.py",
    "b.cfg",
    "a.cfg",
    "d/a.cfg",
    "d/b.cfg",
    "a/b/c.txt",
    "q.py",
]


@pytest.mark.parametrize("patterns", PATTERN_SETS)
def test_matches_any_agrees_with_each_glob(patterns: tuple[str, ...]) -> None:
    for path in PATHS:
        assert matches_any(path, patterns) == any(matches(path, p) for p in patterns), path


def test_base_name_globs_match_in_any_folder_only_on_the_whole_name() -> None:
    assert matches_any("deep/down/requirements-dev.txt", ["*requirements*.txt"])
    assert not matches_any("requirements.txt/inner.py", ["*requirements*.txt"])
    assert not matches_any("src/setup.cfg", ["[!s]*.cfg"])
