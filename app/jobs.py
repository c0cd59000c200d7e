"""The work a queued scan does: installation token → workspace → pipeline → GitHub composer.

`run_scan` is what the queue calls. GitHub failures surface as `app.github` errors
(`RateLimited.retry_after`, `ServerError`, `GitHubError.retryable`) so the queue can retry them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from app.analyzers.base import Adapters
from app.caches import INDEX, Caches
from app.commands.lifecycle import changes_of, rejected_rules
from app.composer import Composed
from app.composer.github import FAILED, ComposedPull, GitHubComposer, bot_for, report_config
from app.config import CONFIG_PATHS, ConfigError, IgnoreRule, RepoConfig, find_config, load_config
from app.confinement import confine
from app.github import AppCredentials, GitHub, Installation
from app.index.cache import HttpCache
from app.index.client import SimpleIndex
from app.model import Kind, Proposal
from app.pipeline import scan
from app.settings import ENV_PREFIX, Settings, SettingsError
from app.store import ProposalStatus, RepositoryRecord, Store
from app.store.conversation import Conversation
from app.templates import render
from app.workspace import Checkout, Workspace, with_token


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


@dataclass(frozen=True)
class _Asked:
    """Branches a maintainer asked to rebase or recreate (comment commands)."""

    rebase: frozenset[str]
    recreate: frozenset[str]


def connect(settings: Settings) -> GitHub:
    """The App's GitHub connection, or a `SettingsError` naming the missing setting."""
    if settings.app_id is None:
        raise SettingsError(f"{ENV_PREFIX}APP_ID is not set: cannot authenticate as the App")
    key = settings.app_private_key()
    if key is None:
        raise SettingsError(
            f"{ENV_PREFIX}PRIVATE_KEY or {ENV_PREFIX}PRIVATE_KEY_PATH is not set: "
            "cannot authenticate as the App"
        )
    return GitHub(settings.github_url, AppCredentials(settings.app_id, key))


def default_adapters(settings: Settings) -> Adapters:
    """The package index from `PIP_INDEX_URL` (else PyPI), cached in the data dir."""
    caches = Caches(settings.cache_root())
    return Adapters(index=SimpleIndex(cache=HttpCache(caches.folder(INDEX))), caches=caches)


def run_scan(
    installation_id: int,
    repo_full_name: str,
    settings: Settings,
    *,
    store: Store | None = None,
    github: GitHub | None = None,
    adapters: Adapters | None = None,
    now: datetime | None = None,
    rebase: Collection[str] = (),
    recreate: Collection[str] = (),
    only: Sequence[Kind] | None = None,
) -> ScanReport:
    """Scan one repository of one installation and open or update its draft PRs.

    Idempotent: running it again with nothing changed opens, pushes and comments nothing.
    """
    connection = github or connect(settings)
    try:
        gh = connection.installation(installation_id)
        branches = _Asked(frozenset(rebase), frozenset(recreate))
        when = now or datetime.now(UTC)
        return _scan(gh, repo_full_name, settings, store, adapters, when, branches, only)
    finally:
        if github is None:
            connection.close()


def _scan(
    gh: Installation,
    repo_full_name: str,
    settings: Settings,
    store: Store | None,
    adapters: Adapters | None,
    now: datetime,
    asked: _Asked | None = None,
    only: Sequence[Kind] | None = None,
) -> ScanReport:
    repository = gh.repository(repo_full_name)
    workspace = Workspace(settings.workspace())
    checkout = with_token(
        gh,
        lambda token: workspace.checkout(
            repository.full_name, repository.clone_url, repository.default_branch, token
        ),
    )
    record = store.repository(repository.full_name) if store is not None else None
    config, config_error = _config(gh, checkout, store, record, settings)
    bot = bot_for(gh, settings.app_slug)
    asked = asked or _Asked(frozenset(), frozenset())
    composer = GitHubComposer(
        gh, workspace, checkout, bot, config, rebase=asked.rebase, recreate=asked.recreate
    )
    result = scan(
        checkout.path,
        # The App's caches are the operator's setting, whoever built the other adapters.
        replace(adapters or default_adapters(settings), caches=Caches(settings.cache_root())),
        config=config,
        now=now,
        budget=composer.budget(),
        stored_ignores=_ignores(store, record),
        ci_results=_ci_results(store, record),
        only=only,
    )
    composed = composer.compose(result.proposals)
    _answer_unmet_requests(gh, checkout, asked, composed)
    if store is not None and record is not None:
        _record(store, record, result.proposals, composed, now)
    return ScanReport(
        repository=repository.full_name,
        sha=checkout.sha,
        composed=tuple(composed),
        errors=(
            *(str(e) for e in result.errors),
            *(f"{c.branch}: {c.detail}" for c in composed if c.action == FAILED),
        ),
        config_error=config_error,
    )


def _answer_unmet_requests(
    gh: Installation, checkout: Checkout, asked: _Asked, composed: Sequence[Composed]
) -> None:
    """`/maintainer rebase|recreate` promised a new branch: where none was pushed, say so on
    the PR, with the reason (a command never passes for done when nothing happened)."""
    by_branch = {c.branch: c for c in composed}
    owner = checkout.full_name.split("/", 1)[0]
    for verb, branches in (("rebase", asked.rebase), ("recreate", asked.recreate)):
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


def _config(
    gh: Installation,
    checkout: Checkout,
    store: Store | None,
    record: RepositoryRecord | None,
    settings: Settings,
) -> tuple[RepoConfig, str | None]:
    """The configuration in force, and the error of the pushed one if it is invalid.

    An invalid file fails the `maintainer/config` check and the last valid one stays in use.
    Either way, what names a host path or an address gives way to the service settings.
    """
    found = find_config(checkout.path)
    path = found.relative_to(checkout.path).as_posix() if found else CONFIG_PATHS[0]
    service = settings.service_security()
    try:
        loaded = load_config(checkout.path)
    except ConfigError as exc:
        report_config(gh, checkout, exc.path, exc)
        last_valid = None
        if store is not None and record is not None:
            store.record_config_error(record.id, str(exc), checkout.sha)
            last_valid = store.last_valid_config(record.id)
        return confine(last_valid or RepoConfig(), checkout.path, service).config, str(exc)
    confined = confine(loaded.config, checkout.path, service)
    had_error = record is not None and record.config_error is not None
    if loaded.path is not None or had_error:
        report_config(gh, checkout, path, None, confined.ignored)
    if store is not None and record is not None:
        store.save_valid_config(record.id, loaded.config, checkout.sha)
    return confined.config, None


def _ignores(store: Store | None, record: RepositoryRecord | None) -> list[IgnoreRule]:
    if store is None or record is None:
        return []
    return [
        IgnoreRule.model_validate(
            {
                "dependency": rule.dependency,
                "versions": list(rule.versions),
                "update_types": list(rule.update_types),
                "reason": rule.reason,
            }
        )
        for rule in store.ignore_rules(record.id)
    ] + rejected_rules(Conversation(store).rejected(record.id))


def _ci_results(store: Store | None, record: RepositoryRecord | None) -> dict[str, str]:
    """Each bot branch's CI conclusion on its current head, for the PR body's risk section."""
    if store is None or record is None:
        return {}
    return {
        p.branch: p.ci_result
        for p in store.proposals(record.id)
        if p.ci_result is not None and p.ci_sha == p.head_sha
    }


def _record(
    store: Store,
    record: RepositoryRecord,
    proposals: Sequence[Proposal],
    composed: Sequence[Composed],
    now: datetime,
) -> None:
    """Remember each proposal, its PR number and head, and what happened to older PRs."""
    by_id = {p.id: p for p in proposals}
    for item in composed:
        if item.action == "superseded":
            old = store.proposal_by_branch(record.id, item.branch)
            if old is not None:
                store.close_proposal(old.id, ProposalStatus.SUPERSEDED, "superseded")
            continue
        proposal = by_id.get(item.proposal_id)
        if proposal is None:
            continue
        subject = ",".join(sorted({f.subject for f in proposal.findings}))
        saved = store.save_proposal(
            record.id, proposal.kind.value, proposal.branch, proposal.title, subject
        )
        Conversation(store).record_changes(saved.id, changes_of(proposal))
        if not isinstance(item, ComposedPull) or item.number is None:
            continue
        if item.action == "stopped":
            store.mark_stopped(saved.id, notice_posted=True)
        elif item.head_sha is not None:
            store.set_pull_request(saved.id, item.number, item.head_sha)
    store.mark_scanned(record.id, now)
