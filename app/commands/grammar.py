"""Reading commands out of a comment body: one per line, after `/maintainer` or `@<app-slug>`.

Pure: text in, values out. Quoted lines (`>`) and fenced code are never commands, so quoting
someone else's command or pasting an example does not run it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

SLASH_PREFIX = "/maintainer"
# PEP 508 names (checked case-insensitively); `*` is accepted only by `unignore`.
_PACKAGE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_STEP = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")  # as runbooks name steps
_FENCE = re.compile(r"^\s*(```|~~~)")


class Verb(StrEnum):
    REBASE = "rebase"
    RECREATE = "recreate"
    IGNORE = "ignore"
    UNIGNORE = "unignore"
    SHOW_IGNORES = "show ignores"
    EXPLAIN = "explain"
    MERGE_WHEN_GREEN = "merge when green"
    CANCEL_MERGE = "cancel merge"
    CLOSE = "close"
    REOPEN = "reopen"
    SCAN = "scan"
    REPORT = "report"
    RUN = "run"
    HELP = "help"


class Scope(StrEnum):
    """What an `ignore` covers: the package, or the proposed version's major/minor/patch."""

    DEPENDENCY = "dependency"
    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"


@dataclass(frozen=True)
class Command:
    verb: Verb
    line: int
    text: str
    package: str | None = None  # ignore <package> / unignore <package|*>; None means "this"
    scope: Scope | None = None  # ignore only
    step: str | None = None  # run <step> only


@dataclass(frozen=True)
class Malformed:
    """A known command with arguments it does not take; `message` says what is wrong."""

    verb: Verb
    line: int
    text: str
    message: str


@dataclass(frozen=True)
class Unknown:
    line: int
    text: str
    word: str


Parsed = Command | Malformed | Unknown

_NO_ARGUMENTS = {
    "rebase": Verb.REBASE,
    "recreate": Verb.RECREATE,
    "explain": Verb.EXPLAIN,
    "close": Verb.CLOSE,
    "reopen": Verb.REOPEN,
    "scan": Verb.SCAN,
    "report": Verb.REPORT,
    "help": Verb.HELP,
}
_PHRASES = {
    ("show", "ignores"): Verb.SHOW_IGNORES,
    ("merge", "when", "green"): Verb.MERGE_WHEN_GREEN,
    ("cancel", "merge"): Verb.CANCEL_MERGE,
}
_SCOPES = {"major": Scope.MAJOR, "minor": Scope.MINOR, "patch": Scope.PATCH}
IGNORE_USAGE = (
    "`ignore this dependency`, `ignore this major version`, `ignore this minor version`, "
    "`ignore this patch version`, `ignore <package>` or `ignore <package> major|minor|patch "
    "version`"
)


def parse_comment(body: str, app_slug: str) -> list[Parsed]:
    """Every line of `body` that addresses the bot, in order (line numbers from 1)."""
    prefixes = (SLASH_PREFIX, f"@{app_slug}".lower())
    found: list[Parsed] = []
    fenced = False
    for number, raw in enumerate(body.splitlines(), start=1):
        if _FENCE.match(raw):
            fenced = not fenced
            continue
        words = raw.split()
        if fenced or not words or words[0].lower() not in prefixes:
            continue
        found.append(parse_words([w.lower() for w in words[1:]], number, raw.strip()))
    return found


def parse_words(words: list[str], line: int, text: str) -> Parsed:
    """One command from the (lower-cased) words after the prefix."""
    if not words:
        return Command(Verb.HELP, line, text)
    head, rest = words[0], words[1:]
    if head in _NO_ARGUMENTS:
        verb = _NO_ARGUMENTS[head]
        if rest:
            return Malformed(
                verb, line, text, f"`{verb}` takes no arguments (got `{' '.join(rest)}`)"
            )
        return Command(verb, line, text)
    for phrase, verb in _PHRASES.items():
        if tuple(words[: len(phrase)]) == phrase:
            extra = words[len(phrase) :]
            if extra:
                message = f"`{verb}` takes no arguments (got `{' '.join(extra)}`)"
                return Malformed(verb, line, text, message)
            return Command(verb, line, text)
        if head == phrase[0]:
            return Malformed(verb, line, text, f"did you mean `{verb}`?")
    if head == "ignore":
        return _ignore(rest, line, text)
    if head == "unignore":
        return _unignore(rest, line, text)
    if head == "run":
        if len(rest) != 1 or not _STEP.match(rest[0]):
            message = "`run` takes one step name, as the incident issue's runbook lists them"
            return Malformed(Verb.RUN, line, text, message)
        return Command(Verb.RUN, line, text, step=rest[0])
    return Unknown(line, text, head)


def _ignore(words: list[str], line: int, text: str) -> Parsed:
    if not words:
        return Malformed(Verb.IGNORE, line, text, f"`ignore` needs a scope: {IGNORE_USAGE}")
    if words[0] == "this":
        return _ignore_this(words[1:], line, text)
    package, rest = words[0], words[1:]
    if not _PACKAGE.match(package):
        return Malformed(Verb.IGNORE, line, text, f"`{package}` is not a package name")
    if not rest:
        return Command(Verb.IGNORE, line, text, package, Scope.DEPENDENCY)
    scope = _version_scope(rest)
    if scope is None:
        message = f"after `ignore {package}` write nothing or `major|minor|patch version`"
        return Malformed(Verb.IGNORE, line, text, message)
    return Command(Verb.IGNORE, line, text, package, scope)


def _ignore_this(words: list[str], line: int, text: str) -> Parsed:
    if words == ["dependency"]:
        return Command(Verb.IGNORE, line, text, None, Scope.DEPENDENCY)
    scope = _version_scope(words)
    if scope is None:
        return Malformed(Verb.IGNORE, line, text, f"unknown scope; use {IGNORE_USAGE}")
    return Command(Verb.IGNORE, line, text, None, scope)


def _version_scope(words: list[str]) -> Scope | None:
    if len(words) == 2 and words[0] in _SCOPES and words[1] == "version":
        return _SCOPES[words[0]]
    return None


def _unignore(words: list[str], line: int, text: str) -> Parsed:
    if len(words) != 1:
        message = "`unignore` takes one package name, or `*` for every ignore"
        return Malformed(Verb.UNIGNORE, line, text, message)
    package = words[0]
    if package != "*" and not _PACKAGE.match(package):
        return Malformed(Verb.UNIGNORE, line, text, f"`{package}` is not a package name")
    return Command(Verb.UNIGNORE, line, text, package)
