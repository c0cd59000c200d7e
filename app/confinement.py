"""What a repository's `.maintainer.yml` may name when the App scans it on its own host.

A repository is untrusted input. Its configuration may choose among behaviours, but it never
names a host path outside its checkout or a network address the bot contacts: those are the
operator's service settings (`MAINTAINER_ADVISORY_DB`, `MAINTAINER_OSV_URL`). `confine` turns
the repository's wishes into the configuration in force and lists each key it set aside, with
the reason, for the `maintainer/config` check run. The CLI, on the user's own checkout, keeps
the file's values as they are.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from app.config import RepoConfig


@dataclass(frozen=True)
class ServiceSecurity:
    """The operator's choice of advisory source (from `app.settings.Settings`)."""

    advisory_db: Path | None = None
    osv_url: str | None = None


@dataclass(frozen=True)
class IgnoredSetting:
    """A `.maintainer.yml` key the App did not use, and why."""

    key: str
    reason: str


@dataclass(frozen=True)
class Confined:
    config: RepoConfig
    ignored: tuple[IgnoredSetting, ...]


def confine(config: RepoConfig, checkout: Path, service: ServiceSecurity) -> Confined:
    """The configuration the App runs with: host paths and addresses come from ``service``."""
    ignored: list[IgnoredSetting] = []
    security = config.security
    advisory_db = str(service.advisory_db) if service.advisory_db is not None else None
    if security.advisory_db is not None:
        kept, problem = _inside(checkout, security.advisory_db)
        if kept is not None:
            advisory_db = kept
        else:
            ignored.append(
                IgnoredSetting(
                    "security.advisory_db",
                    f"{problem}; the App reads advisories only from its checkout of the "
                    "repository or from the operator's MAINTAINER_ADVISORY_DB",
                )
            )
    if security.osv_url is not None:
        ignored.append(
            IgnoredSetting(
                "security.osv_url",
                "the App contacts no address named by a repository; the OSV service is the "
                "operator's MAINTAINER_OSV_URL",
            )
        )
    confined = security.model_copy(update={"advisory_db": advisory_db, "osv_url": service.osv_url})
    return Confined(config.model_copy(update={"security": confined}), tuple(ignored))


def _inside(checkout: Path, value: str) -> tuple[str | None, str]:
    """``value`` as a path relative to the checkout when it stays inside it (symlinks
    resolved), else ``None`` and what is wrong with it."""
    if value.startswith("~"):
        return None, f"{value!r} names a home directory on the bot's host"
    if posixpath.isabs(value) or Path(value).is_absolute():
        return None, f"{value!r} is an absolute path on the bot's host"
    root = checkout.resolve()
    resolved = (root / value).resolve()
    if not resolved.is_relative_to(root):
        return None, f"{value!r} leads outside the repository"
    return resolved.relative_to(root).as_posix(), ""
