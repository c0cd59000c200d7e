"""The scan job the queue runs: check the repository, scan it, record what happened, once.

One repository row is read per job. A deleted, archived or uninstalled repository is skipped;
otherwise: installation → workspace (checkout) → configuration in force (and its check run)
→ the pipeline → the GitHub composer → the store. GitHub failures surface as `app.github`
errors (`RateLimited.retry_after`, `ServerError`, `GitHubError.retryable`) so the queue can
retry them; a `/maintainer rebase|recreate` whose job fails for good is answered on its PR.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from app.analyzers.base import Adapters
from app.caches import Caches
from app.composer import Composed
from app.composer.github import FAILED, ComposedPull, GitHubComposer, bot_for
from app.config import IgnoreRule, RepoConfig
from app.events import Replies
from app.events.repos import job_repository
from app.github import Installation
from app.metrics import Metrics, metrics
from app.model import Kind, Proposal
from app.pipeline import scan
from app.planner import ignore_rule, rejected_rules
from app.proposals import changes_of
from app.queue import JobFailed, JobHandler, RetryPolicy
from app.service.config_check import config_in_force
from app.settings import Settings
from app.store import JobRecord, ProposalStatus, RepositoryRecord, Store
from app.templates import render
from app.workspace import Checkout, Workspace, with_token

log = logging.getLogger(__name__)

SECURITY_ONLY = (Kind.SECURITY,)
"""The kinds of a security-only scan (daily between scheduled scans, see `tick_handler`)."""


@dataclass(frozen=True)
class ScanRequest:
    """What a scan job was asked to do, from its arguments."""

    rebase: frozenset[str] = frozenset()  # branches `/maintainer rebase` asked for
    recreate: frozenset[str] = frozenset()  # branches `/maintainer recreate` asked for
    only: tuple[Kind, ...] = ()  # these kinds only (empty: what the configuration enables)
    pull: int | None = None  # the PR whose comment asked, to answer there if the job gives up

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> ScanRequest:
        pull = args.get("pull")
        return cls(
            rebase=frozenset(args.get("rebase", ())),
            recreate=frozenset(args.get("recreate", ())),
            only=tuple(Kind(kind) for kind in args.get("only", ())),
            pull=pull if isinstance(pull, int) else None,
        )

    @property
    def security_only(self) -> bool:
        return self.only == SECURITY_ONLY


@dataclass(frozen=True)
class ScanReport:
    """What one scan job did, for the job log and `maintainer jobs`."""

    repository: str
    sha: str
    composed: tuple[Composed, ...]
    errors: tuple[str, ...]
    config_error: str | None

    @property
    def pull_requests(self) -> tuple[int, ...]:
        return tuple(
            c.number
            for c in self.composed
            if isinstance(c, ComposedPull) and c.number is not None and c.action != "superseded"
        )


class ScanJob:
    """The queue's handler for scan and refresh jobs (a refresh re-renders the open PRs' bodies,
    risk section included, and changes nothing else when nothing changed).

    Idempotent: running it again with nothing changed opens, pushes and comments nothing.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        installation: Callable[[int], Installation],
        adapters: Callable[[], Adapters],
        *,
        policy: RetryPolicy | None = None,
        replies: Replies | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        stand_in: JobHandler | None = None,
        telemetry: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.telemetry = telemetry or metrics()
        self.store = store
        self.installation = installation
        self.adapters = adapters  # built for each scan: the package index and its cache
        self.policy = policy
        self.replies = replies
        self.clock = clock
        # Runs instead of the scan itself (tests, the worker-durability fixture): the check
        # of the repository before and the record of the scan after stay the same.
        self.stand_in = stand_in

    def __call__(self, job: JobRecord) -> None:
        repository = job_repository(self.store, job)
        if repository is None:
            return
        request = ScanRequest.from_args(job.args)
        now = self.clock()
        if self.stand_in is not None:
            self.stand_in(job)
        else:
            self._scan_job(job, repository, request, now)
        self.store.mark_scanned(repository.id, now, security_only=request.security_only)
        self.telemetry.scans.labels("security" if request.security_only else "full").inc()

    def _scan_job(
        self, job: JobRecord, repository: RepositoryRecord, request: ScanRequest, now: datetime
    ) -> None:
        try:
            report = self.scan(repository, request, now)
        except Exception as exc:
            if self.policy is None or self.policy.delay(exc, job.attempts) is None:
                self._answer_given_up(repository, request, job, exc)
            raise
        log.info(
            "job %s: scanned %s at %s: PRs %s, %d error(s)%s",
            job.id,
            report.repository,
            report.sha[:12],
            list(report.pull_requests) or "none",
            len(report.errors),
            f", config error: {report.config_error}" if report.config_error else "",
        )

    def scan(
        self,
        repository: RepositoryRecord,
        request: ScanRequest = ScanRequest(),
        now: datetime | None = None,
    ) -> ScanReport:
        """Scan one stored repository, open or update its draft PRs, record its proposals."""
        if repository.installation_id is None:
            raise JobFailed(f"{repository.full_name} is not part of any installation")
        now = now or self.clock()
        gh = self.installation(repository.installation_id)
        workspace, checkout, config, config_error = check_out(
            self.settings, self.store, gh, repository
        )
        composer = GitHubComposer(
            gh,
            workspace,
            checkout,
            bot_for(gh, self.settings.app_slug),
            config,
            rebase=request.rebase,
            recreate=request.recreate,
        )
        result = scan(
            checkout.path,
            # The App's caches are the operator's setting, whoever built the other adapters.
            replace(self.adapters(), caches=Caches(self.settings.cache_root())),
            config=config,
            now=now,
            budget=composer.budget(),
            stored_ignores=stored_ignores(self.store, repository),
            ci_results=self._ci_results(repository),
            only=request.only or None,
        )
        for proposal in result.proposals:
            self.telemetry.proposals.labels(proposal.kind.value).inc()
        composed = composer.compose(result.proposals)
        _answer_unmet_requests(gh, checkout, request, composed)
        record_composed(self.store, repository, result.proposals, composed, self.telemetry)
        return ScanReport(
            repository=checkout.full_name,
            sha=checkout.sha,
            composed=tuple(composed),
            errors=(
                *(str(e) for e in result.errors),
                *(f"{c.branch}: {c.detail}" for c in composed if c.action == FAILED),
            ),
            config_error=config_error,
        )

    def _ci_results(self, repository: RepositoryRecord) -> dict[str, str]:
        """Each bot branch's CI conclusion on its current head, for the PR body's risk section."""
        return {
            p.branch: p.ci_result
            for p in self.store.proposals(repository.id)
            if p.ci_result is not None and p.ci_sha == p.head_sha
        }

    def _answer_given_up(
        self, repository: RepositoryRecord, request: ScanRequest, job: JobRecord, exc: Exception
    ) -> None:
        """The rebase or recreate a comment asked for will not happen: say so on its PR."""
        installation_id = repository.installation_id
        if self.replies is None or request.pull is None or installation_id is None:
            return
        for verb, branches in (("rebase", request.rebase), ("recreate", request.recreate)):
            for branch in sorted(branches):
                body = render(
                    "comments/not_rebuilt.md.j2",
                    verb=verb,
                    branch=branch,
                    base="",
                    action=FAILED,
                    detail=f"the scan failed and I gave up after {job.attempts} attempt(s): {exc}",
                )
                try:
                    self.replies.comment(installation_id, repository.full_name, request.pull, body)
                except Exception:  # GitHub may be what failed: the job's error says it all
                    log.warning("job %s: could not answer on #%s", job.id, request.pull)


def check_out(
    settings: Settings, store: Store, gh: Installation, repository: RepositoryRecord
) -> tuple[Workspace, Checkout, RepoConfig, str | None]:
    """The repository's default branch checked out in the App's workspace, and the
    configuration in force there (with the error of an invalid pushed one)."""
    remote = gh.repository(repository.full_name)
    workspace = Workspace(settings.workspace())
    checkout = with_token(
        gh,
        lambda token: workspace.checkout(
            remote.full_name, remote.clone_url, remote.default_branch, token
        ),
    )
    config, config_error = config_in_force(
        gh, checkout, store, repository, settings.service_security()
    )
    return workspace, checkout, config, config_error


def record_composed(
    store: Store,
    repository: RepositoryRecord,
    proposals: Sequence[Proposal],
    composed: Sequence[Composed],
    telemetry: Metrics | None = None,
) -> None:
    """Remember each proposal, its PR number and head, and what happened to older PRs."""
    by_id = {p.id: p for p in proposals}
    for item in composed:
        if item.action == "superseded":
            old = store.proposal_by_branch(repository.id, item.branch)
            if old is not None:
                store.close_proposal(old.id, ProposalStatus.SUPERSEDED, "superseded")
            continue
        proposal = by_id.get(item.proposal_id)
        if proposal is None:
            continue
        subject = ",".join(sorted({f.subject for f in proposal.findings}))
        saved = store.save_proposal(
            repository.id, proposal.kind.value, proposal.branch, proposal.title, subject
        )
        store.record_changes(saved.id, changes_of(proposal))
        if not isinstance(item, ComposedPull) or item.number is None:
            continue
        if item.action == "stopped":
            store.mark_stopped(saved.id, notice_posted=True)
        elif item.head_sha is not None:
            store.set_pull_request(saved.id, item.number, item.head_sha)
            if item.action == "created":
                (telemetry or metrics()).pull_request("opened")


def stored_ignores(store: Store, repository: RepositoryRecord) -> list[IgnoreRule]:
    """The ignores of comment commands, and the versions of bot PRs closed unmerged."""
    stored = [ignore_rule(rule) for rule in store.ignore_rules(repository.id)]
    return stored + rejected_rules(store.rejected(repository.id))


def _answer_unmet_requests(
    gh: Installation, checkout: Checkout, request: ScanRequest, composed: Sequence[Composed]
) -> None:
    """`/maintainer rebase|recreate` promised a new branch: where none was pushed, say so on
    the PR, with the reason (a command never passes for done when nothing happened)."""
    by_branch = {c.branch: c for c in composed}
    owner = checkout.full_name.split("/", 1)[0]
    for verb, branches in (("rebase", request.rebase), ("recreate", request.recreate)):
        for branch in sorted(branches):
            item = by_branch.get(branch)
            if item is not None and item.action in ("updated", "created"):
                continue
            number = item.number if isinstance(item, ComposedPull) else None
            if number is None:
                pulls = gh.pulls(checkout.full_name, state="open", head=f"{owner}:{branch}")
                if not pulls:
                    continue  # the PR was closed meanwhile: nobody is waiting on it
                number = pulls[0].number
            body = render(
                "comments/not_rebuilt.md.j2",
                verb=verb,
                branch=branch,
                base=checkout.branch,
                action=item.action if item is not None else None,
                detail=item.detail if item is not None else "",
            )
            gh.comment(checkout.full_name, number, body)
