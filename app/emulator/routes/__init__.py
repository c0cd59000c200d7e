"""The emulator's routes, one `APIRouter` per resource family; shared helpers in
`app.emulator.rest`."""

from __future__ import annotations

from fastapi import APIRouter

from app.emulator.routes import (
    actions,
    admin,
    apps,
    checks,
    git,
    issues,
    manifests,
    merges,
    pulls,
    repos,
)

ROUTERS: tuple[APIRouter, ...] = (
    apps.router,
    manifests.router,
    repos.router,
    pulls.router,
    merges.router,
    issues.router,
    checks.router,
    actions.router,
    git.router,
    admin.router,
)
