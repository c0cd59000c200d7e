"""Dead code (kind ``dead-code``): removals with evidence, batched per package or top folder.

Each changed file is one finding (one ``Edit`` per file, so findings never overlap); files whose
removals depend on each other share a batch. Candidates under the threshold, or that cannot be
removed safely, are findings without edits: reported in the scan output, never proposed.

Edits and git evidence are made on demand (`Finding.build`): the planner builds only the batches
it admits, so a repository with hundreds of dead files pays for the few proposals it gets. A
file that cannot be edited holds its whole batch back, with the reason.
"""

from __future__ import annotations

import subprocess
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.analyzers.base import Analysis, Description, ScanContext
from app.caches import DEAD_CODE
from app.config import DeadCodeSettings, Paths
from app.deadcode.cache import FactsCache, content_key
from app.deadcode.codemod import RemovalFailed, Target, remove
from app.deadcode.confidence import Candidate, Status
from app.deadcode.detect import detect
from app.deadcode.guards import GuardSettings
from app.deadcode.history import GitHistory, LastCommit
from app.deadcode.plan import FilePlan, RemovalPlan, plan
from app.model import Edit, EditsUnavailable, Finding, Kind, RiskFactor
from app.snapshot import NotARepository, Snapshot, snapshot_of

DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class Symbol:
    """One removed (or reported) symbol with its evidence, as the PR body shows it."""

    name: str
    kind: str
    file: str
    line: int
    lines: int
    confidence: int
    evidence: tuple[str, ...]
    last_change: LastCommit | None
    months_unchanged: int | None
    removed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "file": self.file,
            "line": self.line,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class DeadCode:
    """The detail of one file's finding."""

    file: str
    deleted: bool
    symbols: tuple[Symbol, ...]
    batch: str

    @property
    def lines_removed(self) -> int:
        return sum(s.lines for s in self.symbols if s.removed)

    def to_json(self) -> dict[str, Any]:
        return {"symbols": [s.to_json() for s in self.symbols]}


class DeadCodeAnalyzer:
    kind = Kind.DEAD_CODE

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers

    def analyze(self, context: ScanContext) -> Analysis:
        settings = context.config.dead_code
        snapshot = context.snapshot
        cache = FactsCache(context.adapters.caches.folder(DEAD_CODE))
        detection = detect(
            snapshot.root,
            _every_file(snapshot, context.config.paths),
            _guard_settings(settings, context),
            cache=cache,
            max_bytes=settings.max_file_bytes,
            workers=self.workers,
            progress=context.progress,
            parsed=context.parsed,
        )
        selected = set(snapshot.files)
        analysis = Analysis(errors=[e for e in detection.index.errors if e.file in selected])
        history = context.adapters.history
        if history is None:
            analysis.notes.append("dead-code: no git history adapter, so no last-modified dates")
        evidence = _Evidence(history, context.now)
        decided = plan(
            detection.graph,
            detection.liveness,
            detection.candidates,
            threshold=settings.threshold,
            remove_tested_only=settings.remove_tested_only,
            batch_mode=settings.batch,
        )
        kept = {c.node: reason for c, reason in decided.kept}
        decided = _within(decided, selected, kept)
        analysis.findings.extend(
            _unbuilt(_Removal(f, snapshot, evidence, cache)) for f in decided.files
        )
        removed = {c.node for f in decided.files for c in f.candidates}
        reported = [c for c in detection.candidates if c.node not in removed and c.file in selected]
        analysis.findings.extend(_reported(reported, kept, settings))
        return analysis

    def describe(self, findings: Sequence[Finding], group: str | None) -> Description:
        details = [f.detail for f in findings if isinstance(f.detail, DeadCode)]
        count = sum(1 for d in details for s in d.symbols if s.kind not in ("import", "test"))
        where = group or (details[0].batch if details else "the repository")
        noun = "definition" if count == 1 else "definitions"
        title = f"Remove {count} unused {noun} from {where}"
        return Description(title, where, title)


class _Evidence:
    """Git facts per candidate; without a history adapter every date is unknown."""

    def __init__(self, history: GitHistory | None, now: datetime) -> None:
        self.history = history
        self.now = now

    def symbol(
        self, candidate: Candidate, removed: bool, extra: str | None = None, dated: bool = True
    ) -> Symbol:
        change = None
        months = None
        if self.history is not None and dated:
            if candidate.kind == "module":
                change = self.history.file_change(candidate.file)
            else:
                change = self.history.last_change(
                    candidate.file, candidate.first_line, candidate.end_line
                )
        if change is not None:
            months = int((self.now - change.date).days / DAYS_PER_MONTH)
        reasons = candidate.evidence + ((extra,) if extra else ())
        return Symbol(
            name=candidate.name,
            kind=candidate.kind,
            file=candidate.file,
            line=candidate.line,
            lines=candidate.lines,
            confidence=candidate.confidence,
            evidence=reasons,
            last_change=change,
            months_unchanged=months,
            removed=removed,
        )


def _every_file(snapshot: Snapshot, paths: Paths) -> tuple[str, ...]:
    """All files of the work tree, not only those `paths` selects: code in an excluded folder
    still references code elsewhere. Removals stay within the selected files."""
    if not paths.include and not paths.exclude:
        return snapshot.files  # nothing was left out
    try:
        return snapshot_of(snapshot.root).files
    except (NotARepository, OSError, subprocess.CalledProcessError):
        return snapshot.files


def _within(decided: RemovalPlan, selected: set[str], kept: dict[int, str]) -> RemovalPlan:
    """Drop whole batches that would edit a file outside ``paths`` (they stay reported)."""
    outside = {f.batch for f in decided.files if f.path not in selected}
    for file_plan in decided.files:
        if file_plan.batch in outside:
            kept.update(
                (c.node, "needs an edit outside the configured paths") for c in file_plan.candidates
            )
    return RemovalPlan(tuple(f for f in decided.files if f.batch not in outside), decided.kept)


def _guard_settings(settings: DeadCodeSettings, context: ScanContext) -> GuardSettings:
    library = settings.library_public_api
    if library is None:
        library = any(m.is_library for m in context.manifests)
    return GuardSettings(
        whitelist=tuple(settings.whitelist),
        decorators=tuple(settings.decorators),
        library_public_api=library,
    )


@dataclass(frozen=True)
class _Removal:
    """Builds one file's finding: its edit and the git evidence of each symbol."""

    file_plan: FilePlan
    snapshot: Snapshot
    evidence: _Evidence
    cache: FactsCache | None

    def edit(self) -> Edit:
        file_plan = self.file_plan
        try:
            text = self.snapshot.read_text(file_plan.path)
        except (OSError, UnicodeDecodeError) as exc:
            raise self._failed(f"cannot read the file to edit it: {exc}") from exc
        if file_plan.delete:
            return Edit.delete_file(file_plan.path, text)
        done, result = self._removed(text)
        if not done:
            raise self._failed(f"dead code left in place: {result}")
        return Edit.replace_file(file_plan.path, text, result)

    def _removed(self, text: str) -> tuple[bool, str]:
        """The edited text, or why there is none; cached by the text and what is removed."""
        file_plan = self.file_plan
        key = edit_key(text, file_plan.path, file_plan.targets, file_plan.unused_imports)
        cached = self.cache.load_edit(key) if self.cache is not None else None
        if cached is not None:
            return cached
        try:
            outcome = (
                True,
                remove(text, file_plan.path, file_plan.targets, file_plan.unused_imports),
            )
        except RemovalFailed as exc:
            outcome = False, str(exc)
        if self.cache is not None:
            self.cache.store_edit(key, *outcome)
        return outcome

    def _failed(self, message: str) -> EditsUnavailable:
        return EditsUnavailable(f"removal failed in {self.file_plan.path}: {message}")

    def __call__(self) -> Finding:
        edit = self.edit()
        symbols = tuple(self.evidence.symbol(c, removed=True) for c in self.file_plan.candidates)
        return _finding(self.file_plan, symbols, edit, None)


def edit_key(
    text: str, path: str, targets: Sequence[Target], unused_imports: Collection[str]
) -> str:
    what = repr((path, sorted(targets, key=repr), sorted(unused_imports)))
    return content_key(text.encode("utf-8", "surrogatepass"), f"edit:{what}")


def _unbuilt(removal: _Removal) -> Finding:
    """A file's finding before its edit is made (and without git dates)."""
    candidates = removal.file_plan.candidates
    symbols = tuple(removal.evidence.symbol(c, removed=True, dated=False) for c in candidates)
    return _finding(removal.file_plan, symbols, None, removal)


def _finding(
    file_plan: FilePlan,
    symbols: tuple[Symbol, ...],
    edit: Edit | None,
    build: _Removal | None,
) -> Finding:
    """The finding of one file: unbuilt (with ``build``) or built (with its edit)."""
    detail = DeadCode(file_plan.path, file_plan.delete, symbols, file_plan.batch)
    names = ", ".join(s.name for s in symbols[:3]) + (" …" if len(symbols) > 3 else "")
    action = "delete" if file_plan.delete else "remove"
    return Finding(
        kind=Kind.DEAD_CODE,
        subject=f"dead-code:{file_plan.path}",
        summary=f"{action} {names} in {file_plan.path}",
        detail=detail,
        edits=(edit,) if edit is not None else (),
        risk_factors=_risk(file_plan, symbols),
        labels=("dead-code",),
        batch=file_plan.batch,
        build=build,
    )


def _risk(file_plan: FilePlan, symbols: Sequence[Symbol]) -> tuple[RiskFactor, ...]:
    """Weighted factors use one text per kind of risk, so a proposal counts each once."""
    factors = []
    if file_plan.delete:
        factors.append(RiskFactor("deletes whole modules", 1))
    for symbol in symbols:
        if symbol.confidence < 90:
            factors.append(RiskFactor("some removals have a confidence under 90%", 1))
            text = f"`{symbol.name}` is removed with a confidence of {symbol.confidence}%"
            factors.append(RiskFactor(text, 0))
    if any(s.kind == "test" for s in symbols):
        factors.append(RiskFactor("removes tests together with the code they test", 1))
    if any("module-level code runs on import" in e for s in symbols for e in s.evidence):
        factors.append(RiskFactor("module-level code of a deleted module no longer runs", 1))
    factors.append(RiskFactor("the edited files parse and compile", 0))
    return tuple(factors)


def _reported(
    candidates: Sequence[Candidate], kept: dict[int, str], settings: DeadCodeSettings
) -> list[Finding]:
    """Candidates that are not proposed, one finding per file (no git dates: they are only
    needed in proposal bodies)."""
    undated = _Evidence(None, datetime.min)
    by_file: dict[str, list[Symbol]] = {}
    for candidate in candidates:
        why = kept.get(candidate.node) or _why_reported(candidate, settings)
        by_file.setdefault(candidate.file, []).append(undated.symbol(candidate, False, why))
    return [
        Finding(
            kind=Kind.DEAD_CODE,
            subject=f"dead-code-report:{path}",
            summary=f"{path}: " + "; ".join(_why(s) for s in symbols),
            detail=DeadCode(path, False, tuple(symbols), ""),
            labels=("dead-code",),
        )
        for path, symbols in sorted(by_file.items())
    ]


def _why(symbol: Symbol) -> str:
    return f"{symbol.name} ({symbol.evidence[0]}; {symbol.evidence[-1]})"


def _why_reported(candidate: Candidate, settings: DeadCodeSettings) -> str:
    if candidate.report_only:
        return candidate.report_only
    if candidate.status is Status.TESTED_ONLY and not settings.remove_tested_only:
        return "kept: set dead_code.remove_tested_only to remove it with its tests"
    if not candidate.removable:
        return "the codemod cannot remove it on its own"
    if candidate.confidence < settings.threshold:
        return f"confidence {candidate.confidence}% is under the threshold {settings.threshold}%"
    return "kept"
