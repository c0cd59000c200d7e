"""Git smart HTTP through the emulator: the installation token opens exactly its repositories."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

from tests.support import GIT_ENV
from tests.support.harness import INSTALLATION_ID, REPO, Harness


def run_git(cwd: Path, token: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    if token is not None:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="http.extraHeader",
            GIT_CONFIG_VALUE_0=f"Authorization: Basic {basic}",
        )
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def installation_token(harness: Harness) -> str:
    with harness.github() as gh:
        return gh.installation(INSTALLATION_ID).token().get_secret_value()


def test_clone_and_push_with_the_installation_token(harness: Harness, tmp_path: Path) -> None:
    token = installation_token(harness)
    url = f"{harness.url}/{REPO}.git"
    assert run_git(tmp_path, token, "clone", "-q", url, "work").returncode == 0
    work = tmp_path / "work"
    (work / "NEW.md").write_text("pushed over HTTP\n")
    run_git(work, None, "add", "NEW.md")
    run_git(work, None, "commit", "-q", "-m", "over http")
    pushed = run_git(work, token, "push", "-q", "origin", "HEAD:refs/heads/topic")
    assert pushed.returncode == 0, pushed.stderr
    head = run_git(work, None, "rev-parse", "HEAD").stdout.strip()
    with harness.github() as gh:
        assert gh.installation(INSTALLATION_ID).branch_sha(REPO, "topic") == head


def test_no_or_bad_or_expired_token_is_refused(harness: Harness, tmp_path: Path) -> None:
    url = f"{harness.url}/{REPO}.git"
    assert run_git(tmp_path, None, "clone", "-q", url, "a").returncode != 0
    assert run_git(tmp_path, "ghs_wrong", "clone", "-q", url, "b").returncode != 0
    token = installation_token(harness)
    harness.admin("POST", "/tokens/expire")
    assert run_git(tmp_path, token, "clone", "-q", url, "c").returncode != 0


def test_token_opens_only_its_installations_repositories(harness: Harness, tmp_path: Path) -> None:
    harness.emulator.seed("someone-else/private", None)
    harness.emulator.install(99, "someone-else", ["someone-else/private"])
    token = installation_token(harness)
    url = f"{harness.url}/someone-else/private.git"
    refused = run_git(tmp_path, token, "ls-remote", url)
    assert refused.returncode != 0
