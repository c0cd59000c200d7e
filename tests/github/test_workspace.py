"""The workspace: clone and fetch through the emulator's smart HTTP with the token in a header."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.workspace import Workspace, WorkspaceError
from tests.support import git
from tests.support.harness import INSTALLATION_ID, REPO, Harness


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


def test_token_refused_by_git_is_refreshed_once(harness: Harness, tmp_path: Path) -> None:
    from app.workspace import with_token

    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        stale = inst.token()
        harness.admin("POST", "/tokens/expire")  # revoked early: the cache does not know yet
        assert inst.token() == stale
        workspace = Workspace(tmp_path / "cache")
        url = f"{harness.url}/{REPO}.git"
        checkout = with_token(inst, lambda token: workspace.checkout(REPO, url, "main", token))
        assert (checkout.path / "requirements.txt").is_file()
        assert inst.token() != stale


def test_other_git_failures_are_not_retried_with_a_new_token(
    harness: Harness, tmp_path: Path
) -> None:
    from app.workspace import with_token

    calls: list[str] = []

    def missing_branch(token: SecretStr):
        calls.append(token.get_secret_value())
        return Workspace(tmp_path / "c").checkout(REPO, f"{harness.url}/{REPO}.git", "nope", token)

    with harness.github() as gh, pytest.raises(WorkspaceError) as caught:
        with_token(gh.installation(INSTALLATION_ID), missing_branch)
    assert len(calls) == 1 and not caught.value.auth
    assert not caught.value.retryable  # a missing branch does not appear by trying again
    assert "Remote branch nope not found" in str(caught.value)


def test_an_unreachable_server_is_a_retryable_failure(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/{REPO}.git"
    with pytest.raises(WorkspaceError) as caught:
        Workspace(tmp_path / "c").checkout(REPO, url, "main", SecretStr("t"))
    assert caught.value.retryable and not caught.value.auth


@pytest.mark.parametrize(
    "full_name",
    [
        "../victim",
        "octo-org/../../victim",
        "octo-org/..",
        "../../victim/x",
        "{victim}",  # an absolute path
        "octo-org/demo/extra",
        "octo org/demo",
        "octo-org/",
        "-rf/demo",
        "octo-org/.",
    ],
)
def test_names_outside_githubs_character_set_touch_nothing(tmp_path: Path, full_name: str) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    root = tmp_path / "cache"
    name = full_name.format(victim=victim)
    with pytest.raises(WorkspaceError, match="not a GitHub repository name"):
        Workspace(root).checkout(name, "https://github.invalid/x.git", "main", SecretStr("t"))
    assert (victim / "precious.txt").read_text() == "keep me"
    assert not root.exists()  # nothing was created either


def test_a_symlink_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    (victim / "demo").mkdir(parents=True)
    (victim / "demo" / "precious.txt").write_text("keep me")
    root = tmp_path / "cache"
    root.mkdir()
    (root / "octo-org").symlink_to(victim)
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        Workspace(root).checkout(
            "octo-org/demo", "https://github.invalid/x.git", "main", SecretStr("t")
        )
    assert (victim / "demo" / "precious.txt").read_text() == "keep me"
