"""Webhook events: one module per concern, each with its own router, combined here."""

from __future__ import annotations

from app.events import (
    checks,
    comments,
    installation,
    merge_when_green,
    pulls,
    push,
    repository,
    workflow_runs,
)
from app.events.context import EventContext, JobSink, Replies
from app.events.router import Event, Router
from app.payloads import BadPayload

router: Router[EventContext] = Router(
    installation.router,
    push.router,
    pulls.router,
    checks.router,
    repository.router,
    workflow_runs.router,  # CI results for flaky-test detection
    comments.router,  # comment commands
    merge_when_green.router,  # after checks: CI is recorded before a merge is tried
)

__all__ = ["BadPayload", "Event", "EventContext", "JobSink", "Replies", "Router", "router"]
