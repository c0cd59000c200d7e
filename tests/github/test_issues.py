"""Issues through the adapter against the emulator: create, get, edit, close and reopen, list
with filters and pagination, comments on plain issues, and one number sequence with pulls."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.emulator import deliveries
from app.github import GitHubError, NotFound, Unprocessable
from tests.support.harness import INSTALLATION_ID, REPO, Harness

BOT = "maintainer-bot[bot]"


def test_create_get_edit_close_and_reopen_an_issue(harness: Harness) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        made = inst.create_issue(REPO, title="Maintenance report", body="v1", labels=["report"])
        assert made.open and not made.pull and made.labels == ("report",)
        assert made.user_login.endswith("[bot]")
        got = inst.issue(REPO, made.number)
        assert (got.title, got.body, got.state) == ("Maintenance report", "v1", "open")
        edited = inst.update_issue(REPO, made.number, body="v2", labels=["a", "b"])
        assert (edited.body, edited.labels, edited.title) == ("v2", ("a", "b"), made.title)
        closed = inst.update_issue(REPO, made.number, state="closed")
        assert closed.state == "closed"
        raw = inst.request("GET", f"/repos/{REPO}/issues/{made.number}")
        assert raw["state_reason"] == "completed" and raw["closed_at"]
        reopened = inst.update_issue(REPO, made.number, state="open")
        assert reopened.open
        assert inst.request("GET", f"/repos/{REPO}/issues/{made.number}")["closed_at"] is None


def test_issues_and_pulls_share_one_number_sequence(harness: Harness, tmp_path: Path) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        first = inst.create_issue(REPO, title="one", body="")
        main = inst.branch_sha(REPO, "main")
        assert main is not None
        inst.create_branch(REPO, "topic", main)
        harness.human_push(REPO, "topic", {"a.txt": "a\n"}, tmp_path)
        pull = inst.create_pull(REPO, title="T", head="topic", base="main", body="", draft=True)
        second = inst.create_issue(REPO, title="two", body="")
        assert (first.number, pull.number, second.number) == (1, 2, 3)
        # /issues lists pull requests too, as GitHub does; the adapter leaves them out by default
        assert [i.number for i in inst.issues(REPO)] == [3, 1]
        both = inst.issues(REPO, pulls=True)
        assert [(i.number, i.pull) for i in both] == [(3, False), (2, True), (1, False)]
        assert inst.issue(REPO, pull.number).pull
        with pytest.raises(Unprocessable):
            inst.update_issue(REPO, pull.number, body="edit the pull through /pulls")


def test_list_filters_state_labels_creator_and_paginates(harness: Harness) -> None:
    harness.admin("POST", f"/repos/{REPO}/issues", {"user": "octocat", "title": "human"})
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        made = [
            inst.create_issue(REPO, title=f"i{n}", body="", labels=["x"] if n % 2 else [])
            for n in range(5)
        ]
        inst.update_issue(REPO, made[0].number, state="closed")
        assert len(inst.issues(REPO)) == 5  # 4 of the bot's and the human's are open
        assert [i.number for i in inst.issues(REPO, state="closed")] == [made[0].number]
        assert len(inst.issues(REPO, state="all")) == 6
        labelled = inst.issues(REPO, state="all", labels=["x"])
        assert sorted(i.number for i in labelled) == [made[1].number, made[3].number]
        assert [i.title for i in inst.issues(REPO, creator="octocat")] == ["human"]
        bots = inst.issues(REPO, state="all", creator=inst.issue(REPO, made[0].number).user_login)
        assert len(bots) == 5
        page = inst.request("GET", f"/repos/{REPO}/issues", params={"per_page": 2, "state": "all"})
        assert len(page) == 2
    headers = _raw(harness, f"/repos/{REPO}/issues?per_page=2&state=all").headers
    assert 'rel="next"' in headers["link"]
    with harness.github() as gh, pytest.raises(Unprocessable):
        gh.installation(INSTALLATION_ID).request(
            "GET", f"/repos/{REPO}/issues", params={"state": "sideways"}
        )


def _raw(harness: Harness, path: str) -> httpx.Response:
    with harness.github() as gh:
        token = gh.installation(INSTALLATION_ID).token().get_secret_value()
    return httpx.get(f"{harness.url}{path}", headers={"Authorization": f"token {token}"})


def test_bad_issue_requests_are_refused_and_change_nothing(harness: Harness) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        with pytest.raises(Unprocessable):
            inst.create_issue(REPO, title="   ", body="")
        with pytest.raises(Unprocessable):
            inst.create_issue(REPO, title="long", body="x" * 65537)
        made = inst.create_issue(REPO, title="ok", body="kept")
        with pytest.raises(GitHubError):
            inst.request("PATCH", f"/repos/{REPO}/issues/{made.number}", json={"state": "gone"})
        with pytest.raises(Unprocessable):
            inst.update_issue(REPO, made.number, body="y" * 65537)
        assert inst.issue(REPO, made.number).body == "kept"
        with pytest.raises(NotFound):
            inst.issue(REPO, 999)
        assert [i.number for i in inst.issues(REPO, state="all")] == [made.number]


def test_comments_on_a_plain_issue_and_their_delivery(harness: Harness) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        made = inst.create_issue(REPO, title="Maintenance report", body="")
        inst.comment(REPO, made.number, "from the bot")
        issue_json = inst.request("GET", f"/repos/{REPO}/issues/{made.number}")
    human = harness.admin(
        "POST", f"/repos/{REPO}/issues/{made.number}/comments", {"user": "octocat", "body": "hi"}
    ).json()
    assert human["html_url"].endswith(f"/issues/{made.number}#issuecomment-{human['id']}")
    with harness.github() as gh:
        listed = gh.installation(INSTALLATION_ID).comments(REPO, made.number)
    assert [c.body for c in listed] == ["from the bot", "hi"]
    repository = harness.admin("GET", f"/repos/{REPO}").json()
    payload = deliveries.issue_comment(INSTALLATION_ID, repository, issue_json, human)
    assert "pull_request" not in payload["issue"]
    assert payload["issue"]["number"] == made.number
    assert payload["issue"]["user"]["login"] == issue_json["user"]["login"]
    assert payload["comment"]["body"] == "hi"
