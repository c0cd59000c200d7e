"""GitHub calls a PR's workflow needs: permissions, reviews, draft → ready, merging.

Functions over an `Installation`, each one githubkit typed call (the client's own methods cover
comments, reactions, pulls, commits and check runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from app.github.client import GraphQLError, Installation
from app.github.errors import NotFound

READY_FOR_REVIEW = """
mutation($id: ID!) {
  markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { isDraft } }
}
"""


@dataclass(frozen=True)
class Review:
    login: str
    state: str
    commit_id: str


def permission(gh: Installation, full_name: str, login: str) -> str:
    """The user's role (`admin`, `maintain`, `write`, `triage`, `read` or `none`)."""
    owner, name = full_name.split("/", 1)
    path = f"/repos/{full_name}/collaborators/{quote(login)}/permission"
    call = gh.rest.repos.get_collaborator_permission_level
    data = gh.send("GET", path, call, owner, name, quote(login))
    role = data.get("role_name") or data.get("permission") if isinstance(data, Mapping) else None
    return str(role or "none")


def reviews(gh: Installation, full_name: str, number: int) -> list[Review]:
    owner, name = full_name.split("/", 1)
    path = f"/repos/{full_name}/pulls/{number}/reviews"
    listed = gh.all(path, gh.rest.pulls.list_reviews, owner, name, number, per_page=100)
    return [
        Review(
            str((r.get("user") or {}).get("login", "")),
            str(r.get("state", "")),
            str(r.get("commit_id", "")),
        )
        for r in listed
        if isinstance(r, Mapping)
    ]


def pull_node_id(gh: Installation, full_name: str, number: int) -> str:
    owner, name = full_name.split("/", 1)
    path = f"/repos/{full_name}/pulls/{number}"
    return str(gh.send("GET", path, gh.rest.pulls.get, owner, name, number)["node_id"])


def mark_ready(gh: Installation, full_name: str, number: int) -> None:
    """Draft → ready for review (GraphQL only: REST cannot change `draft`)."""
    try:
        gh.graphql(READY_FOR_REVIEW, {"id": pull_node_id(gh, full_name, number)})
    except GraphQLError as exc:
        raise GraphQLError(f"markPullRequestReadyForReview: {exc}") from None


def merge(gh: Installation, full_name: str, number: int, *, sha: str, method: str) -> str:
    """Merge at exactly `sha` (GitHub refuses with 409 if the head moved); the merge commit."""
    owner, name = full_name.split("/", 1)
    path = f"/repos/{full_name}/pulls/{number}/merge"
    call = gh.rest.pulls.merge
    data = gh.send("PUT", path, call, owner, name, number, sha=sha, merge_method=method)
    return str(data.get("sha", "")) if isinstance(data, Mapping) else ""


def set_state(gh: Installation, full_name: str, number: int, state: str) -> None:
    gh.update_pull(full_name, number, state=state)


def required_checks(gh: Installation, full_name: str, branch: str) -> tuple[str, ...]:
    """The check names branch protection requires on `branch` (none when unprotected)."""
    owner, name = full_name.split("/", 1)
    quoted = quote(branch, safe="")
    path = f"/repos/{full_name}/branches/{quoted}/protection/required_status_checks"
    call = gh.rest.repos.get_status_checks_protection
    try:
        data = gh.send("GET", path, call, owner, name, quoted)
    except NotFound:
        return ()
    names = list(data.get("contexts") or []) if isinstance(data, Mapping) else []
    for check in data.get("checks") or [] if isinstance(data, Mapping) else []:
        if isinstance(check, Mapping) and check.get("context"):
            names.append(check["context"])
    return tuple(sorted({str(n) for n in names}))
