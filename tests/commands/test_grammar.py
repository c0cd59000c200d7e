"""Parsing comment bodies into commands (pure)."""

from __future__ import annotations

import pytest

from app.commands import Command, Malformed, Scope, Unknown, Verb, parse_comment

SLUG = "maintainer-bot"


def one(body: str) -> object:
    [parsed] = parse_comment(body, SLUG)
    return parsed


@pytest.mark.parametrize(
    ("body", "verb"),
    [
        ("/maintainer rebase", Verb.REBASE),
        ("/MAINTAINER Recreate", Verb.RECREATE),
        ("@maintainer-bot explain", Verb.EXPLAIN),
        ("@Maintainer-Bot close", Verb.CLOSE),
        ("/maintainer reopen", Verb.REOPEN),
        ("/maintainer scan", Verb.SCAN),
        ("/maintainer report", Verb.REPORT),
        ("/maintainer help", Verb.HELP),
        ("/maintainer", Verb.HELP),
        ("/maintainer show ignores", Verb.SHOW_IGNORES),
        ("/maintainer merge when green", Verb.MERGE_WHEN_GREEN),
        ("/maintainer cancel merge", Verb.CANCEL_MERGE),
        ("   /maintainer   merge   WHEN green  ", Verb.MERGE_WHEN_GREEN),
    ],
)
def test_each_command(body: str, verb: Verb) -> None:
    parsed = one(body)
    assert isinstance(parsed, Command) and parsed.verb is verb


@pytest.mark.parametrize(
    ("body", "package", "scope"),
    [
        ("/maintainer ignore this dependency", None, Scope.DEPENDENCY),
        ("/maintainer ignore this major version", None, Scope.MAJOR),
        ("/maintainer ignore this minor version", None, Scope.MINOR),
        ("/maintainer ignore this patch version", None, Scope.PATCH),
        ("/maintainer ignore Django", "django", Scope.DEPENDENCY),
        ("/maintainer ignore zope.interface major version", "zope.interface", Scope.MAJOR),
        ("/maintainer ignore types-requests patch version", "types-requests", Scope.PATCH),
    ],
)
def test_ignore_scopes(body: str, package: str | None, scope: Scope) -> None:
    parsed = one(body)
    assert isinstance(parsed, Command)
    assert (parsed.verb, parsed.package, parsed.scope) == (Verb.IGNORE, package, scope)


def test_unignore_one_or_all() -> None:
    assert one("/maintainer unignore requests") == Command(
        Verb.UNIGNORE, 1, "/maintainer unignore requests", "requests"
    )
    parsed = one("/maintainer unignore *")
    assert isinstance(parsed, Command) and parsed.package == "*"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("/maintainer rebase now", "`rebase` takes no arguments (got `now`)"),
        ("/maintainer ignore", "`ignore` needs a scope"),
        ("/maintainer ignore this", "unknown scope"),
        ("/maintainer ignore this huge version", "unknown scope"),
        ("/maintainer ignore django major", "write nothing or `major|minor|patch version`"),
        ("/maintainer ignore django@2", "`django@2` is not a package name"),
        ("/maintainer unignore", "`unignore` takes one package name"),
        ("/maintainer unignore a b", "`unignore` takes one package name"),
        ("/maintainer unignore -x", "`-x` is not a package name"),
        ("/maintainer merge", "did you mean `merge when green`?"),
        ("/maintainer merge now", "did you mean `merge when green`?"),
        ("/maintainer merge when green please", "takes no arguments (got `please`)"),
        ("/maintainer show", "did you mean `show ignores`?"),
        ("/maintainer cancel", "did you mean `cancel merge`?"),
    ],
)
def test_malformed_arguments_say_what_is_wrong(body: str, message: str) -> None:
    parsed = one(body)
    assert isinstance(parsed, Malformed)
    assert message in parsed.message


def test_unknown_command() -> None:
    assert one("/maintainer frobnicate now") == Unknown(
        1, "/maintainer frobnicate now", "frobnicate"
    )


def test_one_command_per_line_in_order_with_line_numbers() -> None:
    body = "Thanks!\n/maintainer show ignores\n\n@maintainer-bot close\nnot /maintainer scan"
    parsed = parse_comment(body, SLUG)
    assert [(p.line, p.verb) for p in parsed if isinstance(p, Command)] == [
        (2, Verb.SHOW_IGNORES),
        (4, Verb.CLOSE),
    ]


def test_quotes_code_and_other_mentions_are_not_commands() -> None:
    body = (
        "> /maintainer close\n"
        "```\n/maintainer close\n```\n"
        "~~~\n@maintainer-bot scan\n~~~\n"
        "@someone-else close\n"
        "@maintainer-botty close\n"
        "/maintainers close\n"
        "mention /maintainer rebase mid-line"
    )
    assert parse_comment(body, SLUG) == []
