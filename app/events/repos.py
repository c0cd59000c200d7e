"""Find (or learn) the stored repository an event is about."""

from __future__ import annotations

import logging

from app.events.context import EventContext
from app.events.payload import mapping, repo_ref, text
from app.events.router import Event
from app.store import JobRecord, RepositoryRecord, Store

log = logging.getLogger(__name__)


def known_repository(event: Event, context: EventContext) -> RepositoryRecord | None:
    """The event's repository from the store, recorded first if its installation is known."""
    ref = repo_ref(event.repository)
    if ref is None:
        return None
    stored = context.store.repository_by_id(ref.id)
    if stored is not None:
        return stored
    installation_id = event.installation_id
    if installation_id is None:
        return None
    if context.store.installation(installation_id) is None:
        account = mapping(mapping(event.repository).get("owner"))
        context.store.upsert_installation(
            installation_id, text(account.get("login")) or "", text(account.get("type")) or "User"
        )
    context.store.add_repositories(installation_id, [ref])
    return context.store.repository_by_id(ref.id)


def workable(repository: RepositoryRecord | None) -> bool:
    return repository is not None and repository.active and not repository.archived


def job_repository(store: Store, job: JobRecord) -> RepositoryRecord | None:
    """The repository a job is for, or None (said in the log) when it is gone, inactive or
    archived: such a job has nothing to do."""
    repository = store.repository(job.repository or "")
    if workable(repository):
        return repository
    log.info("job %s: %s is not active; nothing to do", job.id, job.repository)
    return None
