"""`push` to the default branch: scan again when something the analyzers read has changed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from app.config import CONFIG_PATHS
from app.events.context import EventContext
from app.events.payload import mapping, text
from app.events.repos import known_repository, workable
from app.events.router import Event, Router
from app.lockfiles.pins import is_lock
from app.manifests import is_manifest
from app.store import JobKind

router: Router[EventContext] = Router()

ZERO_SHA = "0" * 40


def relevant(path: str) -> bool:
    """A manifest, a lock file, a Python file, or the bot's own configuration."""
    name = PurePosixPath(path).name
    if path in CONFIG_PATHS or name.endswith((".py", ".pyi")):
        return True
    return is_manifest(path) or is_lock(path)


def changed_paths(payload_commits: object) -> Iterable[str] | None:
    """Every path the pushed commits touched; None when the payload does not list them."""
    if not isinstance(payload_commits, list) or not payload_commits:
        return None
    paths: list[str] = []
    for commit in payload_commits:
        for key in ("added", "modified", "removed"):
            listed = mapping(commit).get(key)
            if isinstance(listed, list):
                paths.extend(p for p in listed if isinstance(p, str))
    return paths


@router.register("push")
def pushed(event: Event, context: EventContext) -> None:
    payload = event.payload
    repository = mapping(event.repository)
    default_branch = text(repository.get("default_branch")) or text(repository.get("master_branch"))
    if payload.get("deleted") or text(payload.get("ref")) != f"refs/heads/{default_branch}":
        return
    after = text(payload.get("after"))
    if after is None or after == ZERO_SHA:
        return
    paths = changed_paths(payload.get("commits"))
    # GitHub lists at most 2048 commits and none for some pushes: then assume it matters.
    if paths is not None and not any(relevant(path) for path in paths):
        return
    stored = known_repository(event, context)
    if not workable(stored) or stored is None:
        return
    if default_branch and default_branch != stored.default_branch:
        context.store.update_repository(stored.id, default_branch=default_branch)
    context.jobs.enqueue(JobKind.SCAN, stored.full_name, {"reason": "push", "sha": after})
