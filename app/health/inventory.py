"""Debt items: every finding with its cost (minutes, risk), its fix, and the score points it
takes from its component.

The cost model (README "Cost model"): SonarQube's technical-debt ratio is the anchor:
remediation minutes ÷ (lines × 30 minutes), graded A ≤ 5 %, B ≤ 10 %, C ≤ 20 %, D ≤ 50 %, E.
Risk starts from the kind and severity and is raised one level by churn (the file changed in
`HOT_COMMITS` or more commits over the churn window) and one by missing coverage (the
function has no covered line in a coverage report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from packaging.version import Version

from app.health.churn import Churn
from app.health.complexity import FileComplexity, FunctionComplexity
from app.health.coverage import Coverage
from app.health.staleness import DependencyStaleness

MINUTES_PER_LINE = 30
DEBT_GRADES: tuple[tuple[float, str], ...] = ((0.05, "A"), (0.10, "B"), (0.20, "C"), (0.50, "D"))
HOT_COMMITS = 5
RISKS: tuple[Literal["low", "medium", "high"], ...] = ("low", "medium", "high")
GAP_COMPLEXITY = 6
"""A function with no covered line is a coverage gap from this complexity (rank B) up."""

Component = Literal[
    "complexity", "coverage", "dependencies", "security", "architecture", "flaky", "maintenance"
]


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    component: Component
    subject: str
    evidence: str
    minutes: int
    risk: Literal["low", "medium", "high"]
    fix: Mapping[str, str]
    points: float
    """Points this item takes from its component's 0-100 value."""

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "subject": self.subject,
            "evidence": self.evidence,
            "cost": {"minutes": self.minutes, "risk": self.risk},
            "fix": dict(self.fix),
        }


def debt_ratio(minutes: int, lines: int) -> float:
    return minutes / (max(lines, 1) * MINUTES_PER_LINE)


def debt_grade(ratio: float) -> str:
    for bound, grade in DEBT_GRADES:
        if ratio <= bound:
            return grade
    return "E"


def _raise(risk: int, by: int) -> Literal["low", "medium", "high"]:
    return RISKS[min(risk + by, len(RISKS) - 1)]


def refactoring(function: FunctionComplexity) -> str:
    """A named refactoring for a complex function, from what makes it complex."""
    reasons = [f"complexity {function.complexity}"]
    if function.length > 60:
        reasons.append(f"{function.length} lines")
    if function.max_nesting >= 4:
        reasons.append(f"nesting depth {function.max_nesting}")
    reasons.append(f"{function.branches} branches")
    why = ", ".join(reasons)
    if function.max_nesting >= 4:
        move = (
            "Replace Nested Conditional with Guard Clauses, then Extract Method on the inner blocks"
        )
    elif function.length > 60:
        move = "Extract Method: split it into named steps"
    else:
        move = "Decompose Conditional, or Replace Conditional with a dispatch table"
    return f"{move} in {function.name} ({why})"


def complexity_items(
    files: Mapping[str, FileComplexity],
    churn: Churn,
    coverage: Coverage | None,
    threshold: int,
) -> list[Item]:
    """Functions above ``threshold``; points are their share of all function lines (full for
    rank D or worse, half for C)."""
    total = sum(f.own_lines for measured in files.values() for f in measured.functions)
    items = []
    for path, measured in files.items():
        hot = churn.of(path).commits >= HOT_COMMITS
        covered = coverage.of(path) if coverage else None
        for function in measured.functions:
            if function.complexity <= threshold:
                continue
            untested = covered is not None and not covered.covers_any(
                function.line, function.end_line
            )
            base = 0 if function.rank == "C" else 1 if function.rank in ("D", "E") else 2
            risk = _raise(base, int(hot) + int(untested))
            share = 1.0 if function.rank in ("D", "E", "F") else 0.5
            evidence = (
                f"cyclomatic complexity {function.complexity} (rank {function.rank}), "
                f"{function.length} lines, nesting {function.max_nesting}, "
                f"{churn.of(path).commits} commits in 90 days"
                + (", no covered line" if untested else "")
            )
            items.append(
                Item(
                    id=f"complexity:{path}:{function.name}",
                    kind="complexity",
                    component="complexity",
                    subject=f"{path}::{function.name}",
                    evidence=evidence,
                    minutes=10 + function.complexity - threshold,
                    risk=risk,
                    fix={"kind": "refactoring", "suggestion": refactoring(function)},
                    points=100.0 * share * function.own_lines / total if total else 0.0,
                )
            )
    return items


def coverage_items(
    files: Mapping[str, FileComplexity], coverage: Coverage, churn: Churn
) -> list[Item]:
    """Coverage gaps (complex functions without a covered line) and, per file, the remaining
    missing lines; their points add up to 100 minus the measured percentage."""
    statements = sum(len(c.executed) + len(c.missing) for c in coverage.files.values())
    items: list[Item] = []
    if not statements:
        return items
    for path, covered in sorted(coverage.files.items()):
        if not covered.missing:
            continue
        hot = churn.of(path).commits >= HOT_COMMITS
        left = set(covered.missing)
        measured = files.get(path)
        for function in measured.functions if measured else ():
            if function.complexity < GAP_COMPLEXITY:
                continue
            if covered.covers_any(function.line, function.end_line):
                continue
            lines = {n for n in left if function.line <= n <= function.end_line}
            if not lines:
                continue
            left -= lines
            items.append(
                Item(
                    id=f"coverage-gap:{path}:{function.name}",
                    kind="coverage-gap",
                    component="coverage",
                    subject=f"{path}::{function.name}",
                    evidence=f"complexity {function.complexity}, none of its {len(lines)} "
                    "statements covered",
                    minutes=10 + len(lines),
                    risk=_raise(1, int(hot)),
                    fix={
                        "kind": "test",
                        "suggestion": f"write tests for {function.name}: "
                        f"{function.branches + 1} paths to cover",
                    },
                    points=100.0 * len(lines) / statements,
                )
            )
        if left:
            items.append(
                Item(
                    id=f"coverage:{path}",
                    kind="uncovered-lines",
                    component="coverage",
                    subject=path,
                    evidence=f"{len(left)} statements not covered ({covered.percent:.0f} % "
                    "covered)",
                    minutes=len(left),
                    risk=_raise(0, int(hot)),
                    fix={"kind": "test", "suggestion": f"cover the missing lines of {path}"},
                    points=100.0 * len(left) / statements,
                )
            )
    return items


def _branch(kind: str, slug: str) -> str:
    """The branch the bot's proposal of this kind goes on (imported only when needed: the
    proposal stack is heavy and a repository without dependencies never needs it)."""
    from app.proposals import branch_name

    return branch_name(kind, slug)


def dependency_items(rows: Sequence[DependencyStaleness]) -> list[Item]:
    """Outdated dependencies: 5 points per libyear each (at most 20 per dependency)."""
    items = []
    for row in rows:
        if not row.outdated:
            continue
        old, new = Version(row.in_use), Version(row.newest)
        if new.major > old.major:
            minutes, level = 120, 1
        elif new.minor > old.minor:
            minutes, level = 30, 0
        else:
            minutes, level = 10, 0
        days = "unknown" if row.days_behind is None else f"{row.days_behind} days"
        items.append(
            Item(
                id=f"dependency:{row.manifest}:{row.name}",
                kind="outdated-dependency",
                component="dependencies",
                subject=f"{row.manifest}:{row.line} {row.name}",
                evidence=f"{row.in_use} in use, {row.newest} released ({days} behind, "
                f"{row.libyears:.2f} libyears)",
                minutes=minutes,
                risk=RISKS[level],
                fix={
                    "kind": "dependency-update",
                    "branch": _branch("dependency-update", f"{row.name}-{row.newest}"),
                },
                points=min(5.0 * row.libyears, 20.0),
            )
        )
    return items


@dataclass(frozen=True)
class VulnerablePin:
    name: str
    version: str
    advisories: tuple[str, ...]
    fixed_in: str | None


def security_items(pins: Sequence[VulnerablePin]) -> list[Item]:
    """Vulnerable pins: 25 points each."""
    return [
        Item(
            id=f"security:{pin.name}",
            kind="vulnerable-dependency",
            component="security",
            subject=f"{pin.name}=={pin.version}",
            evidence=", ".join(pin.advisories)
            + (f"; fixed in {pin.fixed_in}" if pin.fixed_in else "; no fixed version known"),
            minutes=30,
            risk="high",
            fix={
                "kind": "security",
                "branch": _branch("security", f"{pin.name}-{pin.fixed_in or pin.version}"),
            },
            points=25.0,
        )
        for pin in pins
    ]


def architecture_items(violations: Sequence[tuple[str, str]]) -> list[Item]:
    """Broken contracts or package cycles: 10 points each."""
    items = []
    for contract, detail in violations:
        cycle = contract == "no cycles between packages"
        items.append(
            Item(
                id=f"architecture:{contract}:{detail}",
                kind="import-cycle" if cycle else "broken-contract",
                component="architecture",
                subject=contract,
                evidence=detail,
                minutes=60 if cycle else 30,
                risk="medium",
                fix={
                    "kind": "refactoring",
                    "suggestion": "Dependency Inversion: move what both sides need into a "
                    "lower package, or invert the import through an interface"
                    if cycle
                    else f"remove the import that breaks '{contract}' (or move the code it needs)",
                },
                points=10.0,
            )
        )
    return items
