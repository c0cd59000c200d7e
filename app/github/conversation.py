"""GitHub calls for the conversation on a PR: permissions, reviews, draft → ready, merging.

Functions over an `Installation` (the client's own methods cover comments, reactions, pulls,
commits and check runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from app.github.client import Installation
from app.github.errors import GitHubError, NotFound

READY_FOR_REVIEW = """
mutation($id: ID!) {
  markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { isDraft } }
}
"""


class GraphQLError(GitHubError):
    """GitHub answered a GraphQL request with `errors`."""


@dataclass(frozen=True)
class Review:
    login: str
    state: str
    commit_id: str


def permission(gh: Installation, full_name: str, login: str) -> str:
    """The user's role (`admin`, `maintain`, `write`, `triage`, `read` or `none`)."""
    path = f"/repos/{full_name}/collaborators/{quote(login)}/permission"
    data = gh.request("GET", path)
    role = data.get("role_name") or data.get("permission") if isinstance(data, Mapping) else None
    return str(role or "none")


def reviews(gh: Installation, full_name: str, number: int) -> list[Review]:
    return [
        Review(
            str((r.get("user") or {}).get("login", "")),
            str(r.get("state", "")),
            str(r.get("commit_id", "")),
        )
        for r in gh.paginate(f"/repos/{full_name}/pulls/{number}/reviews")
        if isinstance(r, Mapping)
    ]


def pull_node_id(gh: Installation, full_name: str, number: int) -> str:
    return str(gh.request("GET", f"/repos/{full_name}/pulls/{number}")["node_id"])


def mark_ready(gh: Installation, full_name: str, number: int) -> None:
    """Draft → ready for review (GraphQL only: REST cannot change `draft`)."""
    variables = {"id": pull_node_id(gh, full_name, number)}
    answer: Any = gh.request(
        "POST", "/graphql", json={"query": READY_FOR_REVIEW, "variables": variables}
    )
    errors = answer.get("errors") if isinstance(answer, Mapping) else None
    if errors:
        message = "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, Mapping))
        raise GraphQLError(f"markPullRequestReadyForReview: {message}")


def merge(gh: Installation, full_name: str, number: int, *, sha: str, method: str) -> str:
    """Merge at exactly `sha` (GitHub refuses with 409 if the head moved); the merge commit."""
    data = gh.request(
        "PUT",
        f"/repos/{full_name}/pulls/{number}/merge",
        json={"sha": sha, "merge_method": method},
    )
    return str(data.get("sha", "")) if isinstance(data, Mapping) else ""


def set_state(gh: Installation, full_name: str, number: int, state: str) -> None:
    gh.update_pull(full_name, number, state=state)


def required_checks(gh: Installation, full_name: str, branch: str) -> tuple[str, ...]:
    """The check names branch protection requires on `branch` (none when unprotected)."""
    path = f"/repos/{full_name}/branches/{quote(branch, safe='')}/protection/required_status_checks"
    try:
        data = gh.request("GET", path)
    except NotFound:
        return ()
    names = list(data.get("contexts") or []) if isinstance(data, Mapping) else []
    for check in data.get("checks") or [] if isinstance(data, Mapping) else []:
        if isinstance(check, Mapping) and check.get("context"):
            names.append(check["context"])
    return tuple(sorted({str(n) for n in names}))
