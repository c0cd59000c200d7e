"""Fix-version choice on recorded index pages and the real advisory records."""

from __future__ import annotations

from datetime import UTC, datetime

from packaging.version import Version

from app.index.model import Project, Release
from app.index.parse import parse_project
from app.security.advisory import Advisory, VersionRange, parse_osv
from app.security.directory import AdvisoryDirectory
from app.security.fixes import FixChoice, choose_fixes, first_safe
from app.security.source import AuditReport, PackageAudit, PackageVersion
from app.updates import Releases
from tests.support import FIXTURES, INDEX_FIXTURES

DATABASE = FIXTURES / "advisory-database"


def project(name: str) -> Project:
    return parse_project(name, (INDEX_FIXTURES / f"{name}.json").read_bytes())


def release(version: str, yanked: bool = False, requires_python: str | None = None) -> Release:
    return Release(
        Version(version),
        upload_time=datetime(2024, 1, 1, tzinfo=UTC),
        yanked=yanked,
        requires_python=requires_python,
        sha256=("0" * 64,),
    )


def fix_for(name: str, version: str, python: str = "3.11") -> FixChoice:
    source = AdvisoryDirectory(DATABASE)
    package = PackageVersion(name, Version(version))
    (audit,) = source.audit([package]).audited
    assert audit.advisories, f"{name} {version} should be vulnerable"
    releases = Releases(project(name), python, Version(version).is_prerelease)
    return choose_fixes(source, {package: audit.advisories}, {package: releases})[package]


def test_known_vulnerable_pins_get_the_smallest_fix() -> None:
    assert str(fix_for("jinja2", "2.10").version) == "2.11.3"
    assert str(fix_for("requests", "2.19.0").version) == "2.31.0"
    assert str(fix_for("pyyaml", "5.3").version) == "5.4"
    assert str(fix_for("urllib3", "1.24.1").version) == "1.26.18"


def test_django_fix_is_outside_every_advisory() -> None:
    choice = fix_for("django", "2.2.0")
    assert choice.version is not None
    advisories = AdvisoryDirectory(DATABASE).advisories("django")
    assert not any(a.affects(choice.version) for a in advisories)
    # and it is the smallest such usable release
    smaller = [
        r.version
        for r in Releases(project("django"), "3.11", False).usable()
        if Version("2.2.0") < r.version < choice.version
    ]
    assert all(any(a.affects(v) for a in advisories) for v in smaller)


def test_a_candidate_with_its_own_advisory_is_passed_over() -> None:
    # 2.10.1 fixes PYSEC-2019-217 but PYSEC-2021-66 affects it: only the re-audit shows that.
    source = AdvisoryDirectory(DATABASE)
    package = PackageVersion("jinja2", Version("2.10"))
    first = [a for a in source.advisories("jinja2") if a.id == "PYSEC-2019-217"]
    releases = Releases(project("jinja2"), "3.11", False)
    choice = choose_fixes(source, {package: first}, {package: releases})[package]
    assert str(choice.version) == "2.11.3"


def simple(fixed: str) -> Advisory:
    (adv,) = parse_osv(
        {
            "id": "TEST-1",
            "affected": [
                {
                    "package": {"name": "demo", "ecosystem": "PyPI"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                    ],
                }
            ],
        }
    )
    return adv


def demo(*releases: Release) -> Releases:
    return Releases(Project("demo", releases), "3.8", False)


def test_yanked_releases_are_skipped() -> None:
    found = first_safe(
        demo(release("1.0"), release("1.1", yanked=True), release("1.2")),
        Version("1.0"),
        [simple("1.1")],
    )
    assert found is not None and str(found.version) == "1.2"


def test_releases_dropping_the_target_python_are_skipped() -> None:
    usable = demo(release("1.0"), release("1.1", requires_python=">=3.9"), release("1.2"))
    found = first_safe(usable, Version("1.0"), [simple("1.1")])
    assert found is not None and str(found.version) == "1.2"


def test_prereleases_are_skipped_for_a_final_version() -> None:
    usable = demo(release("1.0"), release("1.1rc1"), release("1.1"))
    found = first_safe(usable, Version("1.0"), [simple("1.1rc1")])
    assert found is not None and str(found.version) == "1.1"


def test_prereleases_are_allowed_for_a_prerelease_pin() -> None:
    usable = Releases(
        Project("demo", (release("1.0b1"), release("1.0rc1"), release("1.0"))), "3.8", True
    )
    found = first_safe(usable, Version("1.0b1"), [simple("1.0rc1")])
    assert found is not None and str(found.version) == "1.0rc1"


def test_nothing_outside_the_ranges_is_unfixable() -> None:
    (forever,) = parse_osv(
        {
            "id": "TEST-2",
            "affected": [
                {
                    "package": {"name": "demo", "ecosystem": "PyPI"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                }
            ],
        }
    )
    source = _Fixed({})
    package = PackageVersion("demo", Version("1.0"))
    choice = choose_fixes(
        source, {package: [forever]}, {package: demo(release("1.0"), release("2.0"))}
    )[package]
    assert choice.release is None
    assert choice.reason is not None and "outside every advisory's affected range" in choice.reason


def test_missing_index_project_is_the_reason() -> None:
    package = PackageVersion("demo", Version("1.0"))
    reason = "cannot choose a fixed release: demo: not found on the index (404)"
    choice = choose_fixes(_Fixed({}), {package: [simple("1.1")]}, {package: reason})[package]
    assert choice.release is None and choice.reason == reason


class _Fixed:
    """An advisory source answering from a fixed table (for pip-audit style fix hints)."""

    description = "fixed table"

    def __init__(self, table: dict[PackageVersion, tuple[Advisory, ...]]) -> None:
        self.table = table
        self.asked: list[PackageVersion] = []

    def audit(self, packages):
        self.asked.extend(packages)
        return AuditReport(tuple(PackageAudit(p, self.table.get(p, ())) for p in packages))


def test_incomplete_advisories_are_confirmed_by_a_second_audit() -> None:
    package = PackageVersion("demo", Version("1.0"))
    hint = Advisory(
        "TEST-3", "demo", complete=False, reported_fixes=(Version("1.1"),), observed=Version("1.0")
    )
    later = Advisory("TEST-4", "demo", ranges=(VersionRange(()),))
    source = _Fixed({PackageVersion("demo", Version("1.1")): (later,)})
    usable = demo(release("1.0"), release("1.0.1"), release("1.1"), release("1.2"))
    choice = choose_fixes(source, {package: [hint]}, {package: usable})[package]
    assert str(choice.version) == "1.2"
    assert [str(p.version) for p in source.asked] == ["1.1", "1.2"]


def test_an_unauditable_candidate_is_not_proposed() -> None:
    class Down(_Fixed):
        def audit(self, packages):
            from app.model import Unaudited

            return AuditReport(
                unaudited=tuple(Unaudited(p.name, str(p.version), "service down") for p in packages)
            )

    package = PackageVersion("demo", Version("1.0"))
    choice = choose_fixes(
        Down({}), {package: [simple("1.1")]}, {package: demo(release("1.0"), release("1.1"))}
    )[package]
    assert choice.release is None
    assert choice.reason == "the candidate fix 1.1 could not be audited: service down"
