"""The webhook server: verify → record → enqueue, nothing else on the request path."""

from app.server.app import MAX_BODY, TICK_HEADER, Intake, Scrape, create_app

__all__ = ["MAX_BODY", "TICK_HEADER", "Intake", "Scrape", "create_app"]
