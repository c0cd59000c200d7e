"""JUnit XML test results, read in one streaming pass.

Producers understood: pytest (``junit_family=xunit2``, its default, and ``xunit1``, which adds
``file`` and ``line``), unittest-xml-reporting and nose2's ``junitxml`` plugin. They share the
shape ``<testsuites>? <testsuite> <properties>? <testcase classname name time [file line]>
<failure|error|skipped message>text</…>? </testcase>``.

The file is untrusted (a CI artifact): it is read with expat, the document type declaration is
refused (so no entity is ever declared or expanded), and the size, the element depth and the
length of a kept message are bounded. A file that breaks any of these, or is not well-formed
XML, raises :class:`JUnitError` with its reason.

Why expat with handlers rather than junitparser: junitparser builds the whole element tree and
wraps every ``testcase`` in Python objects with lazily read properties; a CI history is
thousands of files of thousands of tests, and the handlers here keep only the five values a
result needs, with the character handler switched on only inside a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, NamedTuple
from xml.parsers import expat

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32
MAX_MESSAGE_CHARS = 2_000
_CHUNK = 1 << 20

_SHA_IN_PATH = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{40}(?![0-9a-fA-F])")
_WORKER = re.compile(r"gw\d{1,4}")
_ATTEMPT_IN_PATH = re.compile(r"attempt[-_]?(\d{1,4})", re.IGNORECASE)


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class CaseResult(NamedTuple):
    """One test's result in one run (a tuple: two million of them are made per benchmark)."""

    id: str
    file: str | None
    line: int | None
    outcome: Outcome
    duration: float
    message: str


@dataclass(frozen=True)
class Run:
    """The results of one JUnit file, with what is known of where they came from.

    Kept as read: each testcase's attributes and the failures by testcase position, so that
    detection over thousands of files touches only ids and outcomes; ``results`` builds the
    full values on first use.
    """

    source: str
    commit: str | None
    workflow: str | None
    attempt: int | None
    time: datetime | None
    cases: tuple[dict[str, str], ...] = ()
    failures: Mapping[int, tuple[Outcome, str]] = field(default_factory=dict)
    """Testcase position → its outcome (failed, error or skipped) and message."""
    has_workers: bool = False
    """Some testcase names its pytest-xdist worker (``worker`` in its attributes)."""

    def ids(self) -> list[str]:
        """Each testcase's id, ``classname::name`` (the name alone without a classname)."""
        return [
            f"{case['classname']}::{case.get('name', '')}"
            if case.get("classname")
            else case.get("name", "")
            for case in self.cases
        ]

    @cached_property
    def results(self) -> tuple[CaseResult, ...]:
        passed: tuple[Outcome, str] = (Outcome.PASSED, "")
        return tuple(
            CaseResult(test_id, *location(case), outcome, _float(case.get("time", "")), message)
            for test_id, case, (outcome, message) in zip(
                self.ids(),
                self.cases,
                (self.failures.get(i, passed) for i in range(len(self.cases))),
                strict=True,
            )
        )

    @classmethod
    def of(
        cls,
        source: str,
        commit: str | None,
        workflow: str | None,
        attempt: int | None,
        time: datetime | None,
        results: Iterable[CaseResult],
    ) -> Run:
        """A run made of values (tests, or results from elsewhere than a file)."""
        cases: list[dict[str, str]] = []
        failures: dict[int, tuple[Outcome, str]] = {}
        for index, result in enumerate(results):
            case = {"name": result.id, "time": str(result.duration)}
            if result.file:
                case["file"] = result.file
            if result.line is not None:
                case["line"] = str(result.line)
            cases.append(case)
            if result.outcome is not Outcome.PASSED:
                failures[index] = (result.outcome, result.message)
        return cls(source, commit, workflow, attempt, time, tuple(cases), failures)


def location(case: Mapping[str, str]) -> tuple[str | None, int | None]:
    """The file and line a testcase's attributes name (xunit1, unittest-xml-reporting)."""
    line = case.get("line", "")
    return case.get("file") or None, int(line) if line.isdigit() else None


def workers(cases: Sequence[Mapping[str, str]]) -> tuple[str | None, ...] | None:
    """Each testcase's pytest-xdist worker (``gw0``…), or ``None`` when the run names none."""
    found = tuple(case.get("worker") for case in cases)
    return found if any(found) else None


class JUnitError(Exception):
    """A JUnit file that could not be read; ``reason`` says why."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class _Refused(Exception):
    pass


_FAILURE_TAGS = {"failure": Outcome.FAILED, "error": Outcome.ERROR, "skipped": Outcome.SKIPPED}
_RANK = {Outcome.PASSED: 0, Outcome.SKIPPED: 1, Outcome.FAILED: 2, Outcome.ERROR: 3}


def junit_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Each ``*.xml`` file named or found (recursively, sorted) under a named folder."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.xml") if p.is_file())
        else:
            yield path


def read_junit(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Run:
    """The run a JUnit file records; :class:`JUnitError` when it cannot be read."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise JUnitError(source, f"{size} bytes, more than the limit of {max_bytes}")
        with path.open("rb") as stream:
            return parse_junit(stream, source)
    except OSError as exc:
        raise JUnitError(source, exc.strerror or str(exc)) from exc


def parse_junit(stream: BinaryIO, source: str, max_bytes: int = MAX_FILE_BYTES) -> Run:
    """Parse JUnit XML from ``stream``; ``source`` names it (its path, for the commit too)."""
    cases: list[dict[str, str]] = []  # each testcase's attributes, in order
    failures: dict[int, tuple[Outcome, list[str]]] = {}  # testcase index → outcome, message
    properties: dict[str, str] = {}
    timestamps: list[str] = []
    depth = 0
    case_depth = -9  # the depth of the last testcase opened
    suite_worker = ""  # the xdist worker (``gw0``) the testsuite names as its ``hostname``
    worker_seen: list[bool] = []
    message: list[str] = []
    kept = 0
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def text(data: str) -> None:
        nonlocal kept
        if kept < MAX_MESSAGE_CHARS:
            message.append(data[: MAX_MESSAGE_CHARS - kept])
            kept += len(data)

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth, case_depth, suite_worker
        depth += 1
        if depth > MAX_DEPTH:
            raise _Refused(f"elements nested deeper than {MAX_DEPTH}")
        if tag == "testcase":
            if suite_worker:
                attrs["worker"] = suite_worker
                worker_seen.append(True)
            cases.append(attrs)
            case_depth = depth
        elif tag in _FAILURE_TAGS:
            result(tag, attrs)
        elif tag == "property" and "name" in attrs:
            value = attrs.get("value", "")
            # a testcase's own <properties> (two levels below it): its worker, if it names one
            if depth == case_depth + 2 and cases and _WORKER.fullmatch(value):
                cases[-1]["worker"] = value  # record_property / xdist: the testcase's worker
                worker_seen.append(True)
            else:
                properties.setdefault(attrs["name"], value)
        elif tag == "testsuite":
            if "timestamp" in attrs:
                timestamps.append(attrs["timestamp"])
            host = attrs.get("hostname", "")
            suite_worker = host if _WORKER.fullmatch(host) else ""

    def result(tag: str, attrs: dict[str, str]) -> None:
        """A failure, error or skip of the testcase last opened (the worst one is kept)."""
        nonlocal message, kept
        if not cases:
            return
        found = _FAILURE_TAGS[tag]
        index = len(cases) - 1
        if index in failures and _RANK[failures[index][0]] >= _RANK[found]:
            return
        message, kept = [], 0
        failures[index] = (found, message)
        if attrs.get("message"):
            text(attrs["message"])
            text("\n")
        parser.CharacterDataHandler = text

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        if tag in _FAILURE_TAGS:
            parser.CharacterDataHandler = None

    def refuse_doctype(*_: object) -> None:
        raise _Refused("a document type declaration (DTD) is not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    read = 0
    try:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > max_bytes:
                raise _Refused(f"more than the limit of {max_bytes} bytes")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Refused as exc:
        raise JUnitError(source, str(exc)) from None
    except expat.ExpatError as exc:
        raise JUnitError(source, f"not well-formed XML: {exc}") from None
    finally:
        # the handlers refer to the parser: without this, every file read stays in memory
        # (with its testcases) until a full garbage collection
        parser.StartElementHandler = parser.EndElementHandler = None
        parser.CharacterDataHandler = None
    if read == 0:
        raise JUnitError(source, "empty file")
    attempt = properties.get("attempt", "")
    if not timestamps and cases and "timestamp" in cases[0]:  # nose2 times each testcase
        timestamps.append(cases[0]["timestamp"])
    return Run(
        source=source,
        commit=_commit(properties, source),
        workflow=properties.get("workflow") or None,
        attempt=int(attempt) if attempt.isdigit() else _attempt_in_path(source),
        time=_time(timestamps),
        cases=tuple(cases),
        failures={i: (o, "".join(m).strip()) for i, (o, m) in failures.items()},
        has_workers=bool(worker_seen),
    )


def _float(value: str) -> float:
    try:
        return float(value) if value else 0.0
    except ValueError:
        return 0.0


def _commit(properties: dict[str, str], source: str) -> str | None:
    for key in ("commit", "git_commit", "sha"):
        value = properties.get(key, "").strip().lower()
        if re.fullmatch(r"[0-9a-f]{7,40}", value):
            return value
    found = _SHA_IN_PATH.findall(source)
    return found[-1].lower() if found else None


def _attempt_in_path(source: str) -> int | None:
    found = _ATTEMPT_IN_PATH.findall(source)
    return int(found[-1]) if found else None


def _time(timestamps: list[str]) -> datetime | None:
    for value in timestamps:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None
