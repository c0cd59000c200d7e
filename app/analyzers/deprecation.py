"""Deprecation fixes (kind ``deprecation``): codemods for APIs that are deprecated or removed.

Which rules run depends on the target Python, the library versions the manifests allow and
``deprecation.enable``/``disable`` in `.maintainer.yml` (opt-in families such as ``modernize``
run only when enabled). Fixes come one finding per rule family (``deprecation.batch: family``,
the default) or one for everything (``single``), each with one whole-file edit per touched
file. What report-only rules find is one finding per place, without edits, whose summary says
the rule, the file and line, and what to do; a fix's PR body lists them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.analyzers.base import Analysis, Description, ScanContext
from app.caches import DEPRECATIONS
from app.deprecations.cache import ResultCache
from app.deprecations.gating import applicable
from app.deprecations.runner import FileResult, Runner
from app.model import Edit, Finding, Kind, RiskFactor
from app.snapshot import Snapshot
from codemods.catalog import Catalog
from codemods.facts import pydantic_models
from codemods.info import Hit, ProjectFacts, RuleInfo, Safety

LABEL = "deprecation"
SINGLE_BATCH = "deprecations"
MANY_FILES = 20
FACT_ROUNDS = 3


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    before: str
    after: str
    advice: str = ""


@dataclass(frozen=True)
class RuleReport:
    """One rule's hits within a finding, with the rule's metadata for the PR body."""

    info: RuleInfo
    locations: tuple[Location, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({loc.file for loc in self.locations}))

    def to_json(self) -> dict[str, Any]:
        manual = self.info.safety is Safety.REPORT_ONLY
        return {
            "id": self.info.id,
            "summary": self.info.summary,
            "safety": self.info.safety.value,
            "link": self.info.link,
            "locations": [
                {"file": loc.file, "line": loc.line}
                | ({"todo": todo(self.info, loc)} if manual else {})
                for loc in self.locations
            ],
        }


def todo(info: RuleInfo, location: Location) -> str:
    """What to do by hand at one place a report-only rule found."""
    return location.advice or info.replacement


@dataclass(frozen=True)
class DeprecationDetail:
    batch: str
    rules: tuple[RuleReport, ...]
    manual: tuple[RuleReport, ...] = ()
    """For a fix: what the report-only rules of the same batch found (listed in the PR body)."""

    @property
    def manual_rows(self) -> tuple[tuple[RuleInfo, Location], ...]:
        pairs = [(r.info, loc) for r in self.manual for loc in r.locations]
        return tuple(sorted(pairs, key=lambda p: (p[1].file, p[1].line, p[0].id)))

    def todo(self, info: RuleInfo, location: Location) -> str:
        return todo(info, location)

    @property
    def count(self) -> int:
        return sum(len(r.locations) for r in self.rules)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({f for r in self.rules for f in r.files}))

    @property
    def rows(self) -> tuple[tuple[RuleInfo, Location], ...]:
        """(rule, location) pairs in file order, for the location table."""
        pairs = [(r.info, loc) for r in self.rules for loc in r.locations]
        return tuple(sorted(pairs, key=lambda p: (p[1].file, p[1].line, p[0].id)))

    @property
    def report_only(self) -> bool:
        return all(r.info.safety is Safety.REPORT_ONLY for r in self.rules)

    def to_json(self) -> Mapping[str, Any]:
        return {"rules": [rule.to_json() for rule in self.rules]}


class DeprecationAnalyzer:
    kind = Kind.DEPRECATION

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers

    def analyze(self, context: ScanContext) -> Analysis:
        analysis = Analysis()
        cache = ResultCache(context.adapters.caches.folder(DEPRECATIONS))
        rules = self.rules_for(context, cache.catalog())
        if not rules:
            analysis.notes.append("deprecation: no codemod rule applies to this repository")
            return analysis
        settings = context.config.deprecation
        batches = _batches(rules, settings.batch)
        snapshot = context.snapshot
        paths = list(snapshot.python_files())
        pydantic = any(r.family == "pydantic" for r in rules)
        facts = replace(
            _facts(snapshot, paths) if pydantic else ProjectFacts(), python=context.target_python
        )
        runner = Runner(
            snapshot.root,
            batches,
            facts=facts,
            cache=cache,
            workers=self.workers,
            progress=context.progress,
            parsed=context.parsed,
        )
        report = runner.run(paths)
        analysis.errors.extend(report.errors)
        analysis.findings.extend(_findings(report.results, batches))
        stats = report.stats
        analysis.notes.append(
            f"deprecation: {len(rules)} rules, {stats.files} files, {stats.candidates} "
            f"candidates, {stats.surveyed} surveyed, {stats.parsed} parsed, {stats.cached} cached"
        )
        return analysis

    @staticmethod
    def rules_for(context: ScanContext, catalog: Catalog) -> list[RuleInfo]:
        settings = context.config.deprecation
        chosen = catalog.enabled(settings.enable, settings.disable)
        return applicable(chosen, context.target_python, context.manifests)

    def describe(self, findings: Sequence[Finding], group: str | None) -> Description:
        details = [f.detail for f in findings if isinstance(f.detail, DeprecationDetail)]
        batches = sorted({d.batch for d in details})
        count = sum(d.count for d in details)
        files = len({f for d in details for f in d.files})
        infos = {r.info.id: r.info for d in details for r in d.rules}
        ids = sorted(infos)
        name = group or (batches[0] if len(batches) == 1 else SINGLE_BATCH)
        if len(ids) == 1:
            title = f"Fix deprecated API: {infos[ids[0]].summary}"
        else:
            title = f"Fix {count} deprecated API uses ({name})"
        message = (
            f"Fix deprecated APIs ({name}): {', '.join(ids)}\n\n"
            f"{count} change{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''},"
            " made by maintainer-bot codemods."
        )
        return Description(title=title, slug=f"deprecations-{name}", commit_message=message)


def _batches(rules: Sequence[RuleInfo], mode: str) -> dict[str, list[RuleInfo]]:
    if mode == "single":
        return {SINGLE_BATCH: list(rules)}
    batches: dict[str, list[RuleInfo]] = {}
    for rule in rules:
        batches.setdefault(rule.family, []).append(rule)
    return batches


def _facts(snapshot: Snapshot, paths: Sequence[str]) -> ProjectFacts:
    """Pydantic models: files mentioning pydantic, then files naming a model found so far."""
    texts: dict[str, str] = {}
    needles = [b"pydantic"]
    facts = ProjectFacts()
    for _ in range(FACT_ROUNDS):
        added = False
        for path in paths:
            if path in texts:
                continue
            try:
                data = snapshot.read_bytes(path)
                if any(n in data for n in needles):
                    texts[path] = data.decode("utf-8")
                    added = True
            except (OSError, UnicodeDecodeError):
                continue
        if not added:
            break
        facts = pydantic_models(texts)
        needles = [b"pydantic", *{n.rsplit(".", 1)[-1].encode() for n in facts.pydantic_models}]
    return facts


def _findings(
    results: Sequence[FileResult], batches: Mapping[str, Sequence[RuleInfo]]
) -> list[Finding]:
    findings: list[Finding] = []
    manual: list[tuple[Location, str, Finding]] = []
    for batch, rules in batches.items():
        ids = {rule.id for rule in rules}
        fixing = [r for r in rules if r.safety is not Safety.REPORT_ONLY]
        reporting = [r for r in rules if r.safety is Safety.REPORT_ONLY]
        edits = tuple(
            Edit.replace_file(r.path, r.original, r.outputs[batch])
            for r in results
            if batch in r.outputs
        )
        changed = {edit.path for edit in edits}
        fixed = _reports(results, fixing, ids, changed)
        reported = _reports(results, reporting, ids, None)
        if fixed and edits:
            findings.append(_finding(DeprecationDetail(batch, fixed, reported), edits))
        manual.extend(
            (loc, report.info.id, _manual_finding(batch, report, loc))
            for report in reported
            for loc in report.locations
        )
    manual.sort(key=lambda item: (item[0].file, item[0].line, item[1]))
    return findings + [finding for _, _, finding in manual]


def _reports(
    results: Sequence[FileResult],
    rules: Sequence[RuleInfo],
    ids: set[str],
    changed: set[str] | None,
) -> tuple[RuleReport, ...]:
    by_rule: dict[str, list[Location]] = {}
    for result in results:
        if changed is not None and result.path not in changed:
            continue
        for hit in result.hits:
            if hit.rule_id in ids:
                by_rule.setdefault(hit.rule_id, []).append(_location(result.path, hit))
    return tuple(RuleReport(rule, tuple(by_rule[rule.id])) for rule in rules if rule.id in by_rule)


def _location(path: str, hit: Hit) -> Location:
    return Location(path, hit.line, hit.before, hit.after, hit.advice)


def _finding(detail: DeprecationDetail, edits: tuple[Edit, ...]) -> Finding:
    count = detail.count
    files = len(detail.files)
    summary = f"{count} deprecated API use{'s' if count != 1 else ''} fixed in {files} file" + (
        "s" if files != 1 else ""
    )
    return Finding(
        kind=Kind.DEPRECATION,
        subject=f"deprecation:{detail.batch}",
        summary=summary,
        detail=detail,
        edits=edits,
        risk_factors=_risk(detail),
        labels=(LABEL,),
        batch=detail.batch,
    )


def _manual_finding(batch: str, report: RuleReport, location: Location) -> Finding:
    """One place a report-only rule found: rule, file:line, the code, what to do, why."""
    info = report.info
    status = (
        f"removed in {info.removed_in}"
        if info.removed_in
        else f"deprecated since {info.deprecated_since}"
    )
    summary = (
        f"{info.id} {location.file}:{location.line}: {location.before} -- "
        f"{todo(info, location)} ({status}; {info.link})"
    )
    detail = DeprecationDetail(batch, (RuleReport(info, (location,)),))
    return Finding(
        kind=Kind.DEPRECATION,
        subject=f"deprecation:{info.id}:{location.file}:{location.line}:{location.before}",
        summary=summary,
        detail=detail,
        risk_factors=_risk(detail),
        labels=(LABEL,),
        batch=batch,
    )


def _risk(detail: DeprecationDetail) -> tuple[RiskFactor, ...]:
    factors: list[RiskFactor] = []
    for report in detail.rules:
        info = report.info
        if info.safety is Safety.CONDITIONAL:
            note = info.risk_note[:1].lower() + info.risk_note[1:]
            factors.append(RiskFactor(f"{info.id} is a conditional rewrite: {note}", 2))
        elif info.safety is Safety.SAFE:
            factors.append(
                RiskFactor(f"{info.id} is a safe rewrite: same behaviour on supported versions", 0)
            )
        else:
            factors.append(RiskFactor(f"{info.id} has no automatic fix: change it by hand", 0))
    if len(detail.files) > MANY_FILES:
        factors.append(RiskFactor(f"touches {len(detail.files)} files: a large diff to review", 1))
    return tuple(factors)
