"""The CI-run job: one `workflow_run` attempt's test results collected into the store, then
flaky-test detection over the stored runs, and a quarantine draft PR (kind `flaky-test`) for
each test newly found flaky, through the GitHub composer.

Detection runs with the `.maintainer.yml` `flaky:` settings in force. Collection and the trend
need no checkout; a checkout (and the configuration read fresh from it) happens only when a
test is flaky and has no proposal yet. Quarantine PRs are opened only where `flaky-test` is
among the enabled kinds (no bulk action without opt-in), within the open-PR and hourly limits.
Each quarantined test also gets an investigation issue, kept in place
(`app.events.bot_issues.keep_issue`), linking the PR and the evidence. Idempotent: a
redelivered attempt collects nothing new, and a test with a proposal already gets no second
one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from app.composer import Composed
from app.composer.github import ComposedPull, GitHubComposer, bot_for
from app.config import RepoConfig
from app.events.bot_issues import keep_issue
from app.events.repos import job_repository
from app.flaky.branches import (
    QuarantineDetail,
    is_release,
    quarantine_proposal,
    release_proposal,
)
from app.flaky.collect import collect_run, detect_stored, stored_runs
from app.flaky.detect import History, State
from app.flaky.edits import EditError
from app.flaky.release import quarantined_tests
from app.flaky.report import Finding as FlakyFinding
from app.flaky.report import build_report
from app.flaky.sources import read_source, uses_rerunfailures
from app.github import Installation
from app.model import Kind, Proposal
from app.planner import within_limits
from app.queue import JobFailed
from app.service.scan_job import check_out, record_composed
from app.settings import Settings
from app.store import JobRecord, NewCiRun, ProposalStatus, RepositoryRecord, Store
from app.templates import render

log = logging.getLogger(__name__)


TRACKING_LABELS = ("flaky-test",)
HISTORY = timedelta(days=90)
"""Runs older than this are left out of detection (the store keeps them; the cost stays flat)."""


class TrackingIssue(Protocol):
    """Opens or updates the investigation issue of a quarantined test (the one call site)."""

    def __call__(
        self,
        gh: Installation,
        repository: RepositoryRecord,
        finding: FlakyFinding,
        proposal: Proposal,
        pull: ComposedPull,
    ) -> None: ...


def tracking_key(test_id: str) -> str:
    """The kept issue's key for a test (ids are long and free-form: a digest of it)."""
    return "flaky-test:" + hashlib.sha1(test_id.encode()).hexdigest()[:16]


class TrackingIssues:
    """One investigation issue per quarantined test, opened once and kept in place
    (`app.events.bot_issues`), linking its quarantine PR and the evidence."""

    def __init__(self, store: Store, app_slug: str) -> None:
        self.store = store
        self.bot_login = f"{app_slug}[bot]"

    def __call__(
        self,
        gh: Installation,
        repository: RepositoryRecord,
        finding: FlakyFinding,
        proposal: Proposal,
        pull: ComposedPull,
    ) -> None:
        detail = proposal.findings[0].detail
        assert isinstance(detail, QuarantineDetail)
        body = render(
            "issues/flaky_test.md.j2",
            verdict=finding.verdict,
            cause=finding.cause,
            file=finding.file,
            line=finding.line,
            pull=pull.number,
            marker=detail.marker,
            expires=detail.expires,
        )
        name = finding.verdict.id.rpartition("::")[2]
        kept = keep_issue(
            gh,
            self.store,
            repository,
            tracking_key(finding.verdict.id),
            title=f"Flaky test: {name}",
            body=body,
            bot_login=self.bot_login,
            labels=TRACKING_LABELS,
        )
        log.info("%s: tracking issue #%s %s", repository.full_name, kept.number, kept.action)


@dataclass(frozen=True)
class CiRunReport:
    repository: str
    run_id: int
    attempt: int
    artifacts: int
    reports: int
    flaky: tuple[str, ...]
    composed: tuple[Composed, ...]


def ci_run_of(args: Mapping[str, Any]) -> NewCiRun:
    """The run attempt a job's arguments describe (`app.events.workflow_runs`)."""
    try:
        run_id, attempt = int(args["run_id"]), int(args.get("attempt") or 1)
        head_sha = str(args["head_sha"])
    except (KeyError, TypeError, ValueError):
        raise JobFailed(f"a CI-run job needs run_id and head_sha, got {sorted(args)}") from None
    started = _when(args.get("started_at"))
    return NewCiRun(
        run_id=run_id,
        attempt=attempt,
        workflow=str(args.get("workflow") or ""),
        head_sha=head_sha,
        started_at=started,
        head_branch=_text(args.get("head_branch")),
        event=_text(args.get("event")),
        conclusion=_text(args.get("conclusion")),
    )


class CiRunJob:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        installation: Callable[[int], Installation],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tracking: TrackingIssue | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.installation = installation
        self.clock = clock
        self.tracking: TrackingIssue = tracking or TrackingIssues(store, settings.app_slug)

    def __call__(self, job: JobRecord) -> None:
        repository = job_repository(self.store, job)
        if repository is None:
            return
        report = self.run(repository, ci_run_of(job.args))
        log.info(
            "job %s: %s run %s attempt %s: %d artifact(s), %d report(s); new flaky: %s",
            job.id,
            report.repository,
            report.run_id,
            report.attempt,
            report.artifacts,
            report.reports,
            list(report.flaky) or "none",
        )

    def run(self, repository: RepositoryRecord, run: NewCiRun) -> CiRunReport:
        if repository.installation_id is None:
            raise JobFailed(f"{repository.full_name} is not part of any installation")
        gh = self.installation(repository.installation_id)
        collected = collect_run(gh, self.store, repository.id, repository.full_name, run)
        flaky, composed = self.propose(gh, repository)
        composed = [*composed, *self.release(gh, repository)]
        return CiRunReport(
            repository.full_name,
            run.run_id,
            run.attempt,
            len(collected.artifacts),
            collected.reports,
            flaky,
            tuple(composed),
        )

    def _new_flaky(self, repository: RepositoryRecord, config: RepoConfig) -> list[str]:
        detection = detect_stored(
            self.store, repository.id, config.flaky, since=self.clock() - HISTORY
        )
        known = {
            subject
            for p in self.store.proposals(repository.id)
            if p.kind == Kind.FLAKY_TEST.value
            for subject in p.subject.split(",")
        }
        return [v.id for v in detection.verdicts if v.state is State.FLAKY and v.id not in known]

    def propose(
        self, gh: Installation, repository: RepositoryRecord
    ) -> tuple[tuple[str, ...], list[Composed]]:
        """Quarantine PRs for the tests newly flaky; (their ids, what the composer did)."""
        stored_config = self.store.last_valid_config(repository.id) or RepoConfig()
        if not self._new_flaky(repository, stored_config):
            return (), []
        workspace, checkout, config, _ = check_out(self.settings, self.store, gh, repository)
        new = set(self._new_flaky(repository, config))  # with the configuration in force
        if not new:
            return (), []
        if Kind.FLAKY_TEST not in config.enabled_kinds():
            log.info(
                "%s: flaky tests %s; flaky-test is not enabled, no quarantine PR",
                repository.full_name,
                sorted(new),
            )
            return tuple(sorted(new)), []
        detection = detect_stored(
            self.store, repository.id, config.flaky, since=self.clock() - HISTORY
        )
        today = self.clock().date()
        report = build_report(
            replace(detection, verdicts=tuple(v for v in detection.verdicts if v.id in new)),
            checkout.path,
            config.flaky,
            uses_rerunfailures(checkout.path),
            today,
        )
        proposals = self._proposals(report.findings, checkout.path, config, today)
        composer = GitHubComposer(
            gh, workspace, checkout, bot_for(gh, self.settings.app_slug), config
        )
        allowed, held = within_limits([p for _, p in proposals], config, composer.budget())
        for reason in held:
            log.info("flaky-test %s", reason)
        kept = {p.id for p in allowed}
        admitted = [(f, p) for f, p in proposals if p.id in kept]
        composed = composer.compose([p for _, p in admitted])
        record_composed(self.store, repository, [p for _, p in admitted], composed)
        by_id = {p.id: (finding, p) for finding, p in admitted}
        for item in composed:
            found = by_id.get(item.proposal_id)
            if isinstance(item, ComposedPull) and item.number and found is not None:
                self.tracking(gh, repository, found[0], found[1], item)
        return tuple(sorted(new)), composed

    def release(self, gh: Installation, repository: RepositoryRecord) -> list[Composed]:
        """Release PRs for the quarantined tests (markers in the default branch's code) that
        passed `flaky.release_passes` times in a row since their quarantine, by the collected
        results. Only looked for (a checkout) while a merged quarantine of the bot has no
        release proposal yet."""
        flaky = [p for p in self.store.proposals(repository.id) if p.kind == Kind.FLAKY_TEST.value]
        released = {p.subject for p in flaky if is_release(p.branch)}
        waiting = {
            p.subject
            for p in flaky
            if p.status is ProposalStatus.MERGED and not is_release(p.branch)
        }
        if not waiting - released:
            return []
        workspace, checkout, config, _ = check_out(self.settings, self.store, gh, repository)
        if Kind.FLAKY_TEST not in config.enabled_kinds():
            return []
        history = History(config.flaky)
        since = self.clock() - HISTORY
        for stored in stored_runs(self.store.test_reports(repository.id, since)):
            history.add(stored)
        made = []
        for due in quarantined_tests(checkout.path, history, config.flaky):
            if not due.due:
                continue
            text = read_source(checkout.path, due.file)
            if text is None:
                continue
            try:
                proposal = release_proposal(
                    due.test,
                    due.file,
                    due.line,
                    text,
                    due.quarantine,
                    due.passes,
                    config.flaky.release_passes,
                )
            except EditError as exc:
                log.warning("flaky %s: not released: %s", due.test, exc)
                continue
            made.append((due, proposal))
        if not made:
            return []
        composer = GitHubComposer(
            gh, workspace, checkout, bot_for(gh, self.settings.app_slug), config
        )
        admitted, held = within_limits([p for _, p in made], config, composer.budget())
        for reason in held:
            log.info("flaky-test release %s", reason)
        composed = composer.compose(admitted)
        record_composed(self.store, repository, admitted, composed)
        return composed

    def _proposals(
        self,
        findings: tuple[FlakyFinding, ...],
        root: Any,
        config: RepoConfig,
        today: date,
    ) -> list[tuple[FlakyFinding, Proposal]]:
        rerunfailures = uses_rerunfailures(root)
        made: list[tuple[FlakyFinding, Proposal]] = []
        for finding in findings:
            if finding.proposal is None or finding.file is None:
                log.info("flaky %s: its file is not in the checkout", finding.verdict.id)
                continue
            text = read_source(root, finding.file)
            if text is None:
                log.info("flaky %s: cannot read %s", finding.verdict.id, finding.file)
                continue
            try:
                proposal = quarantine_proposal(
                    finding, finding.file, text, rerunfailures, config.flaky, today
                )
            except EditError as exc:
                log.warning("flaky %s: not quarantined: %s", finding.verdict.id, exc)
                continue
            made.append((finding, proposal))
        return made


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _when(value: object) -> datetime:
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)
