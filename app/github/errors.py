"""The GitHub failure taxonomy the queue retries on.

Messages carry the method, the path and GitHub's own message, never a header, a token or a key.
"""

from __future__ import annotations


class GitHubError(Exception):
    """GitHub refused or failed a request; ``status`` is the HTTP status (0: no response)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status

    @property
    def retryable(self) -> bool:
        return False


class NotFound(GitHubError):
    """404: the object does not exist or the installation cannot see it."""


class Unprocessable(GitHubError):
    """422: GitHub validated the request and said no (say, a PR for that head already exists)."""


class RateLimited(GitHubError):
    """429, or 403 with a primary or secondary rate limit: wait ``retry_after`` seconds."""

    def __init__(self, message: str, status: int, retry_after: float) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return True


class ServerError(GitHubError):
    """5xx or a transport failure: worth retrying with backoff."""

    @property
    def retryable(self) -> bool:
        return True


class AuthError(GitHubError):
    """401 that survived a token refresh, or an App that cannot authenticate at all."""
