"""The emulator answers what githubkit sends, with githubkit's own auth strategies (App JWT,
then installation tokens it fetches and caches itself), typed calls whose responses validate
against its models, and `rest.paginate` following the emulator's `Link` headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from githubkit import AppAuthStrategy, GitHub
from githubkit.auth import BaseAuthStrategy
from githubkit.cache import MemCacheStrategy
from githubkit.exception import RequestFailed

from tests.support.harness import APP_ID, INSTALLATION_ID, REPO, Harness, app_keys

OWNER, NAME = REPO.split("/")


def kit(harness: Harness, installation: int | None = None) -> GitHub[Any]:
    app = AppAuthStrategy(APP_ID, app_keys().private_pem)
    auth: BaseAuthStrategy = app if installation is None else app.as_installation(installation)
    return GitHub(
        auth,
        base_url=harness.url,
        cache_strategy=MemCacheStrategy(),  # not githubkit's process-wide cache
        http_cache=False,
        auto_retry=False,
    )


def test_app_jwt_and_installation_strategies(harness: Harness) -> None:
    app = kit(harness)
    authenticated = app.rest.apps.get_authenticated().parsed_data
    assert authenticated is not None and authenticated.id == APP_ID
    installation = app.rest.apps.get_installation(INSTALLATION_ID).parsed_data
    assert installation.id == INSTALLATION_ID
    inst = kit(harness, INSTALLATION_ID)
    repo = inst.rest.repos.get(OWNER, NAME).parsed_data
    assert (repo.full_name, repo.default_branch) == (REPO, "main")
    listed = inst.rest.apps.list_repos_accessible_to_installation().parsed_data
    assert [r.full_name for r in listed.repositories] == [REPO]
    tokens = harness.admin("GET", "/tokens").json()
    assert len(tokens) == 1  # githubkit cached the installation token it asked for


def test_typed_calls_parse_into_githubkits_models(harness: Harness, tmp_path: Path) -> None:
    inst = kit(harness, INSTALLATION_ID)
    main = inst.rest.git.get_ref(OWNER, NAME, "heads/main").parsed_data.object_.sha
    inst.rest.git.create_ref(OWNER, NAME, ref="refs/heads/topic", sha=main)
    head = harness.human_push(REPO, "topic", {"a.txt": "a\n"}, tmp_path)
    pull = inst.rest.pulls.create(
        OWNER, NAME, title="T", head="topic", base="main", body="B", draft=True
    ).parsed_data
    assert (pull.draft, pull.head.sha) == (True, head)
    comment = inst.rest.issues.create_comment(OWNER, NAME, pull.number, body="hi").parsed_data
    inst.rest.reactions.create_for_issue_comment(OWNER, NAME, comment.id, content="+1")
    labels = inst.rest.issues.add_labels(OWNER, NAME, pull.number, labels=["a"])
    named: Any = labels.json()  # githubkit's list types confuse mypy; parsed_data validates
    assert labels.parsed_data and [label["name"] for label in named] == ["a"]
    run = inst.rest.checks.create(
        OWNER,
        NAME,
        data={"name": "ci", "head_sha": head, "status": "completed", "conclusion": "success"},
    ).parsed_data
    runs = inst.rest.checks.list_for_ref(OWNER, NAME, head).parsed_data
    assert [r.id for r in runs.check_runs] == [run.id]
    commits = inst.rest.pulls.list_commits(OWNER, NAME, pull.number)
    listed: Any = commits.json()
    assert commits.parsed_data and [c["sha"] for c in listed] == [head]
    content = inst.rest.repos.get_content(OWNER, NAME, "requirements.txt").parsed_data
    assert getattr(content, "path", None) == "requirements.txt"
    with pytest.raises(RequestFailed) as caught:
        inst.rest.pulls.get(OWNER, NAME, 999)
    assert caught.value.response.status_code == 404


def test_paginate_follows_link_headers(harness: Harness) -> None:
    inst = kit(harness, INSTALLATION_ID)
    main = inst.rest.git.get_ref(OWNER, NAME, "heads/main").parsed_data.object_.sha
    for index in range(5):
        inst.rest.checks.create(
            OWNER, NAME, data={"name": f"c{index}", "head_sha": main, "conclusion": "success"}
        )
    runs = inst.rest.paginate(
        inst.rest.checks.list_for_ref,
        map_func=lambda response: response.parsed_data.check_runs,
        owner=OWNER,
        repo=NAME,
        ref=main,
        per_page=2,
    )
    assert sorted(r.name for r in runs) == [f"c{i}" for i in range(5)]
    log = harness.admin("GET", "/requests").json()
    assert sum(1 for r in log if r["path"].endswith("/check-runs") and r["method"] == "GET") == 3
