"""The emulator's REST endpoints over real HTTP, through the bot's own GitHub client."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from app.github import GitHubError, NotFound, Unprocessable
from tests.support.harness import APP_ID, INSTALLATION_ID, REPO, Harness, app_keys


def test_app_jwt_is_checked(harness: Harness) -> None:
    assert httpx.get(f"{harness.url}/app").status_code == 401
    other_app = jwt.encode(
        {"iat": int(time.time()) - 60, "exp": int(time.time()) + 500, "iss": "999"},
        app_keys().private_pem,
        algorithm="RS256",
    )
    response = httpx.get(f"{harness.url}/app", headers={"Authorization": f"Bearer {other_app}"})
    assert response.status_code == 401
    with harness.github() as gh:
        assert gh.app_request("GET", "/app")["id"] == APP_ID


def test_installation_token_reads_repository_and_contents(harness: Harness) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        [repo] = inst.repositories()
        assert repo.full_name == REPO
        assert repo.clone_url == f"{harness.url}/{REPO}.git"
        assert inst.repository(REPO).default_branch == "main"
        text = inst.file_text(REPO, "requirements.txt", "main")
        assert text is not None and "requests==2.28.0" in text
        assert inst.file_text(REPO, "missing.txt", "main") is None


def test_expired_token_answers_401(harness: Harness) -> None:
    with harness.github() as gh:
        token = gh.installation(INSTALLATION_ID).token().get_secret_value()
    headers = {"Authorization": f"token {token}"}
    assert httpx.get(f"{harness.url}/repos/{REPO}", headers=headers).status_code == 200
    harness.admin("POST", "/tokens/expire")
    response = httpx.get(f"{harness.url}/repos/{REPO}", headers=headers)
    assert response.status_code == 401
    assert response.json()["message"] == "Bad credentials"


def test_refs_pulls_comments_labels_reactions_checks(harness: Harness) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        main = inst.branch_sha(REPO, "main")
        assert main is not None
        inst.create_branch(REPO, "feature", main)
        with pytest.raises(Unprocessable):
            inst.create_branch(REPO, "feature", main)
        with pytest.raises(Unprocessable):  # no commits between main and feature
            inst.create_pull(REPO, title="t", head="feature", base="main", body="", draft=True)
        inst.delete_branch(REPO, "feature")
        assert inst.branch_sha(REPO, "feature") is None
        with pytest.raises(NotFound):
            inst.pull(REPO, 99)
        run = inst.create_check_run(
            REPO, name="ci", head_sha=main, conclusion="success", title="ok", summary="fine"
        )
        [listed] = inst.check_runs(REPO, "main", name="ci")
        assert (listed.id, listed.conclusion) == (run.id, "success")
        assert inst.check_runs(REPO, main, name="other") == []
        commit = inst.commit(REPO, main)
        assert commit.sha == main and commit.message == "Initial commit"


def test_ref_updates_are_fast_forward_unless_forced(harness: Harness, tmp_path) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        main = inst.branch_sha(REPO, "main")
        assert main is not None
        inst.create_branch(REPO, "topic", main)
        ahead = harness.human_push(REPO, "topic", {"a.txt": "a\n"}, tmp_path)
        inst.update_branch(REPO, "topic", main, force=True)  # rewind: needs force
        assert inst.branch_sha(REPO, "topic") == main
        inst.update_branch(REPO, "topic", ahead, force=False)  # fast-forward
        with pytest.raises(Unprocessable):
            inst.update_branch(REPO, "topic", main, force=False)
        assert inst.branch_sha(REPO, "topic") == ahead


def test_pull_lifecycle_comments_reactions_merge(harness: Harness, tmp_path) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        main = inst.branch_sha(REPO, "main")
        assert main is not None
        inst.create_branch(REPO, "topic", main)
        head = harness.human_push(REPO, "topic", {"a.txt": "a\n"}, tmp_path)
        pull = inst.create_pull(REPO, title="T", head="topic", base="main", body="B", draft=True)
        assert (pull.draft, pull.state, pull.head_sha, pull.merged) == (True, "open", head, False)
        with pytest.raises(Unprocessable):  # one open PR per head and base
            inst.create_pull(REPO, title="T", head="topic", base="main", body="B", draft=True)
        assert [p.number for p in inst.pulls(REPO, head="octo-org:topic")] == [pull.number]
        assert inst.pulls(REPO, head="octo-org:other") == []
        comment = inst.comment(REPO, pull.number, "hello")
        inst.react(REPO, comment.id, "+1")
        reactions = inst.request("GET", f"/repos/{REPO}/issues/comments/{comment.id}/reactions")
        assert [r["content"] for r in reactions] == ["+1"]
        inst.add_labels(REPO, pull.number, ["a", "b"])
        inst.add_labels(REPO, pull.number, ["b", "c"])
        assert inst.pull(REPO, pull.number).labels == ("a", "b", "c")
        run = inst.request(
            "POST",
            f"/repos/{REPO}/check-runs",
            json={"name": "ci", "head_sha": head, "status": "in_progress"},
        )
        assert run["conclusion"] is None
        done = inst.request(
            "PATCH", f"/repos/{REPO}/check-runs/{run['id']}", json={"conclusion": "success"}
        )
        assert (done["status"], done["conclusion"]) == ("completed", "success")
        inst.update_pull(REPO, pull.number, title="T2")
        with pytest.raises(GitHubError):  # GitHub refuses to merge a draft
            inst.request("PUT", f"/repos/{REPO}/pulls/{pull.number}/merge", json={})
        inst.create_branch(REPO, "other", main)
        ready = inst.create_pull(REPO, title="R", head="topic", base="other", body="", draft=False)
        assert ready.number != pull.number  # same head, another base is allowed
        inst.update_pull(REPO, pull.number, state="closed")
        merged = inst.request("PUT", f"/repos/{REPO}/pulls/{ready.number}/merge", json={})
        after = inst.pull(REPO, ready.number)
        assert after.merged and after.state == "closed"
        assert inst.commit(REPO, merged["sha"]).parents == (main, head)
        assert inst.branch_sha(REPO, "other") == merged["sha"]


def test_bad_input_gets_4xx_not_5xx(harness: Harness) -> None:
    with harness.github() as gh:
        token = gh.installation(INSTALLATION_ID).token().get_secret_value()
    headers = {"Authorization": f"token {token}"}
    bad_page = httpx.get(f"{harness.url}/repos/{REPO}/pulls?per_page=lots", headers=headers)
    assert bad_page.status_code == 422
    for owner in ("..", "a/b", ".hidden"):
        seeded = httpx.post(
            f"{harness.url}/_emulator/repos", json={"owner": owner, "name": "x", "tree": None}
        )
        assert seeded.status_code == 422, owner
    missing = httpx.post(f"{harness.url}/repos/{REPO}/pulls", headers=headers, json={})
    assert missing.status_code == 422
