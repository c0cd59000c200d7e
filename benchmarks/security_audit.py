"""Auditing 100 pinned dependencies: the offline advisory directory and pip-audit.

Usage: python benchmarks/security_audit.py [ADVISORY_DB]

ADVISORY_DB defaults to the full PyPA advisory-database snapshot in ../shared when it is there,
else to the records in fixtures/. The 100 pins are spread over the database's packages, each
pinned to a version its first advisory lists (so most are vulnerable). The offline figure
includes listing the directory and parsing the records of the 100 packages (load once, index
by package); the pip-audit figure is one pip-audit run against a local OSV server serving the
same records (server start-up not counted). Target: offline under 1 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.security.directory import AdvisoryDirectory, load_yaml  # noqa: E402
from app.security.pip_audit import PipAuditSettings, PipAuditSource  # noqa: E402
from app.security.source import AuditReport, PackageVersion  # noqa: E402
from tests.support.osv_server import ADVISORY_DB, load_records, osv_server  # noqa: E402

SHARED_DB = ROOT.parent / "shared" / "advisory-database"
PINS = 100
TARGET_SECONDS = 1.0


def choose_pins(root: Path, count: int) -> list[PackageVersion]:
    folders = sorted(p for p in (root / "vulns").iterdir() if p.is_dir())
    step = max(len(folders) // count, 1)
    pins: list[PackageVersion] = []
    for folder in folders[::step]:
        version = _listed_version(folder)
        if version is not None:
            pins.append(PackageVersion(folder.name.lower(), version))
        if len(pins) == count:
            break
    return pins


def _listed_version(folder: Path) -> Version | None:
    for record_path in sorted(folder.glob("*.yaml")):
        record = load_yaml(record_path.read_text())
        for affected in record.get("affected", []):
            for text in reversed(affected.get("versions") or []):
                try:
                    return Version(str(text))
                except InvalidVersion:
                    continue
    return None


def vulnerable(report: AuditReport) -> int:
    return sum(1 for audit in report.audited if audit.advisories)


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED_DB
    if not (root / "vulns").is_dir():
        root = ADVISORY_DB
    pins = choose_pins(root, PINS)

    started = time.perf_counter()
    directory = AdvisoryDirectory(root)
    offline = directory.audit(pins)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    directory.audit(pins)
    warm = time.perf_counter() - started

    with osv_server(load_records(root)) as server:
        source = PipAuditSource(PipAuditSettings(osv_url=server.query_url, timeout=600))
        started = time.perf_counter()
        online = source.audit(pins)
        pip_audit = time.perf_counter() - started

    print(f"advisory records: {root} ({len(directory.files)} packages indexed)")
    print(f"pins audited: {len(pins)}")
    verdict = "OK" if cold < TARGET_SECONDS else "SLOW"
    print(
        f"offline directory: {cold:.3f} s cold (list + parse + match), {warm * 1000:.1f} ms warm;"
        f" {vulnerable(offline)} vulnerable; target < {TARGET_SECONDS:g} s: {verdict}"
    )
    print(
        f"pip-audit {len(pins)} pins against local OSV server: {pip_audit:.2f} s;"
        f" {vulnerable(online)} vulnerable, {len(online.unaudited)} unaudited"
    )


if __name__ == "__main__":
    main()
