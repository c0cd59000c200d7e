"""Choosing the fix: the smallest usable release outside every advisory's affected range.

"Usable" is the shared meaning from `app.updates.Releases`: not yanked, allowed by the target
Python, and not a pre-release unless the vulnerable version is one. Every chosen version is
audited again through the same source before it is proposed, because a newer release can carry
advisories of its own (jinja2 2.10.1 fixes two advisories of 2.10 but has a third).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.version import Version

from app.index.model import Release
from app.security.advisory import Advisory
from app.security.source import AdvisorySource, PackageVersion
from app.updates import Releases

VERIFY_ROUNDS = 8


@dataclass(frozen=True)
class FixChoice:
    """The fix of one vulnerable package version, or why there is none."""

    package: PackageVersion
    release: Release | None
    reason: str | None = None

    @property
    def version(self) -> Version | None:
        return self.release.version if self.release else None


def first_safe(
    releases: Releases,
    after: Version,
    advisories: Sequence[Advisory],
    excluded: frozenset[Version] = frozenset(),
) -> Release | None:
    """The smallest usable release above ``after`` that no advisory affects."""
    for release in sorted(releases.usable(), key=lambda r: r.version):
        if release.version <= after or release.version in excluded:
            continue
        if not any(a.affects(release.version) for a in advisories):
            return release
    return None


def choose_fixes(
    source: AdvisorySource,
    vulnerable: Mapping[PackageVersion, Sequence[Advisory]],
    releases: Mapping[PackageVersion, Releases | str],
) -> dict[PackageVersion, FixChoice]:
    """Fix versions of each vulnerable package; ``releases`` may say why a package has none."""
    known = {package: list(found) for package, found in vulnerable.items()}
    excluded: dict[PackageVersion, set[Version]] = {package: set() for package in vulnerable}
    choices: dict[PackageVersion, FixChoice] = {}
    pending = sorted(vulnerable)
    for _ in range(VERIFY_ROUNDS):
        candidates: dict[PackageVersion, Release] = {}
        for package in pending:
            usable = releases.get(package, "not looked up on the package index")
            if isinstance(usable, str):
                choices[package] = FixChoice(package, None, usable)
                continue
            found = first_safe(
                usable, package.version, known[package], frozenset(excluded[package])
            )
            if found is None:
                choices[package] = FixChoice(package, None, _no_release(usable))
            else:
                candidates[package] = found
        if not candidates:
            return choices
        pending = _verify(source, candidates, known, excluded, choices)
    for package in pending:
        reason = f"no fixed release confirmed after {VERIFY_ROUNDS} audits of candidates"
        choices[package] = FixChoice(package, None, reason)
    return choices


def _verify(
    source: AdvisorySource,
    candidates: Mapping[PackageVersion, Release],
    known: dict[PackageVersion, list[Advisory]],
    excluded: dict[PackageVersion, set[Version]],
    choices: dict[PackageVersion, FixChoice],
) -> list[PackageVersion]:
    """Audit the candidates; return the packages whose candidate turned out vulnerable too."""
    asked = {package: PackageVersion(package.name, r.version) for package, r in candidates.items()}
    report = source.audit(list(asked.values()))
    reasons = {(u.package, u.version): u.reason for u in report.unaudited}
    retry: list[PackageVersion] = []
    for package, release in candidates.items():
        found = report.advisories_of(asked[package])
        if found is None:
            reason = reasons.get((package.name, str(release.version)), "no audit result")
            message = f"the candidate fix {release.version} could not be audited: {reason}"
            choices[package] = FixChoice(package, None, message)
        elif found:
            known[package].extend(found)
            excluded[package].add(release.version)
            retry.append(package)
        else:
            choices[package] = FixChoice(package, release)
    return retry


def _no_release(releases: Releases) -> str:
    return (
        "no release of the package outside every advisory's affected range "
        f"(not yanked, supporting Python {releases.python})"
    )
