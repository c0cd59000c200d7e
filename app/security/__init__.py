"""Known-vulnerability auditing: OSV records, range matching, fix choice and pip-audit.

`source_for` builds the configured `AdvisorySource`: a local directory of OSV records when one
is named, else pip-audit with the configured vulnerability service.
"""

from __future__ import annotations

from pathlib import Path

from app.config import SecuritySettings
from app.security.directory import AdvisoryDirectory
from app.security.pip_audit import PipAuditSettings, PipAuditSource
from app.security.source import AdvisorySource


def source_for(settings: SecuritySettings, root: Path | None = None) -> AdvisorySource:
    """The advisory source the settings ask for; a relative ``advisory_db`` is under ``root``."""
    if settings.advisory_db:
        path = Path(settings.advisory_db).expanduser()
        if not path.is_absolute() and root is not None:
            path = root / path
        return AdvisoryDirectory(path)
    return PipAuditSource(PipAuditSettings(service=settings.service, osv_url=settings.osv_url))
