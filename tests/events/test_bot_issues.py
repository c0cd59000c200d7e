"""Issues the bot keeps in place, against the emulator and a real SQLite store: created once,
edited in place, found again by its marker when the store forgot it, never a second issue."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.events.bot_issues import (
    BotIssueError,
    close_issue,
    keep_issue,
    marked_body,
    marker,
    room_for_body,
)
from app.github import Installation
from app.store import RepositoryRecord, Store, open_store
from tests.support.harness import INSTALLATION_ID, REPO, Harness, register

BOT = "maintainer-bot[bot]"
KEY = "report"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'state.db'}")


def _repository(harness: Harness, store: Store) -> RepositoryRecord:
    register(harness, store)
    found = store.repository(REPO)
    assert found is not None
    return found


def _issues(gh: Installation) -> list[int]:
    return [i.number for i in gh.issues(REPO, state="all")]


def test_created_once_then_edited_in_place(harness: Harness, store: Store) -> None:
    repository = _repository(harness, store)
    with harness.github() as github:
        gh = github.installation(INSTALLATION_ID)
        first = keep_issue(gh, store, repository, KEY, title="Report", body="v1", bot_login=BOT)
        assert first.action == "created" and first.state == "open"
        assert store.bot_issue(repository.id, KEY) == first.number
        again = keep_issue(gh, store, repository, KEY, title="Report", body="v1", bot_login=BOT)
        assert (again.number, again.action) == (first.number, "unchanged")
        second = keep_issue(gh, store, repository, KEY, title="Report", body="v2", bot_login=BOT)
        assert (second.number, second.action) == (first.number, "updated")
        issue = gh.issue(REPO, first.number)
        assert issue.body.startswith("v2") and marker(KEY) in issue.body
        other = keep_issue(gh, store, repository, "flaky", title="Flaky", body="x", bot_login=BOT)
        assert other.number != first.number
        assert sorted(_issues(gh)) == sorted([first.number, other.number])


def test_store_lost_the_number_marker_finds_it(harness: Harness, store: Store) -> None:
    repository = _repository(harness, store)
    with harness.github() as github:
        gh = github.installation(INSTALLATION_ID)
        made = keep_issue(gh, store, repository, KEY, title="Report", body="v1", bot_login=BOT)
        store.forget_bot_issue(repository.id, KEY)  # e.g. a new database
        # a person quoting the marker in their own issue is not taken for the bot's issue
        harness.admin(
            "POST",
            f"/repos/{REPO}/issues",
            {"user": "mallory", "title": "Report", "body": marked_body(KEY, "mine")},
        )
        kept = keep_issue(gh, store, repository, KEY, title="Report", body="v2", bot_login=BOT)
        assert (kept.number, kept.action) == (made.number, "updated")
        assert store.bot_issue(repository.id, KEY) == made.number
        mine = [i for i in gh.issues(REPO, state="all") if i.user_login == BOT]
        assert [i.number for i in mine] == [made.number]


def test_remembered_number_that_is_not_ours_is_not_edited(harness: Harness, store: Store) -> None:
    repository = _repository(harness, store)
    human = harness.admin("POST", f"/repos/{REPO}/issues", {"user": "octocat", "title": "t"}).json()
    store.remember_bot_issue(repository.id, KEY, human["number"])  # stale or wrong record
    with harness.github() as github:
        gh = github.installation(INSTALLATION_ID)
        kept = keep_issue(gh, store, repository, KEY, title="Report", body="v1", bot_login=BOT)
        assert kept.action == "created" and kept.number != human["number"]
        assert gh.issue(REPO, human["number"]).body == ""
        assert store.bot_issue(repository.id, KEY) == kept.number
        store.remember_bot_issue(repository.id, KEY, 999)  # deleted on GitHub
        again = keep_issue(gh, store, repository, KEY, title="Report", body="v1", bot_login=BOT)
        assert (again.number, again.action) == (kept.number, "unchanged")


def test_close_and_reopen(harness: Harness, store: Store) -> None:
    repository = _repository(harness, store)
    with harness.github() as github:
        gh = github.installation(INSTALLATION_ID)
        assert close_issue(gh, store, repository, KEY, BOT) is None  # nothing to close
        made = keep_issue(gh, store, repository, KEY, title="Alert", body="a", bot_login=BOT)
        closed = close_issue(gh, store, repository, KEY, BOT)
        assert closed is not None and (closed.number, closed.state) == (made.number, "closed")
        store.forget_bot_issue(repository.id, KEY)  # a closed issue is found by marker too
        back = keep_issue(gh, store, repository, KEY, title="Alert", body="a", bot_login=BOT)
        assert (back.number, back.state, back.action) == (made.number, "open", "updated")
        quiet = keep_issue(
            gh, store, repository, KEY, title="Alert", body="a", bot_login=BOT, state="closed"
        )
        assert (quiet.number, quiet.state) == (made.number, "closed")
        assert _issues(gh) == [made.number]


def test_bad_keys_and_overlong_bodies_are_refused(harness: Harness, store: Store) -> None:
    repository = _repository(harness, store)
    for key in ("", "Report", "a b", "x-->", "../x", "k" * 101):
        with pytest.raises(BotIssueError):
            marker(key)
    with harness.github() as github:
        gh = github.installation(INSTALLATION_ID)
        with pytest.raises(BotIssueError):
            keep_issue(
                gh,
                store,
                repository,
                KEY,
                title="R",
                body="x" * (room_for_body(KEY) + 2),
                bot_login=BOT,
            )
        assert _issues(gh) == []
        fits = keep_issue(
            gh, store, repository, KEY, title="R", body="x" * room_for_body(KEY), bot_login=BOT
        )
        assert fits.action == "created"
