"""The emulator's pull-workflow endpoints through the real client: permissions, reviews,
ready for review (GraphQL) and merging with GitHub's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.github import GitHubError, Installation
from app.github import pull_workflow as github
from tests.support.harness import INSTALLATION_ID, REPO, Harness


def open_pull(harness: Harness, gh: Installation, branch: str, text: str, tmp: Path) -> int:
    main = gh.branch_sha(REPO, "main")
    assert main is not None
    gh.create_branch(REPO, branch, main)
    harness.human_push(REPO, branch, {"README.md": text}, tmp)
    pull = gh.create_pull(REPO, title=branch, head=branch, base="main", body="", draft=True)
    return pull.number


def test_permissions_through_the_client(harness: Harness) -> None:
    with harness.github() as client:
        gh = client.installation(INSTALLATION_ID)
        assert github.permission(gh, REPO, "octo-org") == "admin"
        assert github.permission(gh, REPO, "nobody") == "read"
        gh.request("PUT", f"/repos/{REPO}/collaborators/nobody", json={"permission": "triage"})
        assert github.permission(gh, REPO, "nobody") == "triage"
        with pytest.raises(GitHubError) as refused:
            gh.request("PUT", f"/repos/{REPO}/collaborators/x", json={"permission": "owner"})
        assert refused.value.status == 422


def test_merge_refusals_then_a_real_merge(harness: Harness, tmp_path: Path) -> None:
    with harness.github() as client:
        gh = client.installation(INSTALLATION_ID)
        number = open_pull(harness, gh, "one", "first\n", tmp_path)
        pull = gh.pull(REPO, number)
        with pytest.raises(GitHubError) as draft:
            github.merge(gh, REPO, number, sha=pull.head_sha, method="squash")
        assert draft.value.status == 405 and "draft" in str(draft.value)
        github.mark_ready(gh, REPO, number)
        assert not gh.pull(REPO, number).draft
        with pytest.raises(GitHubError) as moved:
            github.merge(gh, REPO, number, sha="0" * 40, method="squash")
        assert moved.value.status == 409
        sha = github.merge(gh, REPO, number, sha=pull.head_sha, method="squash")
        merged = gh.pull(REPO, number)
        assert merged.merged and not merged.open
        assert gh.branch_sha(REPO, "main") == sha
        assert gh.file_text(REPO, "README.md", "main") == "first\n"
        with pytest.raises(GitHubError) as again:
            github.merge(gh, REPO, number, sha=pull.head_sha, method="squash")
        assert again.value.status == 405


def test_conflicting_pull_is_not_mergeable(harness: Harness, tmp_path: Path) -> None:
    with harness.github() as client:
        gh = client.installation(INSTALLATION_ID)
        first = open_pull(harness, gh, "a", "from a\n", tmp_path)
        second = open_pull(harness, gh, "b", "from b\n", tmp_path)
        for number in (first, second):
            github.mark_ready(gh, REPO, number)
        github.merge(gh, REPO, first, sha=gh.pull(REPO, first).head_sha, method="merge")
        with pytest.raises(GitHubError) as conflict:
            github.merge(gh, REPO, second, sha=gh.pull(REPO, second).head_sha, method="merge")
        assert conflict.value.status == 405 and "conflicts" in str(conflict.value)


def test_reviews(harness: Harness, tmp_path: Path) -> None:
    with harness.github() as client:
        gh = client.installation(INSTALLATION_ID)
        number = open_pull(harness, gh, "r", "review me\n", tmp_path)
        assert github.reviews(gh, REPO, number) == []
        harness.admin("POST", f"/repos/{REPO}/pulls/{number}/reviews", {"user": "mia"})
        [review] = github.reviews(gh, REPO, number)
        assert (review.login, review.state) == ("mia", "APPROVED")
        assert review.commit_id == gh.pull(REPO, number).head_sha
