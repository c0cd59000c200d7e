"""`issue_comment` created: route bot commands; `help` and unknown ones get the help reply."""

from __future__ import annotations

from app.events.commands import Command, commands, parse_command
from app.events.context import EventContext
from app.events.payload import integer, mapping, text
from app.events.router import Event, Router
from app.templates import render

router: Router[EventContext] = Router()


@router.register("issue_comment", "created")
def comment_created(event: Event, context: EventContext) -> None:
    comment = mapping(event.payload.get("comment"))
    user = mapping(comment.get("user"))
    if text(user.get("type")) == "Bot" or text(user.get("login")) == context.bot_login:
        return  # never answer bots, ourselves included
    parsed = parse_command(text(comment.get("body")) or "", context.app_slug)
    number = integer(mapping(event.payload.get("issue")).get("number"))
    repository = text(mapping(event.repository).get("full_name"))
    installation_id = event.installation_id
    if parsed is None or number is None or repository is None or installation_id is None:
        return
    name, args = parsed
    command = Command(
        name, args, repository, number, installation_id, text(user.get("login")) or ""
    )
    handler = commands.handler(name)
    (handler or reply_help)(command, context)


@commands.register("help", "show this list of commands")
def reply_help(command: Command, context: EventContext) -> None:
    body = render(
        "comments/help.md.j2",
        slug=context.app_slug,
        unknown=None if command.name == "help" else command.name,
        commands=commands.summaries(),
    )
    context.replies.comment(command.installation_id, command.repository, command.number, body)
