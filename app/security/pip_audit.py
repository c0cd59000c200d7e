"""The pip-audit source: run pip-audit as a subprocess on ``name==version`` lines.

pip-audit runs with ``--no-deps --disable-pip`` on a generated requirements file, so nothing is
resolved or installed and the scanned project's code never runs. Every requested package comes
back audited or unaudited with a reason; a crash, a timeout or an unreachable service makes the
whole batch unaudited, never clean.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from app.model import Unaudited
from app.security.advisory import Advisory
from app.security.source import AuditReport, PackageAudit, PackageVersion

_RAISED = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b:?")

PIP_AUDIT_VERSION = "2.10.1"
"""The pip-audit whose JSON output this module parses (pinned in pyproject.toml)."""

Service = Literal["osv", "pypi"]


class PipAuditFailed(Exception):
    """pip-audit did not produce a report: the reason names what happened."""


@dataclass(frozen=True)
class PipAuditSettings:
    service: Service = "osv"
    osv_url: str | None = None
    timeout: float = 120.0
    socket_timeout: int = 15
    command: tuple[str, ...] = (sys.executable, "-m", "pip_audit")


class PipAuditSource:
    """An `AdvisorySource` backed by pip-audit and its vulnerability service."""

    def __init__(self, settings: PipAuditSettings | None = None) -> None:
        self.settings = settings or PipAuditSettings()

    @property
    def description(self) -> str:
        where = f" at {self.settings.osv_url}" if self.settings.osv_url else ""
        return f"pip-audit {PIP_AUDIT_VERSION} ({self.settings.service} service{where})"

    def audit(self, packages: Sequence[PackageVersion]) -> AuditReport:
        audited: list[PackageAudit] = []
        unaudited: list[Unaudited] = []
        for batch in _batches(packages):
            try:
                report = self._run(batch)
            except PipAuditFailed as exc:
                unaudited.extend(Unaudited(p.name, str(p.version), str(exc)) for p in batch)
                continue
            audited.extend(report.audited)
            unaudited.extend(report.unaudited)
        return AuditReport(tuple(audited), tuple(unaudited))

    def _run(self, batch: Sequence[PackageVersion]) -> AuditReport:
        _check_version()
        with tempfile.TemporaryDirectory(prefix="maintainer-audit-") as work:
            folder = Path(work)
            requirements = folder / "requirements.txt"
            requirements.write_text("".join(f"{p.name}=={p.version}\n" for p in batch))
            output = folder / "report.json"
            completed = self._execute(self._arguments(requirements, output, folder / "cache"))
            # pip-audit exits 1 both when it found vulnerabilities and when it failed.
            if completed.returncode not in (0, 1) or not output.is_file():
                raise PipAuditFailed(_failure(completed))
            try:
                data = json.loads(output.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise PipAuditFailed(f"pip-audit wrote unreadable JSON: {exc}") from exc
        return parse_report(data, batch)

    def _arguments(self, requirements: Path, output: Path, cache: Path) -> list[str]:
        arguments = [
            *self.settings.command,
            "--requirement",
            str(requirements),
            "--format",
            "json",
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--desc",
            "on",
            "--aliases",
            "on",
            "--vulnerability-service",
            self.settings.service,
            "--timeout",
            str(self.settings.socket_timeout),
            "--cache-dir",
            str(cache),
            "--output",
            str(output),
        ]
        if self.settings.service == "osv" and self.settings.osv_url:
            arguments += ["--osv-url", self.settings.osv_url]
        return arguments

    def _execute(self, arguments: list[str]) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PIP_AUDIT_")}
        try:
            return subprocess.run(
                arguments,
                capture_output=True,
                text=True,
                timeout=self.settings.timeout,
                env=environment,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PipAuditFailed(
                f"pip-audit did not finish within {self.settings.timeout:g} s"
            ) from exc
        except OSError as exc:
            raise PipAuditFailed(f"cannot run pip-audit: {exc}") from exc


def parse_report(data: Any, requested: Sequence[PackageVersion]) -> AuditReport:
    """Read pip-audit's JSON; a requested package it does not mention stays unaudited."""
    if not isinstance(data, Mapping) or not isinstance(data.get("dependencies"), list):
        raise PipAuditFailed("pip-audit's JSON has no 'dependencies' list")
    audited: list[PackageAudit] = []
    skipped: dict[str, str] = {}
    for entry in data["dependencies"]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise PipAuditFailed(f"pip-audit's JSON has a malformed dependency: {entry!r}")
        name = str(canonicalize_name(entry["name"]))
        if "skip_reason" in entry:
            skipped[name] = str(entry["skip_reason"])
            continue
        package = PackageVersion(name, _version(entry.get("version")))
        audited.append(PackageAudit(package, tuple(_advisories(entry, package))))
    found = {a.package for a in audited}
    unaudited = [
        Unaudited(
            p.name,
            str(p.version),
            f"pip-audit skipped it: {skipped[p.name]}"
            if p.name in skipped
            else "missing from pip-audit's report",
        )
        for p in requested
        if p not in found
    ]
    return AuditReport(tuple(a for a in audited if a.package in requested), tuple(unaudited))


def _advisories(entry: Mapping[str, Any], package: PackageVersion) -> Iterator[Advisory]:
    for vuln in entry.get("vulns") or []:
        if not isinstance(vuln, Mapping) or not isinstance(vuln.get("id"), str):
            raise PipAuditFailed(f"pip-audit's JSON has a malformed vulnerability: {vuln!r}")
        yield Advisory(
            id=vuln["id"],
            package=package.name,
            aliases=tuple(str(a) for a in vuln.get("aliases") or ()),
            summary=" ".join(str(vuln.get("description") or "").split()),
            complete=False,
            reported_fixes=tuple(_version(v) for v in vuln.get("fix_versions") or ()),
            observed=package.version,
        )


def _version(text: Any) -> Version:
    try:
        return Version(str(text))
    except InvalidVersion as exc:
        raise PipAuditFailed(f"pip-audit reported an invalid version {text!r}") from exc


def _batches(packages: Sequence[PackageVersion]) -> Iterator[list[PackageVersion]]:
    """pip-audit rejects two pins of one name in a file: spread them over several runs."""
    pending = sorted(set(packages))
    while pending:
        batch: list[PackageVersion] = []
        rest: list[PackageVersion] = []
        names: set[str] = set()
        for package in pending:
            (rest if package.name in names else batch).append(package)
            names.add(package.name)
        yield batch
        pending = rest


def _failure(completed: subprocess.CompletedProcess[str]) -> str:
    """The line of pip-audit's error output that names the problem."""
    lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
    raised = [line for line in lines if _RAISED.match(line)]
    logged = [line.removeprefix("ERROR:") for line in lines if line.startswith("ERROR:")]
    cause = (raised or logged[:1] or lines[-1:] or ["no error output"])[-1]
    explained = [line for line in raised if ": " in line]
    if ": " not in cause and explained:
        cause = f"{cause} ({explained[-1]})"  # a bare wrapper exception: name what it wraps
    return f"pip-audit failed (exit {completed.returncode}): {cause}"


def _check_version() -> None:
    try:
        installed = metadata.version("pip-audit")
    except metadata.PackageNotFoundError as exc:
        raise PipAuditFailed("pip-audit is not installed") from exc
    if installed != PIP_AUDIT_VERSION:
        raise PipAuditFailed(f"pip-audit {installed} is installed; expected {PIP_AUDIT_VERSION}")
