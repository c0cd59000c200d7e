"""Path globs over repository-relative POSIX paths, with ``**`` for any number of folders.

``*`` and ``?`` stay within one path segment; ``**/`` matches zero or more folders, so
``**/tests/**`` matches ``tests/requirements.txt`` and ``src/pkg/tests/data/req.txt``, and a
pattern without a slash (``requirements*.txt``) matches a file's base name in any folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache


@cache
def compile_glob(pattern: str) -> re.Pattern[str]:
    if "/" not in pattern:
        pattern = "**/" + pattern
    return re.compile(_translate(pattern) + r"\Z")


@cache
def _compile_any(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two alternations for several globs: one for those that match a base name (tried on
    the base name alone), one for whole paths. Manifest discovery asks about every file of a
    repository; one regex run per path beats one per glob, each climbing every folder."""
    names = [p for p in patterns if "/" not in p and "**" not in p]
    paths = [p if "/" in p else "**/" + p for p in patterns if p not in names]
    return _alternation(names), _alternation(paths)


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{_translate(p)})\\Z" for p in patterns))


def _translate(pattern: str) -> str:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:[^/]+/)*")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        elif pattern[index] == "[":
            end = pattern.find("]", index + 1)
            if end == -1:
                parts.append(re.escape("["))
                index += 1
            else:
                body = pattern[index + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                parts.append(f"[{body}]")
                index = end + 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return "".join(parts)


def matches(path: str, pattern: str) -> bool:
    return compile_glob(pattern).match(path) is not None


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    names, paths = _compile_any(tuple(patterns))
    return bool(names.match(path.rpartition("/")[2]) or paths.match(path))
