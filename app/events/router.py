"""A small gidgethub-style router: handlers register per event (and action) with a decorator.

Routing uses the raw payload dict; `Event.model()` parses into githubkit's typed models only
when a handler asks (strict models have rejected real payloads before).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import githubkit.webhooks

from app.payloads import load_object

C = TypeVar("C")


@dataclass(frozen=True)
class Event:
    name: str
    delivery_id: str
    payload: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_body(cls, name: str, delivery_id: str, body: bytes) -> Event:
        return cls(name, delivery_id, load_object(body))

    @property
    def action(self) -> str | None:
        action = self.payload.get("action")
        return action if isinstance(action, str) else None

    @property
    def installation_id(self) -> int | None:
        installation = self.payload.get("installation")
        if isinstance(installation, Mapping) and isinstance(installation.get("id"), int):
            return int(installation["id"])
        return None

    @property
    def repository(self) -> Mapping[str, Any] | None:
        repository = self.payload.get("repository")
        return repository if isinstance(repository, Mapping) else None

    def model(self) -> Any:
        """The payload as githubkit's webhook model (parsed on demand, may raise)."""
        return githubkit.webhooks.parse_obj(self.name, self.payload)


Handler = Callable[[Event, C], None]


class Router(Generic[C]):
    """Handlers by (event, action); `action=None` means every action of the event."""

    def __init__(self, *others: Router[C]) -> None:
        self._handlers: dict[tuple[str, str | None], list[Handler[C]]] = {}
        for other in others:
            for key, handlers in other._handlers.items():
                self._handlers.setdefault(key, []).extend(handlers)

    def add(self, handler: Handler[C], event: str, action: str | None = None) -> None:
        self._handlers.setdefault((event, action), []).append(handler)

    def register(self, event: str, *actions: str) -> Callable[[Handler[C]], Handler[C]]:
        def decorator(handler: Handler[C]) -> Handler[C]:
            for action in actions or (None,):
                self.add(handler, event, action)
            return handler

        return decorator

    def fetch(self, event: Event) -> list[Handler[C]]:
        found = list(self._handlers.get((event.name, None), []))
        if event.action is not None:
            found += self._handlers.get((event.name, event.action), [])
        return found

    def dispatch(self, event: Event, context: C) -> int:
        """Call every matching handler in registration order; returns how many ran."""
        handlers = self.fetch(event)
        for handler in handlers:
            handler(event, context)
        return len(handlers)

    def events(self) -> set[tuple[str, str | None]]:
        return set(self._handlers)
