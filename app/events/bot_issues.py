"""Issues the bot keeps in place: one issue per repository and key, created once, then edited.

The weekly "Maintenance report" is one; a flaky-test tracking issue, a trend alert or an
incident issue are others. `keep_issue(gh, store, repository, key, ...)` makes the issue say
`title` and `body` and be open (or closed): it creates the issue the first time, and every
later call edits that same issue (reopening or closing it as asked), so calling it again with
nothing changed changes nothing.

The issue's number is remembered in the store (`bot_issues`). The body ends with a hidden marker
naming the key, so when the store has lost the number (a new database, a restored backup) the
issue is found again among the bot's own issues, and never opened a second time. Only issues
the bot opened count: a person's issue quoting the marker is never taken over.

Callers serialise by repository (jobs hold the repository's lock), so two calls never race to
create the same issue.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from app.github import Issue, NotFound
from app.store import RepositoryRecord, Store
from app.templates import GITHUB_BODY_LIMIT

log = logging.getLogger(__name__)

State = Literal["open", "closed"]
Action = Literal["created", "updated", "unchanged"]

_KEY = re.compile(r"[a-z0-9][a-z0-9._:/-]{0,99}")
_MARKER = "<!-- maintainer-bot:issue {key} -->"


class BotIssueError(ValueError):
    """The issue cannot be kept as asked (a bad key, a body over GitHub's limit)."""


class IssuePort(Protocol):
    """The calls this needs (`app.github.Installation` has them; tests may pass a fake)."""

    def create_issue(
        self, full_name: str, *, title: str, body: str, labels: Sequence[str] = ()
    ) -> Issue: ...

    def issue(self, full_name: str, number: int) -> Issue: ...

    def update_issue(
        self,
        full_name: str,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: Literal["open", "closed"] | None = None,
        labels: Sequence[str] | None = None,
    ) -> Issue: ...

    def issues(
        self,
        full_name: str,
        *,
        state: Literal["open", "closed", "all"] = "open",
        labels: Sequence[str] = (),
        creator: str | None = None,
        pulls: bool = False,
    ) -> list[Issue]: ...


@dataclass(frozen=True)
class KeptIssue:
    number: int
    html_url: str
    action: Action
    state: State


def marker(key: str) -> str:
    """The hidden line that names the key in the issue's body."""
    if not _KEY.fullmatch(key):
        raise BotIssueError(
            f"issue key {key!r}: use 1 to 100 of a-z, 0-9 and . _ : / - (starting alphanumeric)"
        )
    return _MARKER.format(key=key)


def marked_body(key: str, body: str) -> str:
    """`body` with the key's marker as its last line; `BotIssueError` over GitHub's limit."""
    text = f"{body.rstrip()}\n\n{marker(key)}\n"
    if len(text) > GITHUB_BODY_LIMIT:
        raise BotIssueError(
            f"issue {key}: the body is {len(text)} characters, over GitHub's {GITHUB_BODY_LIMIT}"
        )
    return text


def room_for_body(key: str) -> int:
    """The longest body `keep_issue` accepts for `key` (GitHub's limit less the marker)."""
    return GITHUB_BODY_LIMIT - len(marked_body(key, "")) - 1


def find_issue(
    gh: IssuePort, store: Store, repository: RepositoryRecord, key: str, bot_login: str
) -> Issue | None:
    """The bot's issue for `key`: the remembered number, else the bot's issue whose body holds
    the marker (an open one first, then the oldest), remembered again; None when there is none."""
    tag = marker(key)
    number = store.bot_issue(repository.id, key)
    if number is not None:
        try:
            found = gh.issue(repository.full_name, number)
        except NotFound:
            found = None
        if found is not None and _ours(found, bot_login):
            return found
        log.warning("%s: issue #%s for %s is gone; looking for its marker", repository, number, key)
        store.forget_bot_issue(repository.id, key)
    candidates = [
        i
        for i in gh.issues(repository.full_name, state="all", creator=bot_login)
        if _ours(i, bot_login) and tag in i.body
    ]
    if not candidates:
        return None
    found = min(candidates, key=lambda i: (not i.open, i.number))
    store.remember_bot_issue(repository.id, key, found.number)
    return found


def keep_issue(
    gh: IssuePort,
    store: Store,
    repository: RepositoryRecord,
    key: str,
    *,
    title: str,
    body: str,
    bot_login: str,
    labels: Sequence[str] | None = None,
    state: State = "open",
) -> KeptIssue:
    """Make the issue for `key` say `title` and `body` (and carry `labels`, when given) in
    `state`: create it once, edit it in place afterwards; what GitHub already shows is not
    sent again."""
    text = marked_body(key, body)
    found = find_issue(gh, store, repository, key, bot_login)
    if found is None:
        created = gh.create_issue(repository.full_name, title=title, body=text, labels=labels or ())
        store.remember_bot_issue(repository.id, key, created.number)
        if state == "closed":
            created = gh.update_issue(repository.full_name, created.number, state="closed")
        return KeptIssue(created.number, created.html_url, "created", _state(created))
    changes: dict[str, str] = {}
    if found.title != title:
        changes["title"] = title
    if found.body.rstrip() != text.rstrip():
        changes["body"] = text
    wanted_labels = None if labels is None or set(labels) == set(found.labels) else labels
    if not changes and wanted_labels is None and found.state == state:
        return KeptIssue(found.number, found.html_url, "unchanged", _state(found))
    updated = gh.update_issue(
        repository.full_name,
        found.number,
        title=changes.get("title"),
        body=changes.get("body"),
        state=state if found.state != state else None,
        labels=wanted_labels,
    )
    return KeptIssue(updated.number, updated.html_url, "updated", _state(updated))


def close_issue(
    gh: IssuePort,
    store: Store,
    repository: RepositoryRecord,
    key: str,
    bot_login: str,
) -> KeptIssue | None:
    """Close the issue for `key`, if there is one (its body is left as it was)."""
    found = find_issue(gh, store, repository, key, bot_login)
    if found is None:
        return None
    if not found.open:
        return KeptIssue(found.number, found.html_url, "unchanged", "closed")
    closed = gh.update_issue(repository.full_name, found.number, state="closed")
    return KeptIssue(closed.number, closed.html_url, "updated", _state(closed))


def is_kept_issue(store: Store, repository: RepositoryRecord, key: str, number: int) -> bool:
    """Whether issue `number` is the one remembered for `key`."""
    return store.bot_issue(repository.id, key) == number


def _ours(issue: Issue, bot_login: str) -> bool:
    return not issue.pull and issue.user_login.lower() == bot_login.lower()


def _state(issue: Issue) -> State:
    return "open" if issue.open else "closed"
