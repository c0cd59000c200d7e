"""`installation` and `installation_repositories`: the store's view of our installations."""

from __future__ import annotations

from app.events.context import EventContext
from app.events.payload import integer, mapping, repo_refs, text
from app.events.router import Event, Router
from app.store import JobKind

router: Router[EventContext] = Router()


def _remember_installation(event: Event, context: EventContext) -> int | None:
    installation = mapping(event.payload.get("installation"))
    installation_id = integer(installation.get("id"))
    if installation_id is None:
        return None
    account = mapping(installation.get("account"))
    context.store.upsert_installation(
        installation_id, text(account.get("login")) or "", text(account.get("type")) or "User"
    )
    return installation_id


def _onboard(context: EventContext, full_names: list[str]) -> None:
    for full_name in full_names:
        context.jobs.enqueue(JobKind.SCAN, full_name, {"reason": "installed"})


@router.register("installation", "created", "new_permissions_accepted", "unsuspend")
def installed(event: Event, context: EventContext) -> None:
    installation_id = _remember_installation(event, context)
    if installation_id is None:
        return
    context.store.set_installation_suspended(installation_id, False)
    refs = repo_refs(event.payload.get("repositories"))
    if refs:
        context.store.add_repositories(installation_id, refs)
    if event.action == "created":
        _onboard(context, [ref.full_name for ref in refs])


@router.register("installation", "deleted")
def uninstalled(event: Event, context: EventContext) -> None:
    installation_id = event.installation_id
    if installation_id is not None:
        context.store.delete_installation(installation_id)


@router.register("installation", "suspend")
def suspended(event: Event, context: EventContext) -> None:
    installation_id = _remember_installation(event, context)
    if installation_id is not None:
        context.store.set_installation_suspended(installation_id, True)


@router.register("installation_repositories", "added")
def repositories_added(event: Event, context: EventContext) -> None:
    installation_id = _remember_installation(event, context)
    if installation_id is None:
        return
    refs = repo_refs(event.payload.get("repositories_added"))
    context.store.add_repositories(installation_id, refs)
    _onboard(context, [ref.full_name for ref in refs])


@router.register("installation_repositories", "removed")
def repositories_removed(event: Event, context: EventContext) -> None:
    installation_id = event.installation_id
    if installation_id is None:
        return
    refs = repo_refs(event.payload.get("repositories_removed"))
    context.store.remove_repositories(installation_id, [ref.id for ref in refs])
