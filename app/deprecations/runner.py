"""Run codemods over a repository's files: pre-filter, cache, parse once, processes.

For every file: the bytes are read once and each rule's cheap text pre-filter picks the rules
that may match. Files no rule wants cost nothing more. The rest are looked up in the cache
(content hash + rule-set version + the rules and batches asked for); misses go to worker
processes as they are found (when there are enough of them: `_Dispatch`), where the stdlib
``ast`` narrows the rules further (`codemods.prefilter`, from the rules' metadata alone) and
only files still wanted are parsed once with libcst, all their rules running on that one tree
(`codemods.engine`); a worker that parses nothing never imports libcst. Both pre-filters'
verdicts are kept by content (`app.deprecations.cache.Verdicts`): an unchanged file is not
searched again, and one the ``ast`` pre-filter emptied needs no cache entry. Given the scan's
parsed modules (`app.parsed`), files whose tree the scan holds already are surveyed here on
that tree, and so are all files when there are too few for workers (their trees are then kept
for the analyzers after this one). Bad input (non-UTF-8, ``@generated``, too large, syntax
errors, output that does not compile) is skipped with a reason, never a crash or a partial
write.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from app.deprecations.cache import Entry, ResultCache, Verdicts, key
from app.model import Progress, ScanError, no_progress
from app.parsed import ParsedModules
from codemods.catalog import ruleset_version
from codemods.info import Hit, ProjectFacts, RuleInfo
from codemods.text_filters import wanted

MAX_BYTES = 1_000_000
GENERATED_MARKER = b"@generated"
GENERATED_WINDOW = 2048
MIN_FILES_PER_WORKER = 4
NOTHING = Entry((), {}, ())
"""The entry of a file in which the ``ast`` pre-filter found nothing for any rule."""
BATCH = 4
"""Files per task sent to a worker."""


@dataclass(frozen=True)
class FileResult:
    """What the rules did to one file: hits, a new text per batch, and problems."""

    path: str
    original: str
    hits: tuple[Hit, ...]
    outputs: Mapping[str, str]


@dataclass
class RunStats:
    files: int = 0
    candidates: int = 0
    surveyed: int = 0
    """Files not in the cache, checked by the ast pre-filter in a worker."""
    parsed: int = 0
    """Of those, files libcst parsed."""
    cached: int = 0


@dataclass
class RunReport:
    results: list[FileResult] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    stats: RunStats = field(default_factory=RunStats)


@dataclass(frozen=True)
class CodemodTask:
    path: str
    text: str
    digest: str
    """Of the file's bytes (`Verdicts` are by content)."""
    rules: tuple[RuleInfo, ...]
    """The rules whose text pre-filter keeps the file."""
    batches: tuple[tuple[str, tuple[str, ...]], ...]
    facts: ProjectFacts
    kept: frozenset[str] | None = None
    """The rules the ``ast`` pre-filter kept, when it ran already (on the shared tree)."""

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(info.id for info in self.rules)


_DOCSTRING_START = re.compile(rb"[rRuU]?(\"\"\"|'''|\"|')")
_MARKER = re.compile(rb"(?:^|[\s#])@generated(?![`'\"\w])", re.MULTILINE)


def generated(data: bytes) -> bool:
    """A generated file says so in its header: the leading comment block or the module
    docstring. Elsewhere (code, a later comment), or quoted (`` `@generated` ``), the text
    is only talking about the marker."""
    head = data[:GENERATED_WINDOW]
    if GENERATED_MARKER not in head:
        return False
    lines = head.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith(b"#"):
            break
        if _MARKER.search(stripped):
            return True
        index += 1
    rest = b"".join(lines[index:])
    opening = _DOCSTRING_START.match(rest)
    if opening is None:
        return False
    end = rest.find(opening.group(1), opening.end())
    docstring = rest[opening.end() : end if end != -1 else len(rest)]
    return _MARKER.search(docstring) is not None


def _start_method() -> str:
    """``fork`` is fastest, but forking a process that runs other threads (a queue worker)
    can copy a held lock into the child; then pay for ``forkserver``/``spawn`` instead."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class Runner:
    """Runs a fixed set of rules, grouped into named batches, over files under ``root``."""

    def __init__(
        self,
        root: Path,
        batches: Mapping[str, Sequence[RuleInfo]],
        facts: ProjectFacts | None = None,
        cache: ResultCache | None = None,
        workers: int | None = None,
        max_bytes: int = MAX_BYTES,
        progress: Progress = no_progress,
        parsed: ParsedModules | None = None,
    ) -> None:
        self.root = root
        self.parsed = parsed
        self.rules = [rule for rules in batches.values() for rule in rules]
        self.batches = tuple(
            (name, tuple(info.id for info in rules)) for name, rules in batches.items()
        )
        self.by_id = {info.id: info for info in self.rules}
        self.families = {info.id: info.family for info in self.rules}
        self.facts = facts or ProjectFacts()
        self.cache = cache
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.max_bytes = max_bytes
        self.progress = progress
        self._version = ruleset_version()

    def run(self, paths: Iterable[str]) -> RunReport:
        report = RunReport()
        jobs: list[tuple[CodemodTask, str]] = []
        scope = key(
            self._version, ",".join(info.id for info in self.rules), self.facts.fingerprint()
        )
        known = self.cache.prefiltered(scope) if self.cache else Verdicts()
        seen: dict[str, tuple[str, ...]] = {}
        settled: set[str] = set()
        with _Dispatch(self) as dispatch:
            for path in paths:
                report.stats.files += 1
                job = self._prepare(path, report, known.wanted, seen)
                if job is None:
                    continue
                if job.digest in known.settled:  # as good as a cached entry with nothing in it
                    report.stats.cached += 1
                    settled.add(job.digest)
                    continue
                cache_key = self._key(job)
                cached = self.cache.get(cache_key) if self.cache else None
                if cached is not None:
                    report.stats.cached += 1
                    self._collect(job, cached, report)
                else:
                    jobs.append((job, cache_key))
                    dispatch.offer(job)
            report.stats.surveyed = len(jobs)
            entries = dispatch.entries([j for j, _ in jobs])
        for (job, cache_key), entry in zip(jobs, entries, strict=True):
            report.stats.parsed += entry.parsed
            if entry == NOTHING:
                settled.add(job.digest)
            elif self.cache is not None:
                self.cache.put(cache_key, entry)
            self._collect(job, entry, report)
        verdicts = Verdicts(seen, frozenset(settled))
        if self.cache is not None and verdicts != known:
            self.cache.keep_prefiltered(scope, verdicts)
        report.results.sort(key=lambda r: r.path)
        return report

    def _prepare(
        self,
        path: str,
        report: RunReport,
        known: Mapping[str, tuple[str, ...]],
        seen: dict[str, tuple[str, ...]],
    ) -> CodemodTask | None:
        """The file's task, or ``None`` when no rule wants it or it cannot be used.

        The text pre-filters' verdict on a file's content is remembered (``known``, by content
        digest, for these rules and facts): an unchanged file is not searched again."""
        try:
            data = (self.root / path).read_bytes()
        except OSError as exc:
            report.errors.append(ScanError(path, None, f"cannot read: {exc.strerror or exc}"))
            return None
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        rule_ids = known.get(digest)
        if rule_ids is not None and all(i in self.by_id for i in rule_ids):
            rules = tuple(self.by_id[i] for i in rule_ids)
        else:
            rules = tuple(wanted(data, self.rules, self.facts))
            rule_ids = tuple(info.id for info in rules)
        seen[digest] = rule_ids
        if not rules:
            return None
        report.stats.candidates += 1
        if len(data) > self.max_bytes:
            report.errors.append(
                ScanError(
                    path, None, f"{len(data)} bytes, over the {self.max_bytes} limit: skipped"
                )
            )
            return None
        if generated(data):
            report.errors.append(ScanError(path, None, "generated file (@generated): skipped"))
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            report.errors.append(ScanError(path, line, "not valid UTF-8: skipped"))
            return None
        return CodemodTask(path, text, digest, rules, self.batches, self.facts)

    def _key(self, job: CodemodTask) -> str:
        uses_facts = any(self.families[i] == "pydantic" for i in job.rule_ids)
        return key(
            self._version,
            job.path,
            ",".join(job.rule_ids),
            repr(job.batches),
            self.facts.fingerprint() if uses_facts else f"python={self.facts.python}",
            job.text,
        )

    def _here(self, jobs: Sequence[CodemodTask]) -> list[Entry]:
        """Entries of files too few for workers, worked here: the ``ast`` pre-filter on the
        scan's shared trees (kept for the analyzers after this one), then libcst."""
        from app.deprecations.worker import process, survey_on_tree

        entries = []
        for index, job in enumerate(jobs, 1):
            entries.append(
                process(job if self.parsed is None else survey_on_tree(job, self.parsed))
            )
            self.progress("deprecations", index, len(jobs))
        return entries

    def _workers(self, jobs: int) -> int:
        return min(self.workers, jobs // MIN_FILES_PER_WORKER)

    def _collect(self, job: CodemodTask, entry: Entry, report: RunReport) -> None:
        report.errors.extend(ScanError(job.path, line, message) for line, message in entry.errors)
        if entry.hits:
            report.results.append(FileResult(job.path, job.text, entry.hits, entry.outputs))


class _Dispatch:
    """Sends the files the cache does not hold to worker processes, while the run still reads
    and text-filters the rest: both cores work from the first misses on.

    The workers start once there are enough files for all of them (`MIN_FILES_PER_WORKER`
    each), or at the end for fewer workers; files too few for two workers are worked here
    (`Runner._here`). Files whose tree the scan holds are surveyed here, and only those the
    survey keeps go to a worker. A task is a few files (`BATCH`), so no worker is left alone
    with a long one."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.early: list[CodemodTask] = []
        self.pool: ProcessPoolExecutor | None = None
        self.batch: list[CodemodTask] = []
        self.sent: list[Future[list[Entry]]] = []
        self.outcomes: list[Entry | tuple[int, int]] = []
        """Per file, in order: its entry (settled here) or its task's number and its place."""

    def __enter__(self) -> _Dispatch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def offer(self, job: CodemodTask) -> None:
        if self.pool is not None:
            self._send(job)
            return
        self.early.append(job)
        workers = self.runner.workers
        if workers > 1 and len(self.early) >= workers * MIN_FILES_PER_WORKER:
            self._start(workers)

    def _start(self, workers: int) -> None:
        context = multiprocessing.get_context(_start_method())
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        for job in self.early:
            self._send(job)

    def _send(self, job: CodemodTask) -> None:
        parsed = self.runner.parsed
        if parsed is not None and parsed.holds(job.path):
            from app.deprecations.worker import survey_on_tree  # no libcst: the ast side

            job = survey_on_tree(job, parsed)
            if job.kept == frozenset():
                self.outcomes.append(NOTHING)
                return
        self.outcomes.append((len(self.sent), len(self.batch)))
        self.batch.append(job)
        if len(self.batch) == BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.batch and self.pool is not None:
            from app.deprecations.worker import process_all

            self.sent.append(self.pool.submit(process_all, tuple(self.batch)))
            self.batch = []

    def entries(self, jobs: Sequence[CodemodTask]) -> list[Entry]:
        """The entries of ``jobs``: every file offered, in order."""
        if self.pool is None:
            workers = self.runner._workers(len(jobs))
            if workers <= 1:
                return self.runner._here(jobs)
            self._start(workers)
        self._flush()
        found: list[Entry] = []
        for done, outcome in enumerate(self.outcomes, 1):
            if not isinstance(outcome, Entry):
                task, place = outcome
                outcome = self.sent[task].result()[place]
            found.append(outcome)
            self.runner.progress("deprecations", done, len(jobs))
        return found
