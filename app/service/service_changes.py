"""What changed on a service's code, for the jobs that look for a suspected cause (the
incident job's triage, the trends job's "Trend alert" at a level shift): the service in the
repositories' `services:` catalogs, the commits of a checkout in a time window (git log of the
default branch, merges by their first parent), and which of them merged the bot's own PRs.

The choice among the commits (the service's paths, the window, the ranking) is pure, in
`app.incidents.triage`."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from app.config import RepoConfig, Service
from app.incidents.triage import LOOKBACK, Change, pr_number
from app.queue import JobFailed
from app.store import RepositoryRecord, Store

MAX_COMMITS = 500
_FIELD, _RECORD = "\x1f", "\x1e"


def find_service(store: Store, name: str) -> tuple[RepositoryRecord, Service, list[Service]] | None:
    """The repository whose catalog declares the service, the service, and every service of
    every catalog (for the blast radius)."""
    found: tuple[RepositoryRecord, Service] | None = None
    catalog: list[Service] = []
    for repository in store.repositories():
        config = store.last_valid_config(repository.id) or RepoConfig()
        catalog.extend(config.services)
        for service in config.services:
            if service.name == name and found is None:
                found = (repository, service)
    return (found[0], found[1], catalog) if found is not None else None


def changes_before(root: Path, started_at: datetime, bot_login: str) -> list[Change]:
    """Commits reachable from HEAD committed in the lookback before ``started_at``."""
    return changes_between(root, started_at - LOOKBACK, started_at, bot_login)


def changes_between(root: Path, since: datetime, until: datetime, bot_login: str) -> list[Change]:
    """Commits reachable from HEAD committed from ``since`` to ``until`` (at most
    ``MAX_COMMITS``, newest first), each with the paths it touched."""
    fields = _FIELD.join(["%H", "%an", "%cI", "%s"])
    command = ["git", "-C", str(root), "log", f"--since={since.isoformat()}"]
    command += [f"--until={until.isoformat()}", f"--max-count={MAX_COMMITS}"]
    command += [f"--format={_RECORD}{fields}", "--name-only"]
    done = subprocess.run(
        [*command, "-m", "--first-parent"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise JobFailed(f"git log failed: {done.stderr.strip()[:500]}")
    changes = []
    bot = bot_login.removesuffix("[bot]")
    for record in done.stdout.split(_RECORD)[1:]:
        head, _, names = record.partition("\n")
        sha, author, when, subject = head.split(_FIELD, 3)
        paths = tuple(name for name in names.splitlines() if name.strip())
        changes.append(
            Change(
                sha=sha,
                subject=subject,
                author=author,
                at=datetime.fromisoformat(when),
                paths=paths,
                pr_number=pr_number(subject),
                by_bot=author.removesuffix("[bot]") == bot,
            )
        )
    return changes


def with_bot_prs(
    store: Store, repository: RepositoryRecord, changes: Sequence[Change]
) -> list[Change]:
    """Mark the commits that merged one of the bot's own pull requests."""
    ours = {p.pr_number for p in store.proposals(repository.id) if p.pr_number}
    return [c if c.by_bot or c.pr_number not in ours else replace(c, by_bot=True) for c in changes]
