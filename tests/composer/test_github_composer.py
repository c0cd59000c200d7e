"""The GitHub composer against the emulator: draft PRs, idempotency, human commits,
superseding and limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.composer.github import GitHubComposer, bot_for
from app.config import RepoConfig
from app.github import GitHub, Installation
from app.workspace import Checkout, Workspace
from tests.support.harness import INSTALLATION_ID, REPO, Harness
from tests.support.proposals import bump


@pytest.fixture
def gh(harness: Harness) -> Iterator[GitHub]:
    with harness.github() as github:
        yield github


def composer(
    gh: GitHub, tmp_path: Path, config: RepoConfig | None = None
) -> tuple[GitHubComposer, Installation, Checkout]:
    inst = gh.installation(INSTALLATION_ID)
    repo = inst.repository(REPO)
    workspace = Workspace(tmp_path / "cache")
    checkout = workspace.checkout(REPO, repo.clone_url, repo.default_branch, inst.token())
    bot = bot_for(inst, "maintainer-bot")
    return GitHubComposer(inst, workspace, checkout, bot, config or RepoConfig()), inst, checkout


def test_opens_one_draft_pr_with_labels_and_bot_commit(gh: GitHub, tmp_path: Path) -> None:
    compose, inst, checkout = composer(gh, tmp_path)
    [result] = compose.compose([bump("requests", "2.28.0", "2.32.3")])
    assert result.action == "created"
    [pull] = inst.pulls(REPO)
    assert pull.draft and pull.title == "Bump requests from 2.28.0 to 2.32.3"
    assert pull.head_ref == "maintainer/dependency-update/requests-2.32.3"
    assert pull.base_ref == "main" and pull.labels == ("dependencies",)
    assert pull.body.startswith("## What changes")
    [commit] = inst.pull_commits(REPO, pull.number)
    assert commit.author_login == "maintainer-bot[bot]"
    assert commit.parents == (checkout.sha,)
    text = inst.file_text(REPO, "requirements.txt", pull.head_ref)
    assert text is not None and "requests==2.32.3" in text
    assert inst.branch_sha(REPO, "main") == checkout.sha  # never pushes to the default branch


def test_rerunning_opens_no_second_pr_and_pushes_nothing(
    harness: Harness, gh: GitHub, tmp_path: Path
) -> None:
    proposal = bump("requests", "2.28.0", "2.32.3")
    composer(gh, tmp_path)[0].compose([proposal])
    inst = gh.installation(INSTALLATION_ID)
    head = inst.pulls(REPO)[0].head_sha
    for _ in range(2):
        [again] = composer(gh, tmp_path)[0].compose([proposal])
        assert again.action == "unchanged"
    [pull] = inst.pulls(REPO, state="all")
    assert pull.head_sha == head


def test_changed_proposal_updates_the_pr_in_place(gh: GitHub, tmp_path: Path) -> None:
    composer(gh, tmp_path)[0].compose([bump("requests", "2.28.0", "2.32.3", "first body")])
    compose, inst, _ = composer(gh, tmp_path)
    changed = bump("requests", "2.28.0", "2.32.3", "second body")
    [result] = compose.compose([changed])
    assert result.action == "updated"
    [pull] = inst.pulls(REPO)
    assert pull.body == "second body"
    assert len(inst.pull_commits(REPO, pull.number)) == 1


def test_human_commit_stops_updates_and_is_said_once(
    harness: Harness, gh: GitHub, tmp_path: Path
) -> None:
    proposal = bump("requests", "2.28.0", "2.32.3")
    composer(gh, tmp_path)[0].compose([proposal])
    human = harness.human_push(REPO, proposal.branch, {"NOTES.md": "mine\n"}, tmp_path)
    inst = gh.installation(INSTALLATION_ID)
    for _ in range(3):
        [result] = composer(gh, tmp_path)[0].compose([bump("requests", "2.28.0", "2.32.3", "x")])
        assert result.action == "stopped"
    [pull] = inst.pulls(REPO)
    assert pull.head_sha == human  # the human commit was never overwritten
    assert pull.body != "x"
    comments = inst.comments(REPO, pull.number)
    assert len(comments) == 1
    assert "stopped updating" in comments[0].body and human[:7] in comments[0].body


def test_newer_bump_supersedes_the_older_pr(gh: GitHub, tmp_path: Path) -> None:
    composer(gh, tmp_path)[0].compose([bump("requests", "2.28.0", "2.31.0")])
    compose, inst, _ = composer(gh, tmp_path)
    results = compose.compose([bump("requests", "2.28.0", "2.32.3")])
    assert [r.action for r in results] == ["created", "superseded"]
    [new] = inst.pulls(REPO)
    old = next(p for p in inst.pulls(REPO, state="closed"))
    assert new.head_ref.endswith("2.32.3") and old.head_ref.endswith("2.31.0")
    assert f"#{new.number}" in inst.comments(REPO, old.number)[0].body
    assert inst.branch_sha(REPO, old.head_ref) is None


def test_closed_pr_is_not_reopened(gh: GitHub, tmp_path: Path) -> None:
    proposal = bump("requests", "2.28.0", "2.32.3")
    composer(gh, tmp_path)[0].compose([proposal])
    inst = gh.installation(INSTALLATION_ID)
    inst.update_pull(REPO, inst.pulls(REPO)[0].number, state="closed")
    [result] = composer(gh, tmp_path)[0].compose([proposal])
    assert result.action == "skipped" and "closed without merging" in result.detail
    assert inst.pulls(REPO) == []


def test_branch_pushed_before_a_crash_is_adopted(gh: GitHub, tmp_path: Path) -> None:
    # A job pushed the bot's branch, then died before opening the PR; the retry finishes it.
    proposal = bump("requests", "2.28.0", "2.32.3")
    compose, inst, checkout = composer(gh, tmp_path)
    workspace = compose.workspace
    commit = workspace.commit(checkout, proposal.edits, "left behind", compose.bot.identity)
    workspace.push(checkout, commit, proposal.branch, inst.token(), force=False)
    [result] = compose.compose([proposal])
    assert result.action == "created"
    [pull] = inst.pulls(REPO)
    [only] = inst.pull_commits(REPO, pull.number)
    assert only.message == proposal.commit_message


def test_branch_with_someone_elses_commits_is_left_alone(
    harness: Harness, gh: GitHub, tmp_path: Path
) -> None:
    proposal = bump("requests", "2.28.0", "2.32.3")
    inst = gh.installation(INSTALLATION_ID)
    main = inst.branch_sha(REPO, "main")
    assert main is not None
    inst.create_branch(REPO, proposal.branch, main)
    human = harness.human_push(REPO, proposal.branch, {"x.txt": "x\n"}, tmp_path)
    [result] = composer(gh, tmp_path)[0].compose([proposal])
    assert result.action == "skipped" and "commits by others" in result.detail
    assert inst.branch_sha(REPO, proposal.branch) == human and inst.pulls(REPO) == []
