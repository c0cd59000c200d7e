"""The incident job the queue runs after each Alertmanager notification that opened, grew or
resolved an incident: find the service in the repositories' `services:` catalogs (an alert's
`service` label, else `job`), read what changed on the service's code in the 24 hours before
the incident started (the repository's default branch, checked out in the App's workspace;
commits of the bot's own merged PRs first), and keep the incident's issue in that repository
in place (`app.events.bot_issues`): opened with the triage, edited as alerts join, closed
with the time to resolve when it resolves; on resolution it also opens the post-incident
report's draft PR (`app.incidents.postmortem`) through the composer.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from app.composer.github import FAILED, ComposedPull, GitHubComposer, bot_for
from app.config import RepoConfig, Service
from app.events.bot_issues import keep_issue
from app.github import Installation
from app.incidents.postmortem import PrecedingAlert, postmortem, report_proposal
from app.incidents.triage import (
    LOOKBACK,
    Change,
    Triage,
    incident_markdown,
    incident_title,
    pr_number,
    service_name,
    triage,
)
from app.queue import JobFailed
from app.service.scan_job import check_out, record_composed
from app.settings import Settings
from app.store import JobRecord, RepositoryRecord, Store
from app.workspace import Checkout, Workspace

log = logging.getLogger(__name__)

LABEL = "incident"
MAX_COMMITS = 500
_FIELD, _RECORD = "\x1f", "\x1e"


def incident_key(incident_id: int) -> str:
    return f"incident:{incident_id}"


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
    since = (started_at - LOOKBACK).isoformat()
    until = started_at.isoformat()
    fields = _FIELD.join(["%H", "%an", "%cI", "%s"])
    command = ["git", "-C", str(root), "log", f"--since={since}", f"--until={until}"]
    command += [f"--max-count={MAX_COMMITS}", f"--format={_RECORD}{fields}", "--name-only"]
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


class IncidentJob:
    def __init__(
        self, settings: Settings, store: Store, installation: Callable[[int], Installation]
    ) -> None:
        self.settings = settings
        self.store = store
        self.installation = installation

    def __call__(self, job: JobRecord) -> None:
        incident_id = job.args.get("incident")
        incident = self.store.incident(int(incident_id)) if isinstance(incident_id, int) else None
        if incident is None:
            raise JobFailed(f"job {job.id}: no incident {incident_id!r}")
        name = service_name(incident)
        located = find_service(self.store, name) if name else None
        if located is None:
            reason = (
                f"no repository's `services:` catalog names {name!r}"
                if name
                else "the alerts carry no `service` or `job` label"
            )
            self.store.add_incident_event(incident.id, "unrouted", {"reason": reason})
            log.info("incident %s: %s; no issue", incident.id, reason)
            return
        repository, service, catalog = located
        if repository.installation_id is None:
            raise JobFailed(f"{repository.full_name} is not part of any installation")
        gh = self.installation(repository.installation_id)
        workspace, checkout, config, _ = check_out(self.settings, self.store, gh, repository)
        bot = self.settings.bot_login()
        changes = self._with_bot_prs(
            repository, changes_before(checkout.path, incident.started_at, bot)
        )
        result = triage(incident, service, catalog, changes)
        first = incident.issue_number is None
        kept = keep_issue(
            gh,
            self.store,
            repository,
            incident_key(incident.id),
            title=incident_title(result),
            body=incident_markdown(result),
            bot_login=bot,
            labels=[LABEL],
            state="closed" if incident.status == "resolved" else "open",
        )
        self.store.set_incident_issue(incident.id, repository.full_name, kept.number)
        self.store.add_incident_event(
            incident.id,
            "triage" if first else "issue",
            {
                "issue": kept.number,
                "action": kept.action,
                "suspects": [c.sha for c in result.changes[:5]],
            },
        )
        if incident.status == "resolved":
            settled = self.store.incident(incident.id) or incident  # with its issue now
            self._report(
                gh,
                ReportContext(workspace, checkout, config, repository, service),
                replace(result, incident=settled),
            )

    def _report(self, gh: Installation, where: ReportContext, result: Triage) -> None:
        """The post-incident report's draft PR, once per incident: the branch is the
        incident's, so a retry finds its PR (open: kept as is unless the report changed;
        merged or closed: left alone) instead of opening another."""
        incident = result.incident
        alerts = [
            PrecedingAlert(found.full_name, alert)
            for alert in self.store.trend_alerts()
            if (found := self.store.repository_by_id(alert.repository_id)) is not None
        ]
        samples = self.store.health_samples(where.repository.id)
        report = postmortem(
            result,
            where.service,
            self.store.incident_timeline(incident.id),
            alerts,
            samples[-1] if samples else None,
        )
        if (where.checkout.path / report.path).exists():
            detail = f"{report.path} is already on the default branch"
            self.store.add_incident_event(incident.id, "postmortem", {"skipped": detail})
            log.info("incident %s: %s; no report PR", incident.id, detail)
            return
        proposal = report_proposal(report, result)
        composer = GitHubComposer(
            gh,
            where.workspace,
            where.checkout,
            bot_for(gh, self.settings.app_slug),
            where.config,
        )
        composed = composer.compose([proposal])
        record_composed(self.store, where.repository, [proposal], composed)
        for item in composed:
            if item.proposal_id != proposal.id:
                continue
            if item.action == FAILED:
                raise JobFailed(f"incident {incident.id}: report PR: {item.detail}")
            number = item.number if isinstance(item, ComposedPull) else None
            if item.action == "created":
                self.store.add_incident_event(
                    incident.id, "postmortem", {"pr": number, "path": report.path}
                )
            log.info(
                "incident %s: report %s: %s %s", incident.id, report.path, item.action, item.detail
            )

    def _with_bot_prs(
        self, repository: RepositoryRecord, changes: Sequence[Change]
    ) -> list[Change]:
        """Mark the commits that merged one of the bot's own pull requests."""
        ours = {p.pr_number for p in self.store.proposals(repository.id) if p.pr_number}
        return [c if c.by_bot or c.pr_number not in ours else _as_bot(c) for c in changes]


@dataclass(frozen=True)
class ReportContext:
    """Where the report PR goes: the service's repository, checked out."""

    workspace: Workspace
    checkout: Checkout
    config: RepoConfig
    repository: RepositoryRecord
    service: Service


def _as_bot(change: Change) -> Change:
    return replace(change, by_bot=True)
