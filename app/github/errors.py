"""The GitHub failure taxonomy the queue retries on, and the translation of githubkit's
exceptions into it.

Messages carry the method, the path and GitHub's own message, never a header, a token or a key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx
from githubkit.exception import AuthCredentialError, RequestError, RequestFailed

Clock = Callable[[], float]


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


# -- githubkit's exceptions, translated -----------------------------------------------------

DEFAULT_RATE_LIMIT_WAIT = 60.0


def translate(exc: Exception, method: str, path: str, clock: Clock, refused: str) -> GitHubError:
    """Our error for a failed githubkit request; `refused` says what a final 401 means.

    The status, `Retry-After` and GitHub's message are read from the raw response (githubkit's
    `RateLimitExceeded` does not know a 403 whose message alone names a rate limit); transport
    failures keep only the exception's type (httpx's message names the URL).
    """
    if isinstance(exc, RequestFailed):
        return _for_response(method, path, exc.response.raw_response, clock, refused)
    if isinstance(exc, RequestError):
        cause = exc.exc
        if isinstance(cause, GitHubError):  # raised while fetching a token inside the auth flow
            return cause
        if isinstance(cause, httpx.HTTPError):
            return ServerError(f"{method} {path}: {type(cause).__name__}", 0)
        # The JWT signer's message may quote the key material: keep only the type.
        return AuthError(f"cannot sign the App JWT: {type(cause).__name__}")
    if isinstance(exc, AuthCredentialError):
        return AuthError(f"{method} {path}: the App's credentials are incomplete")
    return GitHubError(f"{method} {path}: {type(exc).__name__}")


def _for_response(
    method: str, path: str, response: httpx.Response, clock: Clock, refused: str
) -> GitHubError:
    status = response.status_code
    if status == 401:
        return AuthError(f"{method} {path}: 401 {refused}", 401)
    message = f"{method} {path}: {status} {github_message(response)}"
    wait = rate_limit_wait(response, clock)
    if wait is not None:
        return RateLimited(message, status, wait)
    if status >= 500:
        return ServerError(message, status)
    if status == 404:
        return NotFound(message, status)
    if status == 422:
        return Unprocessable(message, status)
    return GitHubError(message, status)


def github_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return str(data["message"])[:300]
    return response.reason_phrase


def rate_limit_wait(response: httpx.Response, clock: Clock) -> float | None:
    """Seconds to wait for a rate-limited response, None when it is not a rate limit."""
    status = response.status_code
    if status not in (403, 429):
        return None
    retry_after = response.headers.get("retry-after")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            return DEFAULT_RATE_LIMIT_WAIT
    if response.headers.get("x-ratelimit-remaining") == "0":
        reset = response.headers.get("x-ratelimit-reset")
        if reset and reset.isdigit():
            return max(0.0, int(reset) - clock())
        return DEFAULT_RATE_LIMIT_WAIT
    if status == 429 or "rate limit" in github_message(response).lower():
        return DEFAULT_RATE_LIMIT_WAIT
    return None
