"""The workspace: clone and fetch through the emulator's smart HTTP with the token in a header."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.workspace import Workspace, WorkspaceError
from tests.emulator.harness import INSTALLATION_ID, REPO, Harness
from tests.support import git


def token(harness: Harness) -> SecretStr:
    with harness.github() as gh:
        return gh.installation(INSTALLATION_ID).token()


def test_clone_then_fetch_new_commits(harness: Harness, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "cache")
    url = f"{harness.url}/{REPO}.git"
    first = workspace.checkout(REPO, url, "main", token(harness))
    assert (first.path / "requirements.txt").is_file()
    harness.human_push(REPO, "main", {"NEW.md": "hello\n"}, tmp_path)
    (first.path / "stray.txt").write_text("left by a crashed job")
    second = workspace.checkout(REPO, url, "main", token(harness))
    assert second.path == first.path and second.sha != first.sha
    assert (second.path / "NEW.md").read_text() == "hello\n"
    assert not (second.path / "stray.txt").exists()


def test_token_is_never_written_to_disk_or_url(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = token(harness)
    checkout = Workspace(tmp_path / "cache").checkout(
        REPO, f"{harness.url}/{REPO}.git", "main", secret
    )
    config = (checkout.path / ".git" / "config").read_text()
    assert secret.get_secret_value() not in config
    assert git(checkout.path, "remote", "get-url", "origin").strip() == f"{harness.url}/{REPO}.git"
    assert secret.get_secret_value() not in caplog.text


def test_bad_token_fails_without_leaking_it(harness: Harness, tmp_path: Path) -> None:
    bogus = SecretStr("ghs_not-a-valid-token-at-all")
    with pytest.raises(WorkspaceError) as caught:
        Workspace(tmp_path / "cache").checkout(REPO, f"{harness.url}/{REPO}.git", "main", bogus)
    assert "ghs_not-a-valid" not in str(caught.value)


@pytest.mark.parametrize("url", ["ext::sh -c touch% /tmp/pwned", "file:///etc", "/tmp/repo"])
def test_unsafe_clone_urls_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(WorkspaceError):
        Workspace(tmp_path / "cache").checkout(REPO, url, "main", SecretStr("t"))


def test_push_to_default_branch_is_refused(harness: Harness, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "cache")
    checkout = workspace.checkout(REPO, f"{harness.url}/{REPO}.git", "main", token(harness))
    with pytest.raises(WorkspaceError):
        workspace.push(checkout, checkout.sha, "main", token(harness), force=True)
