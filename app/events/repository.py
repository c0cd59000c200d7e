"""`repository` renamed / transferred / archived / deleted / default branch edited."""

from __future__ import annotations

from app.events.context import EventContext
from app.events.payload import mapping, repo_ref
from app.events.router import Event, Router

router: Router[EventContext] = Router()


@router.register("repository", "renamed", "transferred")
def moved(event: Event, context: EventContext) -> None:
    ref = repo_ref(event.repository)
    if ref is not None and context.store.repository_by_id(ref.id) is not None:
        context.store.update_repository(ref.id, full_name=ref.full_name)


@router.register("repository", "edited")
def edited(event: Event, context: EventContext) -> None:
    ref = repo_ref(event.repository)
    changes = mapping(event.payload.get("changes"))
    if ref is None or "default_branch" not in changes or ref.default_branch is None:
        return
    context.store.update_repository(ref.id, default_branch=ref.default_branch)


@router.register("repository", "archived", "unarchived")
def archived(event: Event, context: EventContext) -> None:
    ref = repo_ref(event.repository)
    if ref is not None:
        context.store.update_repository(ref.id, archived=event.action == "archived")


@router.register("repository", "deleted")
def deleted(event: Event, context: EventContext) -> None:
    """Stop work: queued jobs for it find the repository inactive and end without scanning."""
    ref = repo_ref(event.repository)
    if ref is not None:
        context.store.update_repository(ref.id, active=False)
