"""Finding and reading a test's file inside a checkout (the I/O edge of the cause analysis).

A JUnit file is untrusted: the file it names, or the module its ``classname`` spells, is looked
up only inside the checkout, and read only when it is a regular file of bounded size.
"""

from __future__ import annotations

from pathlib import Path

MAX_SOURCE_BYTES = 1_000_000
DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini")


def locate_test_file(root: Path, test_id: str, file: str | None) -> str | None:
    """The test's file relative to ``root``: as the JUnit file names it, else from its module."""
    candidates = [file] if file else []
    classname = test_id.rpartition("::")[0]
    parts = [p for p in classname.split(".") if p]
    candidates += ["/".join(parts[:k]) + ".py" for k in range(len(parts), 0, -1)]
    top = root.resolve()
    for candidate in candidates:
        if not candidate or "\0" in candidate:
            continue
        path = (top / candidate).resolve()
        if path.is_relative_to(top) and path.is_file():
            return path.relative_to(top).as_posix()
    return None


def read_source(root: Path, relative: str) -> str | None:
    """The file's text, or None when it is outside ``root``, too large or not UTF-8."""
    top = root.resolve()
    path = (top / relative).resolve()
    if not path.is_relative_to(top):
        return None
    try:
        if not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def uses_rerunfailures(root: Path) -> bool:
    """pytest-rerunfailures named among the project's dependencies (so its marker works)."""
    candidates = [root / name for name in DEPENDENCY_FILES]
    candidates += sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt"))
    for candidate in candidates:
        try:
            if not candidate.is_file() or candidate.stat().st_size > MAX_SOURCE_BYTES:
                continue
            text = candidate.read_text("utf-8", "replace").lower().replace("_", "-")
        except OSError:
            continue
        if "pytest-rerunfailures" in text:
            return True
    return False
