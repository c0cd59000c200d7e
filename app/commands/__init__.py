"""Comment commands on pull requests, as a pure core: parse a comment, decide each command.

The edge (`app.events.conversation`) gathers a `Situation` and performs the `Decision`s.
"""

from __future__ import annotations

from app.commands.actions import Action, Decision, Job, Reaction
from app.commands.decide import decide
from app.commands.grammar import Command, Malformed, Parsed, Scope, Unknown, Verb, parse_comment
from app.commands.situation import Checks, IgnoreView, Permission, PullState, Situation

__all__ = [
    "Action",
    "Checks",
    "Command",
    "Decision",
    "IgnoreView",
    "Job",
    "Malformed",
    "Parsed",
    "Permission",
    "PullState",
    "Reaction",
    "Scope",
    "Situation",
    "Unknown",
    "Verb",
    "decide",
    "parse_comment",
]
