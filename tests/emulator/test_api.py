"""The emulator's REST endpoints over real HTTP, through the bot's own GitHub client."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from app.github import NotFound, Unprocessable
from tests.emulator.harness import APP_ID, INSTALLATION_ID, REPO, Harness, app_keys


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
