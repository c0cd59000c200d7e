"""Signed deliveries built from the recorded payloads."""

from __future__ import annotations

import hashlib
import hmac
import json

from app.emulator import deliveries
from tests.support.harness import INSTALLATION_ID, REPO, Harness


def test_signature_is_github_hmac_sha256() -> None:
    item = deliveries.delivery("ping", {"zen": "Keep it logically awesome."}, "abc")
    headers = item.headers("s3cret")
    expected = hmac.new(b"s3cret", item.body, hashlib.sha256).hexdigest()
    assert headers["X-Hub-Signature-256"] == f"sha256={expected}"
    assert (headers["X-GitHub-Event"], headers["X-GitHub-Delivery"]) == ("ping", "abc")


def test_payloads_carry_the_emulators_objects(harness: Harness) -> None:
    repository = harness.admin("GET", f"/repos/{REPO}").json()
    installation = harness.admin(
        "POST",
        "/installations",
        {"id": INSTALLATION_ID, "account": "octo-org", "repositories": [REPO]},
    ).json()
    created = deliveries.installation_created(installation, [repository])
    assert created["action"] == "created" and created["installation"]["id"] == INSTALLATION_ID
    assert created["repositories"] == [
        {k: repository[k] for k in ("id", "node_id", "name", "full_name", "private")}
    ]
    head = repository["head"]
    commits = harness.admin("GET", f"/repos/{REPO}/pushed?after={head}").json()
    push = deliveries.push(INSTALLATION_ID, repository, "0" * 40, head, commits)
    assert push["ref"] == "refs/heads/main" and push["after"] == head and push["created"]
    assert push["repository"]["clone_url"] == f"{harness.url}/{REPO}.git"
    assert push["installation"]["id"] == INSTALLATION_ID
    assert "requirements.txt" in push["head_commit"]["added"]
    json.dumps(push)  # serialisable as sent


def test_built_payloads_parse_as_githubkit_webhook_models(harness: Harness) -> None:
    from githubkit.webhooks import parse_obj

    repository = harness.admin("GET", f"/repos/{REPO}").json()
    body = {"id": INSTALLATION_ID, "account": "octo-org", "repositories": [REPO]}
    installation = harness.admin("POST", "/installations", body).json()
    head = repository["head"]
    commits = harness.admin("GET", f"/repos/{REPO}/pushed?after={head}").json()
    push = parse_obj("push", deliveries.push(INSTALLATION_ID, repository, "0" * 40, head, commits))
    assert push.after == head and push.repository.full_name == REPO
    created = parse_obj("installation", deliveries.installation_created(installation, [repository]))
    assert created.installation.id == INSTALLATION_ID


def test_issue_comment_payload_parses_and_names_the_comment(harness: Harness, tmp_path) -> None:
    from githubkit.webhooks import parse_obj

    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        main = inst.branch_sha(REPO, "main")
        assert main is not None
        inst.create_branch(REPO, "topic", main)
        harness.human_push(REPO, "topic", {"a.txt": "a\n"}, tmp_path)
        pull = inst.create_pull(REPO, title="T", head="topic", base="main", body="", draft=True)
        pull_json = inst.request("GET", f"/repos/{REPO}/pulls/{pull.number}")
    repository = harness.admin("GET", f"/repos/{REPO}").json()
    comment = harness.admin(
        "POST", f"/repos/{REPO}/issues/{pull.number}/comments", {"user": "octocat", "body": "hi"}
    ).json()
    payload = deliveries.issue_comment(INSTALLATION_ID, repository, pull_json, comment)
    event = parse_obj("issue_comment", payload)
    assert event.comment.id == comment["id"] and event.comment.body == "hi"
    assert event.comment.user is not None and event.comment.user.login == "octocat"
    assert event.issue.number == pull.number
