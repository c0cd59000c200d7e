"""The bounded wait loops a repository already has (for the fix of a fixed-sleep wait).

A helper qualifies when its code says what it is: a module-level function named ``wait…``,
``poll…``, ``until…`` or ``eventually…``, whose first parameter is the condition it calls, with
a timeout parameter, a ``while`` loop, a sleep and a clock read (so the loop is bounded). Only
the repository's tracked Python files are read (a bounded number, each of bounded size, with a
cheap text check before parsing); nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from app.flaky.fixes import WaitHelper
from app.flaky.sources import read_source

MAX_FILES = 5_000
_NAME = re.compile(r"^_?(wait|poll|until|eventually)", re.IGNORECASE)
_TIMEOUTS = ("timeout", "timeout_seconds", "seconds", "within")
_CLOCKS = {"monotonic", "time", "perf_counter"}


def wait_helper_in(tree: ast.Module) -> tuple[str, str, int] | None:
    """The first qualifying helper of a module: its name, timeout parameter and line."""
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not _NAME.match(node.name):
            continue
        parameters = [*node.args.posonlyargs, *node.args.args]
        if not parameters:
            continue
        condition = parameters[0].arg
        names = {a.arg for a in [*parameters, *node.args.kwonlyargs]}
        timeout = next((t for t in _TIMEOUTS if t in names and t != condition), None)
        if timeout is None:
            continue
        has_loop = any(isinstance(n, ast.While) for n in ast.walk(node))
        calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
        called = {_called(c) for c in calls}
        if has_loop and condition in called and "sleep" in called and called & _CLOCKS:
            return node.name, timeout, node.lineno
    return None


def _called(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def module_name(path: str) -> str | None:
    """The dotted module of a file (``src/`` layouts import without ``src``); ``None`` for a
    ``conftest.py`` or a path that is not a module."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] in {"conftest", "__init__"} or not path.endswith(".py"):
        return None
    if parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def find_wait_helper(root: Path, test_file: str) -> WaitHelper | None:
    """The repository's bounded wait loop, from the test's own file first, then the others."""
    for path in _ordered(_python_files(root), test_file):
        source = read_source(root, path)
        if source is None or "while" not in source or "sleep" not in source:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        found = wait_helper_in(tree)
        if found is None:
            continue
        name, timeout, line = found
        if path == test_file:
            return WaitHelper(name, None, timeout, path, line)
        module = module_name(path)
        if module is not None:
            return WaitHelper(name, module, timeout, path, line)
    return None


def _ordered(paths: Iterable[str], first: str) -> list[str]:
    listed = sorted(paths)
    return [first, *(p for p in listed if p != first)] if first in listed else listed


def _python_files(root: Path) -> list[str]:
    completed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--", "*.py"],
        capture_output=True,
        check=False,
    )
    if completed.returncode != 0:
        return []
    names = completed.stdout.decode("utf-8", "replace").split("\0")
    return [n for n in names if n][:MAX_FILES]
