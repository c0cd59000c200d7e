"""The queries job the queue runs once a day per repository with a database in
`MAINTAINER_DATABASES`: the App side of `maintainer queries` (issue #17).

Installation → checkout of the default branch → configuration in force (`queries:` settings)
→ the repository's database (the operator's DSN, never one from the repository) checked and
analysed with HypoPG (`app.queries.advisor`; no real index is created) → today's snapshot of
statement mean times and table sizes in the App's history (`queries/queries.sqlite` under the
App's cache root, the same store and forecasts as the CLI) → with `performance` enabled, each
index whose table has a model becomes a draft PR (model change + migration) through the GitHub
composer, within `open_pr_limit` and `hourly_pr_limit`; an index with no model (or one that
cannot be edited) becomes one issue with its DDL, kept in place (`app.events.bot_issues`).

Daily, not with the scheduled scan: the history keeps one sample per database and day, so the
forecasts need a daily reading whatever the repository's `schedule:` is; and a database that
cannot be reached must not fail the scan of the code.

A database that cannot be analysed (bad DSN, missing extension, no permission) fails the job
for good (`JobFailed`, no retry) with the advisor's message, which never holds the DSN's
password; the tick waits a day before trying again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from app.caches import Caches
from app.composer import Composed
from app.composer.github import FAILED, ComposedPull, GitHubComposer, bot_for
from app.config import RepoConfig
from app.events.bot_issues import BotIssueError, KeptIssue, close_issue, keep_issue
from app.events.repos import job_repository
from app.github import Installation
from app.model import Kind
from app.planner import within_limits
from app.queries.access import Database, QueriesError, without_secrets
from app.queries.advisor import Advice, advise
from app.queries.history import FILENAME, FOLDER, History, HistoryError, Trend, trends
from app.queries.models import find_models
from app.queries.proposals import IndexPlan, plan_index, proposal
from app.queue import JobFailed
from app.service.scan_job import check_out, record_composed
from app.settings import Settings, SettingsError
from app.store import JobRecord, RepositoryRecord, Store
from app.templates import render

log = logging.getLogger(__name__)

ISSUE_ROWS = 10
"""Statements listed in an index issue."""


ISSUE_PREFIX = "performance-index:"


def issue_key(index: str) -> str:
    """The bot-issue key of an index that has no pull request."""
    return ISSUE_PREFIX + hashlib.sha256(index.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class QueriesOutcome:
    """What one queries job did."""

    repository: str
    database: str
    statements: int = 0
    composed: tuple[Composed, ...] = ()
    held: tuple[str, ...] = ()
    """Index proposals left for a later run by the PR limits, with the reason."""
    issues: tuple[KeptIssue, ...] = ()
    closed: tuple[int, ...] = ()
    """Issues of indexes no longer proposed (created meanwhile, or no longer worth it)."""
    errors: tuple[str, ...] = ()
    proposing: bool = True
    """False when `.maintainer.yml` does not enable `performance` (snapshots only)."""

    @property
    def pull_requests(self) -> tuple[int, ...]:
        return tuple(
            c.number
            for c in self.composed
            if isinstance(c, ComposedPull) and c.number is not None and c.action != "superseded"
        )


def database_for(settings: Settings, repository: str) -> str:
    """The DSN `MAINTAINER_DATABASES` gives `repository`; `JobFailed` when it gives none."""
    try:
        databases = settings.repository_databases()
    except SettingsError as exc:
        raise JobFailed(str(exc)) from None
    dsn = databases.get(repository.lower())
    if dsn is None:
        raise JobFailed(f"MAINTAINER_DATABASES names no database for {repository}")
    return dsn.get_secret_value()


class QueriesJob:
    """The queue's handler for queries jobs. Idempotent: a second run with nothing new opens
    no PR and no issue (the same branch and issue are found and left as they are)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        installation: Callable[[int], Installation],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.store = store
        self.installation = installation
        self.clock = clock

    def __call__(self, job: JobRecord) -> None:
        repository = job_repository(self.store, job)
        if repository is None:
            return
        outcome = self.analyse(repository, self.clock())
        log.info(
            "job %s: queries of %s (%s): %d statement(s), PRs %s, %d issue(s) kept, "
            "%d closed, %d held%s",
            job.id,
            outcome.repository,
            outcome.database,
            outcome.statements,
            list(outcome.pull_requests) or "none",
            len(outcome.issues),
            len(outcome.closed),
            len(outcome.held),
            "" if outcome.proposing else ", performance not enabled: snapshots only",
        )
        for error in outcome.errors:
            log.warning("job %s: %s: %s", job.id, outcome.repository, error)
        for reason in outcome.held:
            log.info("job %s: %s: held: %s", job.id, outcome.repository, reason)

    def analyse(self, repository: RepositoryRecord, now: datetime) -> QueriesOutcome:
        if repository.installation_id is None:
            raise JobFailed(f"{repository.full_name} is not part of any installation")
        dsn = database_for(self.settings, repository.full_name)
        gh = self.installation(repository.installation_id)
        workspace, checkout, config, _ = check_out(self.settings, self.store, gh, repository)
        advice, found_trends, where = self._advice(dsn, config, now)
        if Kind.PERFORMANCE not in config.enabled_kinds():
            return QueriesOutcome(repository.full_name, where, advice.statements, proposing=False)
        models = find_models(checkout.path)
        plans = [plan_index(checkout.path, index, models) for index in advice.indexes]
        ready = [proposal(plan, found_trends) for plan in plans if plan.problem is None]
        composer = GitHubComposer(
            gh, workspace, checkout, bot_for(gh, self.settings.app_slug), config
        )
        admitted, held = within_limits(ready, config, composer.budget())
        composed = composer.compose(admitted)
        record_composed(self.store, repository, admitted, composed)
        issues, errors = self._issues(gh, repository, config, [p for p in plans if p.problem])
        closed = self._close_issues(gh, repository, plans)
        errors += [f"{c.branch}: {c.detail}" for c in composed if c.action == FAILED]
        return QueriesOutcome(
            repository.full_name,
            where,
            advice.statements,
            tuple(composed),
            tuple(held),
            tuple(issues),
            tuple(closed),
            tuple(errors),
        )

    def _advice(
        self, dsn: str, config: RepoConfig, now: datetime
    ) -> tuple[Advice, dict[str, Trend], str]:
        """Today's advice and snapshot, with the trends of the history; `JobFailed` naming what
        is missing (the DSN's password cut out) when the database cannot be analysed."""
        settings = config.queries
        where = "the database"
        try:
            with Database.connect(dsn) as db:
                where = db.where
                advice = advise(db, db.check(), settings)
                path = Caches(self.settings.cache_root()).folder(FOLDER) / FILENAME
                with History(path) as history:
                    history.record(db.where, now.date(), advice.top, advice.tables.values())
                    found = trends(
                        history, db.where, advice.top, advice.tables, settings.mean_ms_threshold
                    )
        except (QueriesError, HistoryError) as exc:
            raise JobFailed(without_secrets(str(exc), dsn)) from None
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise JobFailed(f"{where}: {without_secrets(reason, dsn)}") from None
        return advice, found, where

    def _issues(
        self,
        gh: Installation,
        repository: RepositoryRecord,
        config: RepoConfig,
        plans: Sequence[IndexPlan],
    ) -> tuple[list[KeptIssue], list[str]]:
        """One issue with the DDL per index that has no pull request, kept in place."""
        kept: list[KeptIssue] = []
        errors: list[str] = []
        for plan in plans:
            advice = plan.advice
            body = render(
                "issues/performance_index.md.j2",
                advice=advice,
                problem=plan.problem,
                min_drop=config.queries.min_cost_drop,
                max_rows=ISSUE_ROWS,
            )
            try:
                kept.append(
                    keep_issue(
                        gh,
                        self.store,
                        repository,
                        issue_key(advice.name),
                        title=f"Index {advice.name} on {advice.table.name} "
                        f"({', '.join(advice.columns)}): create it by hand",
                        body=body,
                        bot_login=self.settings.bot_login(),
                        labels=("performance",),
                    )
                )
            except BotIssueError as exc:
                errors.append(f"{advice.name}: {exc}")
        return kept, errors

    def _close_issues(
        self, gh: Installation, repository: RepositoryRecord, plans: Sequence[IndexPlan]
    ) -> list[int]:
        """Close the issues of indexes today's analysis no longer asks for by hand: created
        meanwhile, no longer worth it, or now in a pull request because a model owns the table."""
        wanted = {issue_key(plan.advice.name) for plan in plans if plan.problem}
        closed = []
        for key in self.store.bot_issue_keys(repository.id, ISSUE_PREFIX):
            if key in wanted:
                continue
            done = close_issue(gh, self.store, repository, key, self.settings.bot_login())
            if done is not None and done.action != "unchanged":
                closed.append(done.number)
        return closed
