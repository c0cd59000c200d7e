"""Range matching of OSV records: ECOSYSTEM events, explicit versions, withdrawn, pre-releases."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from packaging.version import Version

from app.security.advisory import Advisory, AdvisoryFormatError, parse_osv
from app.security.severity import severity_text
from tests.support import FIXTURES

VULNS = FIXTURES / "advisory-database" / "vulns"


def record(events: list[dict[str, str]], versions: list[str] | None = None, **extra: Any):
    affected: dict[str, Any] = {
        "package": {"name": "Demo_Pkg", "ecosystem": "PyPI"},
        "ranges": [{"type": "ECOSYSTEM", "events": events}],
    }
    if versions is not None:
        affected["versions"] = versions
    return {"id": "PYSEC-0000-1", "affected": [affected], **extra}


def advisory(events: list[dict[str, str]], versions: list[str] | None = None, **extra: Any):
    (parsed,) = parse_osv(record(events, versions, **extra))
    return parsed


def real(package: str, advisory_id: str) -> Advisory:
    data = yaml.safe_load((VULNS / package / f"{advisory_id}.yaml").read_text())
    (parsed,) = parse_osv(data)
    return parsed


def affected(adv: Advisory, *versions: str) -> list[bool]:
    return [adv.affects(Version(v)) for v in versions]


def test_introduced_zero_and_fixed() -> None:
    adv = advisory([{"introduced": "0"}, {"fixed": "2.10.1"}])
    assert affected(adv, "0.1", "2.10", "2.10.1", "2.11") == [True, True, False, False]
    assert adv.fix_versions == (Version("2.10.1"),)
    assert adv.affected_text() == "< 2.10.1"
    assert adv.package == "demo-pkg"


def test_several_introduced_fixed_pairs_in_one_range() -> None:
    adv = advisory(
        [{"introduced": "1.11"}, {"fixed": "1.11.22"}, {"introduced": "2.2"}, {"fixed": "2.2.3"}]
    )
    assert affected(adv, "1.10", "1.11.5", "1.11.22", "2.1", "2.2.0", "2.2.3") == [
        False,
        True,
        False,
        False,
        True,
        False,
    ]
    assert adv.affected_text() == ">= 1.11, < 1.11.22; >= 2.2, < 2.2.3"


def test_events_out_of_order_are_evaluated_in_version_order() -> None:
    adv = advisory([{"fixed": "3.0.2"}, {"introduced": "3.0.0"}])
    assert affected(adv, "2.9", "3.0.1", "3.0.2") == [False, True, False]


def test_last_affected_is_inclusive() -> None:
    adv = real("py", "PYSEC-2022-42969")
    assert affected(adv, "1.11.0", "1.11.1", "0.9.0") == [True, False, True]
    assert adv.fix_versions == ()
    assert adv.affected_text() == "<= 1.11.0"


def test_introduced_without_end_affects_everything_after() -> None:
    adv = advisory([{"introduced": "2.0"}])
    assert affected(adv, "1.9", "2.0", "99") == [False, True, True]
    assert adv.affected_text() == ">= 2.0"


def test_limit_closes_a_range() -> None:
    adv = advisory([{"introduced": "0"}, {"limit": "5.0"}])
    assert affected(adv, "4.9", "5.0") == [True, False]


def test_explicit_versions_without_ranges() -> None:
    data = record([], None)
    data["affected"][0]["ranges"] = []
    data["affected"][0]["versions"] = ["1.0", "1.2.0", "not a version"]
    (adv,) = parse_osv(data)
    assert affected(adv, "1.0.0", "1.1", "1.2") == [True, False, True]
    assert adv.affected_text() == "1.0, 1.2.0"


def test_explicit_versions_add_to_ranges() -> None:
    adv = advisory([{"introduced": "2.0"}, {"fixed": "2.1"}], versions=["1.5"])
    assert affected(adv, "1.5", "1.6", "2.0.5") == [True, False, True]


def test_withdrawn_advisory_affects_nothing() -> None:
    adv = real("redis", "PYSEC-2023-73")
    assert adv.withdrawn is not None
    assert affected(adv, "0.6.0", "4.5.4") == [False, False]


def test_prereleases_of_the_fix_are_still_affected() -> None:
    adv = advisory([{"introduced": "0"}, {"fixed": "2.11.3"}])
    assert affected(adv, "2.11.3rc1", "2.11.3.dev0", "2.11.3", "2.11.4a1") == [
        True,
        True,
        False,
        False,
    ]


def test_prerelease_introduction_bounds() -> None:
    adv = advisory([{"introduced": "3.0.0a2"}, {"fixed": "3.0.0"}])
    assert affected(adv, "3.0.0a1", "3.0.0a2", "3.0.0rc1", "3.0.0") == [False, True, True, False]


def test_git_ranges_are_ignored() -> None:
    data = record([{"introduced": "0"}, {"fixed": "1.0"}])
    data["affected"][0]["ranges"].append({"type": "GIT", "events": [{"introduced": "abc123"}]})
    (adv,) = parse_osv(data)
    assert affected(adv, "0.9", "1.0") == [True, False]


def test_real_jinja2_record_matches_its_version_list() -> None:
    adv = real("jinja2", "PYSEC-2019-217")
    assert set(adv.aliases) == {"GHSA-462w-v97r-4m45", "CVE-2019-10906"}
    assert affected(adv, "2.10", "2.10.1") == [True, False]
    assert adv.url == "https://osv.dev/vulnerability/PYSEC-2019-217"


@pytest.mark.slow
def test_every_fixture_record_agrees_with_its_explicit_versions() -> None:
    for path in VULNS.glob("*/*.yaml"):
        for adv in parse_osv(yaml.safe_load(path.read_text())):
            if adv.withdrawn:
                continue
            ranged = Advisory(adv.id, adv.package, ranges=adv.ranges)
            for version in adv.versions:
                assert adv.affects(version)
                if not version.is_prerelease:
                    assert ranged.affects(version), f"{path.name}: {version}"


def test_listed_prereleases_outside_the_ranges_still_match() -> None:
    # PYSEC-2023-61 ranges start at 3.2 but its version list names 3.2b1: the union counts.
    adv = real("django", "PYSEC-2023-61")
    ranged = Advisory(adv.id, adv.package, ranges=adv.ranges)
    assert not ranged.affects(Version("3.2b1"))
    assert affected(adv, "3.2b1", "3.2.18", "3.2.19") == [True, True, False]


def test_only_pypi_packages_become_advisories() -> None:
    data = record([{"introduced": "0"}])
    data["affected"].append({"package": {"name": "left-pad", "ecosystem": "npm"}})
    assert [a.package for a in parse_osv(data)] == ["demo-pkg"]


def test_severity_from_cvss_vector() -> None:
    adv = real("urllib3", "PYSEC-2023-192")
    text = severity_text(adv)
    assert text is not None and text.startswith("8.1 High (CVSS:3.")
    assert severity_text(real("jinja2", "PYSEC-2019-217")) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"affected": []}, "no 'id'"),
        ({"id": "X-1"}, "'affected' must be a list"),
        ({"id": "X-1", "affected": [{}]}, "needs a 'package'"),
        (record([{"introduced": "0"}, {"fixed": "not a version!"}]), "not a PEP 440"),
        (record([{"introduced": "0", "fixed": "1"}]), "exactly one key"),
        (record([{"introduced": "0"}, {"removed": "1"}]), "unknown range event"),
        (record([{"introduced": "0"}], aliases="CVE-1"), "'aliases' must be a list"),
    ],
)
def test_malformed_records_raise(data: dict[str, Any], message: str) -> None:
    with pytest.raises(AdvisoryFormatError, match=message):
        parse_osv(data)
