"""The two advisory sources on the same real records: the offline directory, and pip-audit
against a local OSV server."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import httpx
import pytest
import yaml
from packaging.version import Version

from app.security.directory import AdvisoryDirectory, load_yaml
from app.security.pip_audit import PipAuditFailed, PipAuditSettings, PipAuditSource, parse_report
from app.security.source import AuditReport, PackageVersion
from tests.support.osv_server import ADVISORY_DB, OsvServer, osv_server

KNOWN_VULNERABLE = {
    "requests": ("2.19.0", {"PYSEC-2018-28", "PYSEC-2023-74"}),
    "jinja2": ("2.10", {"PYSEC-2019-217", "PYSEC-2021-66"}),
    "pyyaml": ("5.3", {"PYSEC-2020-96", "PYSEC-2021-142"}),
    "urllib3": ("1.24.1", {"PYSEC-2019-132", "PYSEC-2019-133", "PYSEC-2021-108"}),
    "django": ("2.2.0", {"PYSEC-2019-10", "PYSEC-2022-1", "PYSEC-2020-31"}),
}
PINS = [PackageVersion(name, Version(v)) for name, (v, _) in KNOWN_VULNERABLE.items()]


def ids(report: AuditReport) -> dict[str, set[str]]:
    return {a.package.name: {x.id for x in a.advisories} for a in report.audited if a.advisories}


def check_known_vulnerable(report: AuditReport) -> None:
    found = ids(report)
    for name, (_, expected) in KNOWN_VULNERABLE.items():
        assert expected <= found[name], name
    assert not report.unaudited


# --- offline directory -------------------------------------------------------------------


def test_directory_finds_the_known_vulnerable_pins() -> None:
    report = AdvisoryDirectory(ADVISORY_DB).audit(
        [*PINS, PackageVersion("requests", Version("2.31.0"))]
    )
    check_known_vulnerable(report)
    clean = [a for a in report.audited if a.package.version == Version("2.31.0")]
    assert clean and clean[0].advisories == ()


def test_directory_loads_each_package_once_and_only_when_asked(tmp_path: Path) -> None:
    directory = AdvisoryDirectory(ADVISORY_DB)
    directory.audit([PackageVersion("jinja2", Version("2.10"))])
    assert set(directory._loaded) == {"jinja2"}
    first = directory.advisories("Jinja2")
    assert directory.advisories("jinja2") is first


def test_unknown_package_is_audited_clean_against_the_directory() -> None:
    report = AdvisoryDirectory(ADVISORY_DB).audit([PackageVersion("left-pad", Version("1.0"))])
    assert report.audited[0].advisories == ()


def test_withdrawn_advisory_reports_nothing() -> None:
    report = AdvisoryDirectory(ADVISORY_DB).audit([PackageVersion("redis", Version("4.5.4"))])
    assert report.audited[0].advisories == ()


def test_unparsable_records_are_skipped_with_a_warning_naming_the_file(tmp_path: Path) -> None:
    root = tmp_path / "db"
    shutil.copytree(ADVISORY_DB / "vulns" / "jinja2", root / "vulns" / "jinja2")
    broken = root / "vulns" / "jinja2" / "PYSEC-9999-1.yaml"
    broken.write_text("id: PYSEC-9999-1\naffected: [\n")
    wrong = root / "vulns" / "jinja2" / "PYSEC-9999-2.yaml"
    wrong.write_text(
        "id: PYSEC-9999-2\naffected:\n- package: {name: jinja2, ecosystem: PyPI}\n"
        "  ranges: [{type: ECOSYSTEM, events: [{fixed: banana!}]}]\n"
    )
    as_json = root / "vulns" / "jinja2" / "PYSEC-9999-3.json"
    as_json.write_text(
        '{"id": "PYSEC-9999-3", "affected": [{"package": {"name": "Jinja2", '
        '"ecosystem": "PyPI"}, "versions": ["2.10"]}]}'
    )
    report = AdvisoryDirectory(root).audit([PackageVersion("jinja2", Version("2.10"))])
    assert {"PYSEC-2019-217", "PYSEC-2021-66", "PYSEC-9999-3"} <= ids(report)["jinja2"]
    warnings = {Path(w.file).name: w for w in report.warnings}
    assert set(warnings) == {"PYSEC-9999-1.yaml", "PYSEC-9999-2.yaml"}
    assert "invalid YAML" in warnings["PYSEC-9999-1.yaml"].message
    assert warnings["PYSEC-9999-1.yaml"].line == 3
    assert "banana!" in warnings["PYSEC-9999-2.yaml"].message


def test_fast_yaml_loading_matches_the_base_loader() -> None:
    for path in sorted((ADVISORY_DB / "vulns").glob("*/*.yaml")):
        text = path.read_text()
        assert load_yaml(text) == yaml.load(text, Loader=yaml.BaseLoader), path.name


def test_missing_directory_leaves_everything_unaudited(tmp_path: Path) -> None:
    report = AdvisoryDirectory(tmp_path / "nowhere").audit(PINS)
    assert report.audited == ()
    assert {u.package for u in report.unaudited} == set(KNOWN_VULNERABLE)
    assert all("does not exist" in u.reason for u in report.unaudited)


# --- pip-audit through a local OSV server --------------------------------------------------


@pytest.fixture
def osv():
    with osv_server() as server:
        yield server


def pip_audit(server: OsvServer | None, **options) -> PipAuditSource:
    url = server.query_url if server else "http://127.0.0.1:9/v1/query"
    return PipAuditSource(PipAuditSettings(osv_url=url, **options))


@pytest.mark.slow
def test_pip_audit_finds_the_same_advisories_as_the_directory(osv: OsvServer) -> None:
    clean = PackageVersion("requests", Version("2.31.0"))
    report = pip_audit(osv).audit([*PINS, clean])
    check_known_vulnerable(report)
    # The server matches explicit version lists only; the directory matches ranges too.
    offline = AdvisoryDirectory(ADVISORY_DB).audit(PINS)
    vulnerable = {
        a.package.name: {x.id for x in a.advisories} for a in report.audited if a.advisories
    }
    assert vulnerable == ids(offline)
    by_version = {(a.package.name, str(a.package.version)): a for a in report.audited}
    assert by_version[("requests", "2.31.0")].advisories == ()
    jinja = {a.id: a for a in by_version[("jinja2", "2.10")].advisories}
    assert jinja["PYSEC-2019-217"].fix_versions == (Version("2.10.1"),)
    assert "CVE-2019-10906" in jinja["PYSEC-2019-217"].aliases
    assert jinja["PYSEC-2019-217"].summary.startswith("In Pallets Jinja before 2.10.1")
    queried = {body for path, body in osv.requests if path == "/v1/query"}
    assert any('"name": "jinja2"' in body and '"version": "2.10"' in body for body in queried)


def test_pip_audit_crash_leaves_the_batch_unaudited(osv: OsvServer) -> None:
    osv.mode = "error"
    report = pip_audit(osv).audit(PINS)
    assert report.audited == ()
    assert len(report.unaudited) == len(PINS)
    reason = report.unaudited[0].reason
    assert reason.startswith("pip-audit failed (exit 1): ")
    assert "ServiceError (requests.exceptions.HTTPError: 500 Server Error" in reason


def test_pip_audit_timeout_leaves_the_batch_unaudited(osv: OsvServer) -> None:
    osv.delay = 10
    report = pip_audit(osv, timeout=3).audit(PINS[:1])
    assert [u.reason for u in report.unaudited] == ["pip-audit did not finish within 3 s"]


def test_unreachable_service_leaves_the_batch_unaudited() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = PipAuditSource(PipAuditSettings(osv_url=f"http://127.0.0.1:{port}/v1/query"))
    report = source.audit(PINS[:2])
    assert len(report.unaudited) == 2
    assert "Connection" in report.unaudited[0].reason


def test_pip_audit_that_cannot_start_is_reported() -> None:
    source = PipAuditSource(PipAuditSettings(command=("/nonexistent/pip-audit",)))
    report = source.audit(PINS[:1])
    assert report.unaudited[0].reason.startswith("cannot run pip-audit:")


@pytest.mark.slow
def test_two_versions_of_one_package_are_audited_in_separate_runs(osv: OsvServer) -> None:
    report = pip_audit(osv).audit(
        [PackageVersion("jinja2", Version("2.10")), PackageVersion("jinja2", Version("2.11.3"))]
    )
    found = {str(a.package.version): {x.id for x in a.advisories} for a in report.audited}
    assert found["2.11.3"] == set() and "PYSEC-2021-66" in found["2.10"]


# --- pip-audit's JSON -----------------------------------------------------------------------


def test_skip_reason_makes_a_package_unaudited() -> None:
    document = {
        "dependencies": [
            {"name": "Jinja2", "version": "2.10", "vulns": []},
            {
                "name": "private-pkg",
                "skip_reason": "Dependency not found on PyPI and could not be audited",
            },
        ],
        "fixes": [],
    }
    requested = [
        PackageVersion("jinja2", Version("2.10")),
        PackageVersion("private-pkg", Version("1.0")),
        PackageVersion("ghost", Version("1.0")),
    ]
    report = parse_report(document, requested)
    assert [a.package.name for a in report.audited] == ["jinja2"]
    reasons = {u.package: u.reason for u in report.unaudited}
    assert reasons == {
        "private-pkg": "pip-audit skipped it: "
        "Dependency not found on PyPI and could not be audited",
        "ghost": "missing from pip-audit's report",
    }


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"dependencies": "x"},
        {"dependencies": [{"version": "1"}]},
        {"dependencies": [{"name": "a", "version": "not valid!"}]},
    ],
)
def test_malformed_pip_audit_json_is_a_failure(document) -> None:
    with pytest.raises(PipAuditFailed):
        parse_report(document, [])


def test_an_unexpected_pip_audit_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    monkeypatch.setattr(metadata, "version", lambda name: "2.7.0")
    report = PipAuditSource().audit(PINS[:1])
    assert report.unaudited[0].reason == "pip-audit 2.7.0 is installed; expected 2.10.1"


def test_local_osv_server_speaks_querybatch_and_vulns(osv: OsvServer) -> None:
    batch = {
        "queries": [
            {"package": {"name": "Jinja2", "ecosystem": "PyPI"}, "version": "2.10"},
            {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.11.3"},
        ]
    }
    answer = httpx.post(f"{osv.url}/v1/querybatch", json=batch).json()
    first, second = answer["results"]
    assert {v["id"] for v in first["vulns"]} == {"PYSEC-2019-217", "PYSEC-2021-66"}
    assert second == {}
    record = httpx.get(f"{osv.url}/v1/vulns/PYSEC-2019-217").json()
    assert record["id"] == "PYSEC-2019-217" and record["modified"].endswith("Z")
    assert httpx.get(f"{osv.url}/v1/vulns/NOPE-1").status_code == 404
