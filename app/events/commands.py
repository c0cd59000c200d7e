"""Comment commands: `@<app-slug> <command> [args]` or `/maintainer <command> [args]`.

Only the parsing, the routing and `help` live here; further commands register on `commands`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.events.context import EventContext

SLASH = "/maintainer"


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]
    repository: str
    number: int
    installation_id: int
    author: str


CommandHandler = Callable[[Command, EventContext], None]


def parse_command(body: str, app_slug: str) -> tuple[str, tuple[str, ...]] | None:
    """The command on the comment's first non-empty line, if it addresses the bot."""
    for line in body.splitlines():
        words = line.strip().split()
        if not words:
            continue
        head = words[0].lower()
        if head in (f"@{app_slug}".lower(), SLASH):
            if len(words) == 1:
                return "help", ()
            return words[1].lower(), tuple(words[2:])
        return None
    return None


class CommandRouter:
    def __init__(self) -> None:
        self._handlers: dict[str, CommandHandler] = {}
        self._summaries: dict[str, str] = {}

    def register(self, name: str, summary: str) -> Callable[[CommandHandler], CommandHandler]:
        if not re.fullmatch(r"[a-z][a-z-]*", name):
            raise ValueError(f"command names are lowercase words: {name!r}")

        def decorator(handler: CommandHandler) -> CommandHandler:
            self._handlers[name] = handler
            self._summaries[name] = summary
            return handler

        return decorator

    def summaries(self) -> dict[str, str]:
        return dict(sorted(self._summaries.items()))

    def handler(self, name: str) -> CommandHandler | None:
        return self._handlers.get(name)


commands = CommandRouter()
