"""The `maintainer/config` check run the service posts on the scanned commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import ConfigError, parse_config
from app.github import GitHub, Installation
from app.service.config_check import CONFIG_CHECK, post_config_check
from app.workspace import Checkout, Workspace
from tests.support.harness import INSTALLATION_ID, REPO, Harness


@pytest.fixture
def gh(harness: Harness) -> Iterator[GitHub]:
    with harness.github() as github:
        yield github


def checkout_of(gh: GitHub, tmp_path: Path) -> tuple[Installation, Checkout]:
    inst = gh.installation(INSTALLATION_ID)
    repo = inst.repository(REPO)
    workspace = Workspace(tmp_path / "cache")
    return inst, workspace.checkout(REPO, repo.clone_url, repo.default_branch, inst.token())


def test_config_check_fails_with_line_then_passes(gh: GitHub, tmp_path: Path) -> None:
    inst, checkout = checkout_of(gh, tmp_path)
    with pytest.raises(ConfigError) as caught:
        parse_config("version: 1\nopen_pr_limit: lots\n")
    run = post_config_check(inst, checkout, ".maintainer.yml", caught.value)
    assert run is not None and run.conclusion == "failure"
    assert post_config_check(inst, checkout, ".maintainer.yml", caught.value) is None  # idempotent
    [listed] = inst.check_runs(REPO, checkout.sha, name=CONFIG_CHECK)
    assert "line 2" in (listed.summary or "") and "open_pr_limit" in (listed.summary or "")
    passed = post_config_check(inst, checkout, ".maintainer.yml", None)
    assert passed is not None and passed.conclusion == "success"
