"""Comment commands on pull requests, as a pure core: parse a comment, decide each command.

The edge (`app.events.comments`) gathers a `Situation` and performs the `Decision`s.
"""

from __future__ import annotations

from app.commands.actions import Action, Decision, Reaction, Rescan
from app.commands.decide import decide
from app.commands.grammar import Command, Malformed, Parsed, Scope, Unknown, Verb, parse_comment
from app.commands.situation import Checks, IgnoreView, Permission, PullState, Situation

__all__ = [
    "Action",
    "Checks",
    "Command",
    "Decision",
    "IgnoreView",
    "Malformed",
    "Parsed",
    "Permission",
    "PullState",
    "Reaction",
    "Rescan",
    "Scope",
    "Situation",
    "Unknown",
    "Verb",
    "decide",
    "parse_comment",
]
