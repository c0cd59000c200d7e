"""githubkit's exceptions translated into our taxonomy, read from the raw response."""

from __future__ import annotations

import httpx
import pytest
from githubkit.exception import RequestError, RequestFailed, RequestTimeout
from githubkit.response import Response

from app.github.errors import (
    AuthError,
    GitHubError,
    NotFound,
    RateLimited,
    ServerError,
    Unprocessable,
    translate,
)

NOW = 1_000_000.0


def failed(status: int, headers: dict[str, str] | None = None, message: str = "no") -> Exception:
    request = httpx.Request("GET", "https://api.github.com/repos/o/r")
    raw = httpx.Response(status, headers=headers, json={"message": message}, request=request)
    return RequestFailed(Response(raw, object))


def mapped(exc: Exception) -> GitHubError:
    return translate(exc, "GET", "/repos/o/r", lambda: NOW, "refused")


@pytest.mark.parametrize(
    ("exc", "kind", "status", "wait"),
    [
        (failed(404), NotFound, 404, None),
        (failed(422), Unprocessable, 422, None),
        (failed(500), ServerError, 500, None),
        (failed(409), GitHubError, 409, None),
        (failed(401), AuthError, 401, None),
        (failed(429, {"Retry-After": "7"}), RateLimited, 429, 7.0),
        (failed(403, {"Retry-After": "soon"}), RateLimited, 403, 60.0),
        (
            failed(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 90)}),
            RateLimited,
            403,
            90.0,
        ),
        (failed(403, message="You have exceeded a secondary rate limit"), RateLimited, 403, 60.0),
        (failed(403, message="Resource not accessible by integration"), GitHubError, 403, None),
    ],
)
def test_status_and_headers_pick_the_error(
    exc: Exception, kind: type[GitHubError], status: int, wait: float | None
) -> None:
    error = mapped(exc)
    assert type(error) is kind and error.status == status
    assert getattr(error, "retry_after", None) == wait
    assert error.retryable == (kind in (RateLimited, ServerError))
    assert str(error).startswith(f"GET /repos/o/r: {status} ")


def test_transport_failures_keep_only_the_type() -> None:
    request = httpx.Request("GET", "https://api.github.com/repos/o/r?token=secret")
    timeout = mapped(RequestTimeout(httpx.ReadTimeout("timed out at ...secret", request=request)))
    broken = mapped(RequestError(httpx.ConnectError("secret", request=request)))
    assert isinstance(timeout, ServerError) and timeout.retryable
    assert str(timeout) == "GET /repos/o/r: ReadTimeout"
    assert str(broken) == "GET /repos/o/r: ConnectError" and broken.status == 0


def test_an_error_raised_inside_the_auth_flow_is_passed_on() -> None:
    inner = RateLimited("POST /app/installations/1/access_tokens: 429", 429, 5.0)
    assert mapped(RequestError(inner)) is inner


def test_a_signing_failure_does_not_quote_the_key() -> None:
    error = mapped(RequestError(ValueError("Could not parse -----BEGIN KEY----- abc")))
    assert isinstance(error, AuthError) and "abc" not in str(error)
