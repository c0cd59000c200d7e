"""The one door to GitHub's REST API: App JWT on `/app/...`, installation tokens elsewhere.

Plain httpx rather than githubkit: the bot needs a dozen endpoints, a token refresh on 401, an
error taxonomy with `Retry-After`, and a guarantee that no token reaches an exception message;
wrapping githubkit's auth strategies and exceptions for that was more code than this module.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from app.github.auth import AppCredentials, Clock, TokenCache
from app.github.errors import (
    AuthError,
    GitHubError,
    NotFound,
    RateLimited,
    ServerError,
    Unprocessable,
)
from app.github.models import Annotation, CheckRun, Comment, Commit, PullRequest, Repository

API_VERSION = "2022-11-28"
DEFAULT_RATE_LIMIT_WAIT = 60.0
PER_PAGE = 100
MAX_PAGES = 50
# GitHub asks integrations to wait at least a second between content-creating requests
# (POST, PATCH, PUT, DELETE); going faster is what trips the secondary rate limit.
WRITE_INTERVAL = 1.0
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class GitHub:
    """An App's connection to one GitHub (github.com, a GHES host, or the emulator)."""

    def __init__(
        self,
        base_url: str,
        credentials: AppCredentials,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        clock: Clock = time.time,
        write_interval: float = WRITE_INTERVAL,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self._clock = clock
        self._write_interval = write_interval
        self._write_lock = threading.Lock()
        self._last_write = 0.0
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "maintainer-bot",
            },
        )
        self.tokens = TokenCache(self._new_token, clock)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def installation(self, installation_id: int) -> Installation:
        return Installation(self, installation_id)

    def app_request(self, method: str, path: str, json: Any = None) -> Any:
        """A request authenticated as the App itself (JWT)."""
        auth = f"Bearer {self.credentials.jwt()}"
        response = self._send(method, path, auth, json=json)
        if response.status_code == 401:
            raise AuthError(f"{method} {path}: 401 the App JWT was refused", 401)
        return _result(method, path, response, self._clock)

    def _new_token(self, installation_id: int) -> tuple[str, str]:
        data = self.app_request("POST", f"/app/installations/{installation_id}/access_tokens")
        try:
            return str(data["token"]), str(data["expires_at"])
        except (KeyError, TypeError):
            raise GitHubError("unexpected GitHub response: no token or expires_at") from None

    def _send(
        self,
        method: str,
        path: str,
        authorization: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        if method in WRITES and not path.startswith("/app/"):
            self._pace_write()
        try:
            return self._http.request(
                method, path, params=params, json=json, headers={"Authorization": authorization}
            )
        except httpx.HTTPError as exc:
            # httpx's message names the URL only; the type says what broke.
            raise ServerError(f"{method} {path}: {type(exc).__name__}", 0) from None

    def _pace_write(self) -> None:
        with self._write_lock:
            wait = self._last_write + self._write_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_write = time.monotonic()


class Installation:
    """Requests as one installation; a 401 refreshes the token once and retries."""

    def __init__(self, github: GitHub, installation_id: int) -> None:
        self.github = github
        self.id = installation_id

    def token(self) -> SecretStr:
        return self.github.tokens.token(self.id)

    def forget_token(self) -> None:
        """Drop the cached token (git was refused with it); the next use fetches a new one."""
        self.github.tokens.invalidate(self.id)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
    ) -> Any:
        return _result(method, path, self._response(method, path, params, json), self.github._clock)

    def _response(
        self, method: str, path: str, params: Mapping[str, str | int] | None, json: Any
    ) -> httpx.Response:
        for attempt in range(2):
            auth = f"token {self.token().get_secret_value()}"
            response = self.github._send(method, path, auth, params=params, json=json)
            if response.status_code != 401:
                return response
            self.github.tokens.invalidate(self.id)
            if attempt == 1:
                break
        raise AuthError(f"{method} {path}: 401 even with a fresh installation token", 401)

    def paginate(self, path: str, params: Mapping[str, str | int] | None = None) -> list[Any]:
        """Every item of a list endpoint, following `Link: rel="next"`."""
        items: list[Any] = []
        # The next page's URL carries its own query; httpx would drop it given any params.
        query: dict[str, str | int] | None = {"per_page": PER_PAGE, **(params or {})}
        url: str | None = path
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = self._response("GET", url, query, None)
            page = _result("GET", path, response, self.github._clock)
            if isinstance(page, Mapping):  # e.g. {"total_count": n, "check_runs": [...]}
                page = next((v for v in page.values() if isinstance(v, list)), [])
            items.extend(page)
            url = response.links.get("next", {}).get("url")
            query = None
        return items

    # -- repositories and contents ----------------------------------------------------

    def repositories(self) -> list[Repository]:
        return [Repository.parse(r) for r in self.paginate("/installation/repositories")]

    def repository(self, full_name: str) -> Repository:
        return Repository.parse(self.request("GET", f"/repos/{full_name}"))

    def file_text(self, full_name: str, path: str, ref: str) -> str | None:
        """A file's text at `ref`, or None when it does not exist there."""
        try:
            data = self.request(
                "GET", f"/repos/{full_name}/contents/{quote(path)}", params={"ref": ref}
            )
        except NotFound:
            return None
        content = data.get("content") if isinstance(data, Mapping) else None
        if not isinstance(content, str):
            return None
        return base64.b64decode(content).decode("utf-8", "replace")

    def user_id(self, login: str) -> int:
        return int(self.request("GET", f"/users/{quote(login)}")["id"])

    # -- git refs and commits ------------------------------------------------------------

    def branch_sha(self, full_name: str, branch: str) -> str | None:
        try:
            data = self.request("GET", f"/repos/{full_name}/git/ref/heads/{quote(branch)}")
        except NotFound:
            return None
        return str(data["object"]["sha"])

    def create_branch(self, full_name: str, branch: str, sha: str) -> None:
        self.request(
            "POST", f"/repos/{full_name}/git/refs", json={"ref": f"refs/heads/{branch}", "sha": sha}
        )

    def update_branch(self, full_name: str, branch: str, sha: str, *, force: bool) -> None:
        self.request(
            "PATCH",
            f"/repos/{full_name}/git/refs/heads/{quote(branch)}",
            json={"sha": sha, "force": force},
        )

    def delete_branch(self, full_name: str, branch: str) -> None:
        self.request("DELETE", f"/repos/{full_name}/git/refs/heads/{quote(branch)}")

    def commit(self, full_name: str, sha: str) -> Commit:
        return Commit.parse(self.request("GET", f"/repos/{full_name}/commits/{sha}"))

    # -- pull requests -------------------------------------------------------------------

    def pulls(
        self, full_name: str, *, state: str = "open", head: str | None = None
    ) -> list[PullRequest]:
        params: dict[str, str | int] = {"state": state}
        if head is not None:
            params["head"] = head
        return [PullRequest.parse(p) for p in self.paginate(f"/repos/{full_name}/pulls", params)]

    def recent_pulls(self, full_name: str) -> list[PullRequest]:
        """The 100 most recently created pull requests, any state (one request)."""
        params: dict[str, str | int] = {
            "state": "all",
            "sort": "created",
            "direction": "desc",
            "per_page": PER_PAGE,
        }
        data = self.request("GET", f"/repos/{full_name}/pulls", params=params)
        return [PullRequest.parse(p) for p in data]

    def pull(self, full_name: str, number: int) -> PullRequest:
        return PullRequest.parse(self.request("GET", f"/repos/{full_name}/pulls/{number}"))

    def create_pull(
        self, full_name: str, *, title: str, head: str, base: str, body: str, draft: bool
    ) -> PullRequest:
        data = {"title": title, "head": head, "base": base, "body": body, "draft": draft}
        return PullRequest.parse(self.request("POST", f"/repos/{full_name}/pulls", json=data))

    def update_pull(self, full_name: str, number: int, **fields: str | None) -> PullRequest:
        data = self.request("PATCH", f"/repos/{full_name}/pulls/{number}", json=fields)
        return PullRequest.parse(data)

    def pull_commits(self, full_name: str, number: int) -> list[Commit]:
        path = f"/repos/{full_name}/pulls/{number}/commits"
        return [Commit.parse(c) for c in self.paginate(path)]

    # -- issues: comments, labels, reactions --------------------------------------------

    def comments(self, full_name: str, number: int) -> list[Comment]:
        path = f"/repos/{full_name}/issues/{number}/comments"
        return [Comment.parse(c) for c in self.paginate(path)]

    def comment(self, full_name: str, number: int, body: str) -> Comment:
        path = f"/repos/{full_name}/issues/{number}/comments"
        return Comment.parse(self.request("POST", path, json={"body": body}))

    def add_labels(self, full_name: str, number: int, labels: Sequence[str]) -> None:
        path = f"/repos/{full_name}/issues/{number}/labels"
        self.request("POST", path, json={"labels": list(labels)})

    def react(self, full_name: str, comment_id: int, content: str) -> None:
        path = f"/repos/{full_name}/issues/comments/{comment_id}/reactions"
        self.request("POST", path, json={"content": content})

    # -- check runs ----------------------------------------------------------------------

    def create_check_run(
        self,
        full_name: str,
        *,
        name: str,
        head_sha: str,
        conclusion: str,
        title: str,
        summary: str,
        annotations: Sequence[Annotation] = (),
    ) -> CheckRun:
        data = {
            "name": name,
            "head_sha": head_sha,
            "status": "completed",
            "conclusion": conclusion,
            "completed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "output": {
                "title": title,
                "summary": summary,
                "annotations": [a.to_json() for a in annotations],
            },
        }
        return CheckRun.parse(self.request("POST", f"/repos/{full_name}/check-runs", json=data))

    def check_runs(self, full_name: str, ref: str, name: str | None = None) -> list[CheckRun]:
        params: dict[str, str | int] = {"check_name": name} if name else {}
        path = f"/repos/{full_name}/commits/{ref}/check-runs"
        return [CheckRun.parse(c) for c in self.paginate(path, params)]


def _result(method: str, path: str, response: httpx.Response, clock: Clock) -> Any:
    status = response.status_code
    if status < 400:
        if status == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise GitHubError(f"{method} {path}: {status} with a body that is not JSON") from None
    message = f"{method} {path}: {status} {_github_message(response)}"
    wait = _rate_limit_wait(response, clock)
    if wait is not None:
        raise RateLimited(message, status, wait)
    if status >= 500:
        raise ServerError(message, status)
    if status == 404:
        raise NotFound(message, status)
    if status == 422:
        raise Unprocessable(message, status)
    raise GitHubError(message, status)


def _github_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return str(data["message"])[:300]
    return response.reason_phrase


def _rate_limit_wait(response: httpx.Response, clock: Clock) -> float | None:
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
    if status == 429 or "rate limit" in _github_message(response).lower():
        return DEFAULT_RATE_LIMIT_WAIT
    return None
