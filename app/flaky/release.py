"""Releasing a quarantined test: its marker found in the code, its passes since counted, and the
marker removed (`app.flaky.edits.release`) once it passed often enough in a row.

A quarantine marker is ``@pytest.mark.flaky(...)`` (pytest-rerunfailures) or
``@pytest.mark.xfail(...)`` whose reason starts with ``flaky:`` (the bot's own; any other xfail
is the author's and is never touched). An xfail quarantine's reason carries its date
("quarantined on 2026-11-30"): only results from that day on count. A failure under the marker
(pytest writes an xfail as a skip with the reason) breaks the streak like any failure.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.config import FlakySettings
from app.flaky.causes import find_test
from app.flaky.detect import QUARANTINE_REASON, History
from app.flaky.sources import locate_test_file, read_source

_DATE = re.compile(r"quarantined on (\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Quarantine:
    marker: str
    """The decorator as written (``pytest.mark.xfail(...)``, without the ``@``)."""
    line: int
    since: date | None


def _marker_text(node: ast.expr) -> str | None:
    """``flaky`` or ``xfail`` when ``node`` is ``pytest.mark.<that>`` (called or not)."""
    target = node.func if isinstance(node, ast.Call) else node
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "mark"
        and isinstance(target.value.value, ast.Name)
        and target.value.value.id == "pytest"
        and target.attr in {"flaky", "xfail"}
    ):
        return target.attr
    return None


def _reason(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        for keyword in node.keywords:
            if keyword.arg == "reason" and isinstance(keyword.value, ast.Constant):
                return str(keyword.value.value)
    return ""


def quarantine_of(source: str, test_id: str) -> Quarantine | None:
    """The test's quarantine marker, or None (no marker, not the bot's, or no such test)."""
    try:
        function = find_test(ast.parse(source), test_id)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if function is None:
        return None
    for decorator in function.decorator_list:
        kind = _marker_text(decorator)
        if kind is None:
            continue
        reason = _reason(decorator)
        if kind == "xfail" and not reason.startswith(QUARANTINE_REASON):
            continue
        found = _DATE.search(reason)
        since = date.fromisoformat(found.group(1)) if found else None
        return Quarantine(ast.unparse(decorator), decorator.lineno, since)
    return None


def passes_since(outcomes: Sequence[tuple[datetime | None, str]], since: date | None) -> int:
    """Consecutive passes at the end of the test's results (``History.outcomes``), counting
    only results of ``since`` or later when the quarantine's date is known."""
    streak = 0
    for when, outcome in reversed(outcomes):
        if since is not None and when is not None and when.date() < since:
            break
        if outcome != "passed":
            break
        streak += 1
    return streak


@dataclass(frozen=True)
class Quarantined:
    """A test under a quarantine marker, with its passes in a row since."""

    test: str
    file: str
    line: int
    quarantine: Quarantine
    passes: int
    due: bool


def quarantined_tests(root: Path, history: History, settings: FlakySettings) -> list[Quarantined]:
    """Every test of the history whose code carries a quarantine marker (each file read once)."""
    sources: dict[str, str | None] = {}
    files: dict[tuple[str, str | None], str | None] = {}  # tests of one module share a file
    found = []
    for test_id, test in history.tests.items():
        where = (test_id.rpartition("::")[0], test.file)
        if where not in files:
            files[where] = locate_test_file(root, test_id, test.file)
        file = files[where]
        if file is None:
            continue
        if file not in sources:
            text = read_source(root, file)
            sources[file] = text if text is not None and "pytest.mark" in text else None
        source = sources[file]
        if source is None:
            continue
        quarantine = quarantine_of(source, test_id)
        if quarantine is None:
            continue
        passes = passes_since(history.outcomes(test_id), quarantine.since)
        found.append(
            Quarantined(
                test_id,
                file,
                quarantine.line,
                quarantine,
                passes,
                passes >= settings.release_passes,
            )
        )
    return sorted(found, key=lambda q: q.test)
