"""Build the facts of every file of a repository: in parallel, cached by content hash."""

from __future__ import annotations

import marshal
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.deadcode.cache import (
    EMPTY_PACK,
    FactsCache,
    Packed,
    Signature,
    TextFacts,
    content_key,
    decode,
    encode_facts,
    encode_text,
)
from app.deadcode.extract import extract
from app.deadcode.facts import FileFacts
from app.model import Progress, ScanError, no_progress
from app.parsed import ParsedModules

TEXT_SUFFIXES = frozenset(
    {".toml", ".cfg", ".ini", ".yaml", ".yml", ".json", ".html", ".htm", ".txt", ".xml"}
    | {".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".mako"}
)
TEXT_NAMES = frozenset({"Procfile", "Dockerfile", "Makefile", "setup.cfg", "tox.ini"})
DOC_SUFFIXES = (".md", ".rst")
"""Documentation: only the imports in its code examples count (prose names nothing)."""
TOKEN = re.compile(r"[A-Za-z_]\w*(?:[.:][A-Za-z_]\w*)*")
DOC_IMPORT = re.compile(
    r"^[\s>.]*(?:from\s+([\w.]+)\s+import\s+\(?([\w\s,]+)\)?|import\s+([\w.,\s]+))\s*$",
    re.MULTILINE,
)
DEFAULT_MAX_BYTES = 2_000_000
PARALLEL_FROM = 48
"""Below this many files to parse, starting worker processes costs more than it saves."""
PACK_SLACK = 8
"""Files the pack may list under an old size and mtime before it is written again. Such a file
is read and hashed on each scan and its facts come from the entries by content key (about a
millisecond); writing the whole pack for one edited file costs 15 to 20 ms on Django."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    module: str
    is_package: bool

    @property
    def salt(self) -> str:
        # Facts record the file's path, so the same content elsewhere is another entry.
        return f"py:{self.path}:{self.module}:{self.is_package}"


TEXT_SALT = "text"


@dataclass(frozen=True)
class RepoIndex:
    python: tuple[FileFacts, ...]
    texts: dict[str, TextFacts]
    """Configuration files and templates, and Python that could not be parsed."""
    errors: tuple[ScanError, ...]
    parsed: tuple[str, ...]
    """The files read in this run; the others were unchanged since the last one (same size and
    mtime), so their facts came straight from the cache."""
    keys: dict[str, str] = field(default_factory=dict)
    """The content key of each Python file's facts (`app.deadcode.cache.content_key`)."""


def is_text_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return suffix in TEXT_SUFFIXES or name in TEXT_NAMES or path.endswith(DOC_SUFFIXES)


def doc_imports(data: bytes) -> tuple[str, ...]:
    """What the code examples of a document import, as dotted names (``pkg.mod.name``)."""
    found: set[str] = set()
    for match in DOC_IMPORT.finditer(data.decode("utf-8", "replace")):
        module, names, modules = match.groups()
        if module:
            found.update(f"{module}.{n.strip()}" for n in names.split(",") if n.strip())
        else:
            found.update(m.strip() for m in modules.split(",") if m.strip())
    return tuple(sorted(t for t in found if TOKEN.fullmatch(t)))


def source_files(paths: Iterable[str]) -> list[SourceFile]:
    """Module names: the chain of package directories (with ``__init__.py``) above each file."""
    python = [p for p in paths if p.endswith(".py")]
    packages = {p.rsplit("/", 1)[0] for p in python if p.endswith("/__init__.py")}
    found: list[SourceFile] = []
    for path in python:
        parts = path[: -len(".py")].split("/")
        is_package = parts[-1] == "__init__" and len(parts) > 1
        if is_package:
            parts = parts[:-1]
        directories = path.split("/")[:-1]
        start = len(parts) if is_package else len(parts) - 1
        while start > 0 and "/".join(directories[:start]) in packages:
            start -= 1
        found.append(SourceFile(path, ".".join(parts[start:]), is_package))
    return found


@dataclass(frozen=True)
class ExtractTask:
    root: str
    path: str
    salt: str
    module: str
    is_package: bool
    python: bool
    cache_dir: str | None
    size: int


@dataclass(frozen=True)
class Outcome:
    path: str
    signature: Signature | None
    encoded: bytes | None
    error: ScanError | None


def run_job(job: ExtractTask, parsed: ParsedModules | None = None) -> Outcome:
    """Read, hash and extract one file (in a worker process, or here on the scan's shared
    trees); store what it found."""
    full = Path(job.root) / job.path
    try:
        stat = full.stat()
        data = full.read_bytes()
    except OSError as exc:
        return Outcome(job.path, None, None, ScanError(job.path, None, f"skipped: {exc.strerror}"))
    key = content_key(data, job.salt)
    signature = (stat.st_size, stat.st_mtime_ns, key)
    cache = FactsCache(Path(job.cache_dir)) if job.cache_dir else None
    stored = cache.load(key) if cache is not None else None
    if stored is not None:
        return Outcome(job.path, signature, marshal.dumps(stored), None)
    encoded = _encode(job, data, parsed)
    if cache is not None:
        cache.store_encoded(key, encoded)
    return Outcome(job.path, signature, encoded, None)


def _encode(job: ExtractTask, data: bytes, parsed: ParsedModules | None) -> bytes:
    if not job.python:
        found = doc_imports(data) if job.path.endswith(DOC_SUFFIXES) else tokens(data)
        return encode_text(TextFacts(found))
    try:
        return encode_facts(extract(job.path, job.module, job.is_package, data, parsed))
    except SyntaxError as exc:
        problem, line = f"skipped: syntax error: {exc.msg}", exc.lineno or 0
    except (ValueError, RecursionError, MemoryError) as exc:
        problem, line = f"skipped: cannot parse: {type(exc).__name__}: {exc}", 0
    # Its names still protect what it may use: the file is read as plain text.
    return encode_text(TextFacts(tokens(data), problem, line))


def tokens(data: bytes) -> tuple[str, ...]:
    return tuple(sorted(set(TOKEN.findall(data.decode("utf-8", "replace")))))


def build_index(
    root: Path,
    files: Sequence[str],
    cache: FactsCache | None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: int | None = None,
    progress: Progress = no_progress,
    trees: ParsedModules | None = None,
) -> RepoIndex:
    sources = {s.path: s for s in source_files(files)}
    packed = cache.pack(root) if cache is not None else EMPTY_PACK
    kept: dict[str, Packed] = {}
    values: dict[str, FileFacts | TextFacts] = {}
    errors: list[ScanError] = []
    jobs: list[ExtractTask] = []
    top = str(root)
    for path in files:
        source = sources.get(path)
        if source is None and not is_text_file(path):
            continue
        try:
            stat = os.stat(os.path.join(top, path))  # os.path: a pathlib join per file costs more
        except OSError as exc:
            errors.append(ScanError(path, None, f"skipped: {exc.strerror or exc}"))
            continue
        if stat.st_size > max_bytes:
            if source is None:
                continue  # a data file, not configuration: not worth reading
            # Generated code: not parsed (nor edited), but its names still count as uses.
            reason = f"skipped: {stat.st_size} bytes, over the {max_bytes} limit (generated?)"
            errors.append(ScanError(path, None, f"{reason}; read as text only"))
            source = None
        entry = packed.entries.get(path)
        if entry is not None and entry[:2] == (stat.st_size, stat.st_mtime_ns):
            value = packed.decoded.get(path)
            if value is None:
                value = decode(entry[3])
            if value is not None:
                values[path] = value
                kept[path] = entry
                continue
        jobs.append(_job(root, path, source, cache, stat.st_size))
    outcomes = _run(jobs, workers, progress, trees)
    parsed = []
    for outcome in outcomes:
        if outcome.error is not None:
            errors.append(outcome.error)
        if outcome.signature is None or outcome.encoded is None:
            continue
        stored = marshal.loads(outcome.encoded)
        value = decode(stored)
        if value is None:
            continue
        values[outcome.path] = value
        kept[outcome.path] = (*outcome.signature, stored)
        parsed.append(outcome.path)
    if cache is not None and (len(jobs) > PACK_SLACK or kept.keys() != packed.entries.keys()):
        cache.save_pack(root, kept)
    python = tuple(v for p, v in sorted(values.items()) if isinstance(v, FileFacts))
    texts = {p: v for p, v in values.items() if not isinstance(v, FileFacts)}
    errors.extend(ScanError(p, t.line or None, t.problem) for p, t in texts.items() if t.problem)
    errors.sort(key=lambda e: (e.file, e.line or 0))
    keys = {p: kept[p][2] for p, v in values.items() if isinstance(v, FileFacts)}
    return RepoIndex(python, texts, tuple(errors), tuple(sorted(parsed)), keys)


def _job(
    root: Path, path: str, source: SourceFile | None, cache: FactsCache | None, size: int
) -> ExtractTask:
    return ExtractTask(
        root=str(root),
        path=path,
        salt=source.salt if source else TEXT_SALT,
        module=source.module if source else "",
        is_package=source.is_package if source else False,
        python=source is not None,
        cache_dir=str(cache.directory) if cache is not None else None,
        size=size,
    )


def _run(
    jobs: list[ExtractTask], workers: int | None, progress: Progress, parsed: ParsedModules | None
) -> list[Outcome]:
    count = workers if workers is not None else (os.cpu_count() or 1)
    if len(jobs) < PARALLEL_FROM or count <= 1:
        outcomes = []
        for done, job in enumerate(jobs, 1):
            outcomes.append(run_job(job, parsed))
            progress("dead-code: indexing", done, len(jobs))
        return outcomes
    # Files another analyzer of this scan parsed already are read from their trees here,
    # while the workers parse the rest.
    held = [parsed is not None and j.python and parsed.holds(j.path) for j in jobs]
    here = [j for j, shared in zip(jobs, held, strict=True) if shared]
    jobs = [j for j, shared in zip(jobs, held, strict=True) if not shared]
    # fork is the cheapest start, but forking a process that runs other threads (a queue
    # worker, an HTTP client pool) can copy a held lock into the child: then use forkserver.
    single_threaded = threading.active_count() == 1
    method = "fork" if os.name == "posix" and single_threaded else "spawn"
    if os.name == "posix" and not single_threaded:
        method = "forkserver"
    import multiprocessing  # only when files need parsing: a warm rescan starts no worker

    context = multiprocessing.get_context(method)
    # Largest files first, in small chunks, so no worker is left with a big file at the end.
    ordered = sorted(jobs, key=lambda j: -j.size)
    with context.Pool(count) as pool:
        running = pool.imap_unordered(run_job, ordered, chunksize=4)
        outcomes = [run_job(job, parsed) for job in here]
        for done, outcome in enumerate(running, 1):
            outcomes.append(outcome)
            if done % 50 == 0 or done == len(jobs):
                progress("dead-code: indexing", done, len(jobs))
    return outcomes
