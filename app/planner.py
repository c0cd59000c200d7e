"""Policy, in one place: ignores, minimum release age, alternatives, grouping, priority, limits.

Takes findings and configuration, returns batches (future proposals) and what was held back.
No I/O: stored ignores and the bot's PRs on GitHub (a `Budget`) come in as values.

The open-PR and hourly limits count only *new* PRs: a batch whose branch already has an open
PR is always admitted (its PR is refreshed, rebased or rebuilt), and one that supersedes an open
PR (a newer version of the same package) does not add to the open PRs. The composer carries
out what the plan admits and checks no limit itself.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from app.config import Group, IgnoreRule, RepoConfig, UpdateType
from app.model import Deferred, EditsUnavailable, Finding, Kind, Proposal

KIND_PRIORITY = {
    Kind.SECURITY: 0,
    Kind.DEPENDENCY_UPDATE: 1,
    Kind.DEPRECATION: 2,
    Kind.FLAKY_TEST: 3,
    Kind.DEAD_CODE: 4,
    Kind.LOCK_FILE_MAINTENANCE: 5,
}


_VERSION_SUFFIX = re.compile(r"-v?\d+(?:\.\d+)*(?:(?:a|b|rc|\.post|\.dev)\d+)*$", re.IGNORECASE)


@runtime_checkable
class Versioned(Protocol):
    """Details that move a package to a version (dependency updates, security fixes)."""

    package: str
    to_version: str
    update_type: UpdateType
    released: datetime | None
    development: bool


class StoredIgnore(Protocol):
    """An ignore kept in the store (from a comment command), as the planner reads it."""

    @property
    def dependency(self) -> str: ...
    @property
    def versions(self) -> tuple[str, ...]: ...
    @property
    def update_types(self) -> tuple[str, ...]: ...
    @property
    def reason(self) -> str | None: ...


def ignore_rule(stored: StoredIgnore) -> IgnoreRule:
    """A stored ignore as the rule `.maintainer.yml` would write (the one conversion)."""
    return IgnoreRule.model_validate(
        {
            "dependency": stored.dependency,
            "versions": list(stored.versions),
            "update_types": list(stored.update_types),
            "reason": stored.reason,
        }
    )


def rejected_rules(rejected: Iterable[tuple[str, str, int | None]]) -> list[IgnoreRule]:
    """A bot PR closed without merging means "not this version": nothing up to that version is
    proposed again (no older alternative either, as Dependabot does); a newer one may be."""
    return [
        IgnoreRule(
            dependency=package,
            versions=[f"<={version}"],
            reason=f"#{number} was closed without merging" if number else "closed without merging",
        )
        for package, version, number in rejected
    ]


@dataclass(frozen=True)
class Batch:
    kind: Kind
    key: str
    group: str | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Budget:
    """The bot's pull requests when the scan starts, against which the limits count.

    ``open_branches``: the branches of the bot's open PRs. ``opened_last_hour``: PRs the bot
    opened in the last hour, or None where no hourly limit applies (local scans).
    """

    open_branches: frozenset[str] = frozenset()
    opened_last_hour: int | None = None


def within_limits(
    proposals: Sequence[Proposal], config: RepoConfig, budget: Budget
) -> tuple[list[Proposal], list[str]]:
    """The proposals whose PR is open, and new ones while `open_pr_limit` and
    `hourly_pr_limit` allow; the others with the reason they wait."""
    admitted: list[Proposal] = []
    held: list[str] = []
    open_now = len(budget.open_branches)
    opened_last_hour = budget.opened_last_hour or 0
    new = 0
    for made in proposals:
        if made.branch in budget.open_branches:
            admitted.append(made)
        elif open_now + new >= config.open_pr_limit:
            held.append(f"{made.branch}: open_pr_limit of {config.open_pr_limit} reached")
        elif opened_last_hour + new >= config.hourly_pr_limit:
            held.append(f"{made.branch}: hourly_pr_limit of {config.hourly_pr_limit} reached")
        else:
            admitted.append(made)
            new += 1
    return admitted, held


BranchOf = Callable[[Batch], str]


@dataclass
class PlannerDecision:
    batches: list[Batch] = field(default_factory=list)
    held: list[Deferred] = field(default_factory=list)
    reported: list[Finding] = field(default_factory=list)
    failed: list[Deferred] = field(default_factory=list)
    """Admitted batches whose edits could not be made: errors for the user, not policy."""


def plan(
    findings: Sequence[Finding],
    config: RepoConfig,
    now: datetime,
    budget: Budget | None = None,
    stored_ignores: Sequence[IgnoreRule] = (),
    branch_of: BranchOf | None = None,
) -> PlannerDecision:
    """``branch_of`` names a batch's branch (`app.proposals.branch_for`); it is needed to
    recognise the batches whose PR is open in ``budget``."""
    budget = budget or Budget()
    if budget.open_branches and branch_of is None:
        raise ValueError("open branches given without branch_of: no batch could match them")
    result = PlannerDecision()
    ignores = [*config.ignore, *stored_ignores]
    chosen = _choose(findings, config, now, ignores, result)
    batches = _batch(chosen, config, result)
    _limit(batches, config, budget, branch_of or (lambda batch: batch.key), result)
    return result


def supersede_key(branch: str) -> str:
    """The branch without its trailing version: bumps of one package share it."""
    return _VERSION_SUFFIX.sub("", branch)


def _choose(
    findings: Sequence[Finding],
    config: RepoConfig,
    now: datetime,
    ignores: Sequence[IgnoreRule],
    result: PlannerDecision,
) -> list[Finding]:
    """First allowed alternative per subject; edit-less findings are only reported."""
    chosen: dict[str, Finding] = {}
    reasons: dict[str, str] = {}
    enabled = config.enabled_kinds()
    for finding in findings:
        if finding.subject in chosen:
            continue
        if finding.kind not in enabled:
            reasons.setdefault(finding.subject, f"{finding.kind} is not enabled")
            continue
        reason = _blocked(finding, config, now, ignores)
        if reason is not None:
            reasons.setdefault(finding.subject, reason)
            continue
        if not finding.proposable:
            result.reported.append(finding)
            chosen[finding.subject] = finding
            continue
        chosen[finding.subject] = finding
    result.held.extend(Deferred(s, r) for s, r in reasons.items() if s not in chosen)
    return [f for f in chosen.values() if f.proposable]


def _blocked(
    finding: Finding, config: RepoConfig, now: datetime, ignores: Sequence[IgnoreRule]
) -> str | None:
    detail = finding.detail
    if not isinstance(detail, Versioned):
        return None
    for rule in ignores:
        if ignore_matches(rule, detail):
            return f"ignored by rule for {rule.dependency!r}" + (
                f" ({rule.reason})" if rule.reason else ""
            )
    security = finding.kind is Kind.SECURITY
    if security and config.security.bypass_min_release_age:
        return None
    minimum = timedelta(days=config.min_release_age_days)
    if detail.released is not None and now - detail.released < minimum:
        age = (now - detail.released).days
        return (
            f"{detail.package} {detail.to_version} is {age} days old; "
            f"min_release_age_days is {config.min_release_age_days}"
        )
    return None


def ignore_matches(rule: IgnoreRule, detail: Versioned) -> bool:
    if not fnmatch.fnmatch(detail.package, rule.dependency.lower()):
        return False
    if rule.update_types and detail.update_type not in rule.update_types:
        return False
    if rule.versions:
        try:
            version = Version(detail.to_version)
        except InvalidVersion:
            return False
        return any(SpecifierSet(spec).contains(version, prereleases=True) for spec in rule.versions)
    return True


def _batch(findings: Iterable[Finding], config: RepoConfig, result: PlannerDecision) -> list[Batch]:
    keyed: dict[tuple[Kind, str], list[Finding]] = {}
    groups: dict[tuple[Kind, str], str | None] = {}
    for finding in findings:
        group = _group_of(finding, config.groups)
        if finding.kind is Kind.SECURITY and not config.security.group:
            group = None
        key = (finding.kind, f"group:{group.name}" if group else finding.batch_key)
        keyed.setdefault(key, []).append(finding)
        groups[key] = group.name if group else None
    batches = [
        Batch(kind, key, groups[(kind, key)], tuple(items)) for (kind, key), items in keyed.items()
    ]
    batches.sort(key=lambda b: (KIND_PRIORITY.get(b.kind, 9), b.key))
    return batches


def _built(batch: Batch) -> Batch | str:
    """The batch with every finding's edits made, or why they cannot be."""
    try:
        findings = tuple(f.build() if f.build is not None else f for f in batch.findings)
    except EditsUnavailable as exc:
        return str(exc)
    return replace(batch, findings=findings)


def _group_of(finding: Finding, groups: Sequence[Group]) -> Group | None:
    detail = finding.detail
    for group in groups:
        if finding.kind not in group.kinds:
            continue
        if not isinstance(detail, Versioned):
            return group
        if _in_group(group, detail):
            return group
    return None


def _in_group(group: Group, detail: Versioned) -> bool:
    name = detail.package
    if not any(fnmatch.fnmatch(name, p.lower()) for p in group.patterns):
        return False
    if any(fnmatch.fnmatch(name, p.lower()) for p in group.exclude):
        return False
    if group.update_types and detail.update_type not in group.update_types:
        return False
    if group.dependency_type == "development":
        return detail.development
    if group.dependency_type == "runtime":
        return not detail.development
    return True


def _limit(
    batches: list[Batch],
    config: RepoConfig,
    budget: Budget,
    branch_of: BranchOf,
    result: PlannerDecision,
) -> None:
    """Admit every batch whose PR is open; new PRs while the open-PR and hourly limits allow
    (security first, since batches come sorted by priority)."""
    open_before = len(budget.open_branches)
    replaceable = {supersede_key(branch) for branch in budget.open_branches}
    new_open = 0  # new PRs that add to the open ones
    new_total = 0  # every new PR (superseding ones too): the hourly limit counts them
    for batch in batches:
        branch = branch_of(batch)
        if branch in budget.open_branches:
            _admit(batch, result)
            continue
        reason = _hourly_refusal(config, budget, new_total)
        supersedes = supersede_key(branch) in replaceable
        exempt = supersedes or (
            batch.kind is Kind.SECURITY and config.security.bypass_open_pr_limit
        )
        if reason is None and not exempt and open_before + new_open >= config.open_pr_limit:
            reason = (
                f"open_pr_limit of {config.open_pr_limit} reached: {new_open} new "
                f"{_prs(new_open)} already planned in this run, {open_before} open before it "
                "(raise `open_pr_limit` in .maintainer.yml to allow more)"
            )
        if reason is not None:
            result.held.append(Deferred(batch.key, reason))
            continue
        if not _admit(batch, result):
            continue  # its edits could not be made: the next batch gets its room
        new_total += 1
        new_open += not supersedes


def _admit(batch: Batch, result: PlannerDecision) -> bool:
    """Findings whose edits are made on demand are made now, for admitted batches only; a
    batch whose edits cannot be made is a failure with the reason (never a silent hold)."""
    built = _built(batch)
    if isinstance(built, str):
        result.failed.append(Deferred(batch.key, built))
        return False
    result.batches.append(built)
    return True


def _hourly_refusal(config: RepoConfig, budget: Budget, planned: int) -> str | None:
    if budget.opened_last_hour is None:
        return None
    if budget.opened_last_hour + planned < config.hourly_pr_limit:
        return None
    return (
        f"hourly_pr_limit of {config.hourly_pr_limit} reached: {planned} new {_prs(planned)} "
        f"already planned in this run, {budget.opened_last_hour} opened in the hour before it "
        "(the rest follow in a later scan; raise `hourly_pr_limit` in .maintainer.yml to allow "
        "more)"
    )


def _prs(count: int) -> str:
    return "PR" if count == 1 else "PRs"
