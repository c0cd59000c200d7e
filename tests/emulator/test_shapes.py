"""The emulator answers in GitHub's shapes: every response validates against githubkit's
REST models (generated from GitHub's OpenAPI description)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from githubkit_schemas.latest import models
from pydantic import TypeAdapter

from tests.support.harness import INSTALLATION_ID, REPO, Harness


def valid(model: Any, data: Any) -> None:
    TypeAdapter(model).validate_python(data)


@pytest.fixture
def responses(harness: Harness, tmp_path: Path) -> dict[str, Any]:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        main = inst.branch_sha(REPO, "main")
        assert main is not None
        inst.create_branch(REPO, "topic", main)
        head = harness.human_push(REPO, "topic", {"a.txt": "a\n"}, tmp_path)
        pull = inst.create_pull(REPO, title="T", head="topic", base="main", body="", draft=True)
        comment = inst.comment(REPO, pull.number, "hello")
        repos = f"/repos/{REPO}"
        check = {"name": "ci", "head_sha": head, "conclusion": "success"}
        return {
            "repository": inst.request("GET", repos),
            "installation_repositories": inst.request("GET", "/installation/repositories"),
            "contents": inst.request("GET", f"{repos}/contents/requirements.txt"),
            "ref": inst.request("GET", f"{repos}/git/ref/heads/main"),
            "commit": inst.request("GET", f"{repos}/commits/{head}"),
            "pull": inst.request("GET", f"{repos}/pulls/{pull.number}"),
            "pulls": inst.request("GET", f"{repos}/pulls"),
            "pull_commits": inst.request("GET", f"{repos}/pulls/{pull.number}/commits"),
            "comments": inst.request("GET", f"{repos}/issues/{pull.number}/comments"),
            "reaction": inst.request(
                "POST", f"{repos}/issues/comments/{comment.id}/reactions", json={"content": "+1"}
            ),
            "check_run": inst.request("POST", f"{repos}/check-runs", json=check),
            "check_runs": inst.request("GET", f"{repos}/commits/{head}/check-runs"),
            "token": gh.app_request("POST", f"/app/installations/{INSTALLATION_ID}/access_tokens"),
            "installation": gh.app_request("GET", f"/app/installations/{INSTALLATION_ID}"),
        }


def test_every_response_matches_githubs_schema(responses: dict[str, Any]) -> None:
    valid(models.FullRepository, responses["repository"])
    listed = responses["installation_repositories"]
    assert listed["total_count"] == 1
    valid(list[models.Repository], listed["repositories"])
    valid(models.ContentFile, responses["contents"])
    valid(models.GitRef, responses["ref"])
    valid(models.Commit, responses["commit"])
    valid(models.PullRequest, responses["pull"])
    valid(list[models.PullRequestSimple], responses["pulls"])
    valid(list[models.Commit], responses["pull_commits"])
    valid(list[models.IssueComment], responses["comments"])
    valid(models.Reaction, responses["reaction"])
    valid(models.CheckRun, responses["check_run"])
    valid(list[models.CheckRun], responses["check_runs"]["check_runs"])
    valid(models.InstallationToken, responses["token"])
    valid(models.Installation, responses["installation"])


def test_issue_responses_match_githubs_schema(harness: Harness, tmp_path: Path) -> None:
    repos = f"/repos/{REPO}"
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        main = inst.branch_sha(REPO, "main")
        assert main is not None
        inst.create_branch(REPO, "topic", main)
        harness.human_push(REPO, "topic", {"a.txt": "a\n"}, tmp_path)
        pull = inst.create_pull(REPO, title="T", head="topic", base="main", body="", draft=True)
        made = inst.request(
            "POST", f"{repos}/issues", json={"title": "Report", "body": "b", "labels": ["x"]}
        )
        valid(models.Issue, made)
        edited = inst.request("PATCH", f"{repos}/issues/{made['number']}", json={"state": "closed"})
        valid(models.Issue, edited)
        valid(models.Issue, inst.request("GET", f"{repos}/issues/{made['number']}"))
        valid(models.Issue, inst.request("GET", f"{repos}/issues/{pull.number}"))
        listed = inst.request("GET", f"{repos}/issues", params={"state": "all"})
        valid(list[models.Issue], listed)
        assert {i["number"] for i in listed} == {made["number"], pull.number}
        comment = inst.request(
            "POST", f"{repos}/issues/{made['number']}/comments", json={"body": "hello"}
        )
        valid(models.IssueComment, comment)
        valid(
            list[models.IssueComment],
            inst.request("GET", f"{repos}/issues/{made['number']}/comments"),
        )
