"""The incident job the queue runs after each Alertmanager notification that opened, grew or
resolved an incident: find the service in the repositories' `services:` catalogs (an alert's
`service` label, else `job`), read what changed on the service's code in the 24 hours before
the incident started (the repository's default branch, checked out in the App's workspace;
commits of the bot's own merged PRs first), and keep the incident's issue in that repository
in place (`app.events.bot_issues`): opened with the triage, edited as alerts join, closed
with the time to resolve when it resolves.

It also reads the alert's runbook (`runbooks/<alertname>.yml`, `app.incidents.runbooks`), runs
its `auto` steps once while the incident fires, and runs the step a `/maintainer run` comment
asked for (job args `run`, `actor`, `comment`), once per comment; each run is recorded in the
timeline and shown in the issue's Runbook section (`app.service.runbook_steps` does the run).
On resolution it also opens the post-incident report's draft PR (`app.incidents.postmortem`)
through the composer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from app.composer.github import FAILED, ComposedPull, GitHubComposer, bot_for
from app.config import RepoConfig, Service
from app.events.bot_issues import KeptIssue, keep_issue
from app.github import Installation
from app.health.render_markdown import md_text
from app.incidents.postmortem import PrecedingAlert, postmortem, report_proposal
from app.incidents.runbooks import (
    RUNBOOK_ERROR_EVENT,
    RUNBOOK_EVENT,
    STEP_EVENT,
    Runbook,
    RunbookError,
    Step,
    human_runbook_url,
    last_runbook_detail,
    load_runbook,
    ran_automatically,
    ran_for_comment,
    runbook_event,
    runbook_path,
    runbook_view,
)
from app.incidents.triage import (
    Triage,
    incident_key,
    incident_markdown,
    incident_title,
    service_name,
    triage,
)
from app.queue import JobFailed
from app.service.runbook_steps import (
    TIMEOUT_SECONDS,
    Endpoints,
    StepResult,
    call_endpoint,
    open_revert,
)
from app.service.scan_job import check_out, record_composed
from app.service.service_changes import changes_before, find_service, with_bot_prs
from app.settings import Settings, SettingsError
from app.store import JobRecord, RepositoryRecord, Store
from app.store.records import IncidentRecord
from app.templates import render
from app.workspace import Checkout, Workspace, WorkspaceError

log = logging.getLogger(__name__)

LABEL = "incident"
AUTO = "auto"
"""The trigger of a step run the bot started itself (a comment's is ``comment:<id>``)."""


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
        changes = with_bot_prs(
            self.store, repository, changes_before(checkout.path, incident.started_at, bot)
        )
        result = triage(incident, service, catalog, changes)
        book = self._runbook(incident, checkout.path)
        first = incident.issue_number is None
        kept = self._keep(gh, repository, incident, result, book)
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
        steps = Steps(self, gh, workspace, checkout, incident, result, kept.number)
        ran = steps.run_auto(book.runbook)
        command = job.args.get("run")
        if isinstance(command, str):
            ran |= steps.run_command(book.runbook, command, job.args)
        if ran:
            self._keep(gh, repository, incident, result, book)
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

    def _runbook(self, incident: IncidentRecord, root: Path) -> LoadedRunbook:
        """The alert's runbook in the checkout; what was read (or why it cannot be used) is
        recorded in the timeline when it differs from what was recorded last."""
        try:
            path = runbook_path(incident.alertname)
            runbook = load_runbook(root, incident.alertname)
        except RunbookError as exc:
            loaded = LoadedRunbook(path="runbooks/", runbook=None, error=str(exc))
        else:
            loaded = LoadedRunbook(path, runbook, None)
        if loaded.runbook is not None:
            kind, detail = RUNBOOK_EVENT, runbook_event(loaded.path, loaded.runbook)
        elif loaded.error is not None:
            kind, detail = RUNBOOK_ERROR_EVENT, {"path": loaded.path, "error": loaded.error}
        else:
            return loaded
        if last_runbook_detail(self.store.incident_timeline(incident.id)) != {
            "kind": kind,
            **detail,
        }:
            self.store.add_incident_event(incident.id, kind, detail)
            if loaded.error is not None:
                log.warning("incident %s: %s", incident.id, loaded.error)
        return loaded

    def _keep(
        self,
        gh: Installation,
        repository: RepositoryRecord,
        incident: IncidentRecord,
        result: Triage,
        book: LoadedRunbook,
    ) -> KeptIssue:
        timeline = self.store.incident_timeline(incident.id)
        try:
            allowed: Collection[str] = self.endpoints().urls
        except SettingsError as exc:
            log.error("incident %s: %s", incident.id, exc)  # each run says it too
            allowed = ()
        view = runbook_view(
            book.path,
            book.runbook,
            book.error,
            timeline,
            allowed,
            human_runbook_url(incident.annotations),
        )
        return keep_issue(
            gh,
            self.store,
            repository,
            incident_key(incident.id),
            title=incident_title(result),
            body=incident_markdown(result, view),
            bot_login=self.settings.bot_login(),
            labels=[LABEL],
            state="closed" if incident.status == "resolved" else "open",
        )

    def endpoints(self) -> Endpoints:
        """The operator's allowlist; `SettingsError` when the setting is unusable."""
        return Endpoints(self.settings.runbook_endpoint_urls(), self.settings.runbook_token)


@dataclass(frozen=True)
class ReportContext:
    """Where the report PR goes: the service's repository, checked out."""

    workspace: Workspace
    checkout: Checkout
    config: RepoConfig
    repository: RepositoryRecord
    service: Service


@dataclass(frozen=True)
class LoadedRunbook:
    path: str
    runbook: Runbook | None
    error: str | None


class Steps:
    """Runs the steps of one incident's runbook and records each run in its timeline."""

    def __init__(
        self,
        job: IncidentJob,
        gh: Installation,
        workspace: Workspace,
        checkout: Checkout,
        incident: IncidentRecord,
        result: Triage,
        issue: int,
    ) -> None:
        self.job, self.gh, self.workspace, self.checkout = job, gh, workspace, checkout
        self.incident, self.result, self.issue = incident, result, issue
        self.store = job.store

    def run_auto(self, runbook: Runbook | None) -> bool:
        """Each `auto` step not run yet, while the incident fires; whether any ran."""
        if runbook is None or self.incident.status != "firing":
            return False
        timeline = self.store.incident_timeline(self.incident.id)
        due = [s for s in runbook.steps if s.auto and not ran_automatically(timeline, s.name)]
        ran = False
        for step in due:
            outcome = self._claimed(step.name, AUTO, partial(self._run, step))
            if outcome is not None:
                self._record(step.name, step.kind, outcome, AUTO, self.job.settings.bot_login())
                ran = True
        return ran

    def run_command(self, runbook: Runbook | None, name: str, args: Mapping[str, Any]) -> bool:
        """The step a `/maintainer run` comment asked for, once per comment; the result is
        also answered in a comment on the issue."""
        comment, actor = args.get("comment"), str(args.get("actor") or "")
        if not isinstance(comment, int):
            raise JobFailed(f"incident {self.incident.id}: a run without its comment id")
        if ran_for_comment(self.store.incident_timeline(self.incident.id), comment):
            log.info("incident %s: comment %s ran its step before", self.incident.id, comment)
            return False
        step = runbook.step(name) if runbook is not None else None
        run: Callable[[], StepResult]
        if step is None:
            why = f"the runbook has no step {name!r} any more" if runbook else "no usable runbook"
            refused = StepResult(False, why, refused=True)
            kind, run = "unknown", lambda: refused
        else:
            kind, run = step.kind, partial(self._run, step)
        outcome = self._claimed(name, f"comment:{comment}", run)
        if outcome is None:
            return False
        self._record(name, kind, outcome, "command", actor, comment)
        body = render(
            "incidents/step_result.md.j2",
            step=name,
            kind=kind,
            actor=actor,
            result=outcome,
            text=md_text,
        )
        self.gh.comment(self.checkout.full_name, self.issue, body)
        return True

    def _claimed(self, name: str, trigger: str, run: Callable[[], StepResult]) -> StepResult | None:
        """Run a step under its claim in the store (one row per incident, step and trigger):
        None when another job claimed it first. A run that raises (a retryable failure before
        anything was done) gives its claim back for the retry."""
        if not self.store.claim_step(self.incident.id, name, trigger):
            log.info(
                "incident %s: step %s (%s) is claimed by another job; not run again",
                self.incident.id,
                name,
                trigger,
            )
            return None
        try:
            return run()
        except BaseException:
            self.store.release_step(self.incident.id, name, trigger)
            raise

    def _run(self, step: Step) -> StepResult:
        if step.kind == "rollback":
            suspect = self.result.changes[0] if self.result.changes else None
            facts = {
                "alertname": self.incident.alertname,
                "service": self.result.service,
                "issue": self.issue,
            }
            bot = bot_for(self.gh, self.job.settings.app_slug)
            try:
                return open_revert(self.gh, self.workspace, self.checkout, bot, suspect, facts)
            except WorkspaceError as exc:
                if exc.retryable:
                    raise
                return StepResult(False, f"cannot push the revert: {exc}")
        context = {
            "service": self.result.service,
            "alertname": self.incident.alertname,
            "incident": self.incident.id,
        }
        try:
            endpoints = self.job.endpoints()
        except SettingsError as exc:
            return StepResult(False, f"{exc}; nothing was sent", refused=True)
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            return call_endpoint(step, endpoints, context, client)

    def _record(
        self,
        name: str,
        kind: str,
        outcome: StepResult,
        trigger: str,
        actor: str,
        comment: int | None = None,
    ) -> None:
        detail: dict[str, Any] = {"step": name, "kind": kind, "trigger": trigger, "actor": actor}
        if comment is not None:
            detail["comment"] = comment
        self.store.add_incident_event(self.incident.id, STEP_EVENT, {**detail, **outcome.detail()})
        log.info(
            "incident %s: step %s (%s) by %s: ok=%s",
            self.incident.id,
            name,
            trigger,
            actor,
            outcome.ok,
        )
