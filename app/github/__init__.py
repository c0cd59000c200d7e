"""Everything that talks to GitHub: githubkit's typed client behind our adapter (App auth, one
installation-token cache, REST and GraphQL calls, the error taxonomy)."""

from __future__ import annotations

from app.github.auth import AppCredentials, TokenCache
from app.github.client import ArtifactTooLarge, GitHub, GraphQLError, Installation
from app.github.errors import (
    AuthError,
    GitHubError,
    NotFound,
    RateLimited,
    ServerError,
    Unprocessable,
)
from app.github.models import (
    Annotation,
    Artifact,
    CheckRun,
    Comment,
    Commit,
    Issue,
    PullRequest,
    Repository,
    WorkflowRun,
)

__all__ = [
    "Annotation",
    "AppCredentials",
    "Artifact",
    "ArtifactTooLarge",
    "AuthError",
    "CheckRun",
    "Comment",
    "Commit",
    "GitHub",
    "GitHubError",
    "GraphQLError",
    "Installation",
    "Issue",
    "NotFound",
    "PullRequest",
    "RateLimited",
    "Repository",
    "ServerError",
    "TokenCache",
    "Unprocessable",
    "WorkflowRun",
]
