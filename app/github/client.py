"""The one door to GitHub's REST API: githubkit's typed client, wrapped in our small adapter.

githubkit (generated from GitHub's OpenAPI description) builds every request: the route, the
query, the body (validated against the schema), the `X-GitHub-Api-Version` header, the App JWT
on `/app/...`, `Link: rel="next"` pagination and a base URL with a path (GitHub Enterprise Server's
`/api/v3`, GraphQL at `/api/graphql`). The adapter adds what the bot needs on top:

- ONE installation-token cache per client (`auth.TokenCache`), refreshed ahead of expiry and
  after a 401, whose token git also uses for clones and pushes;
- the error taxonomy (`errors`) with `Retry-After`, and messages that never carry a token;
- the pause between content-creating requests (`pacing`);
- no retries in-process (githubkit's `auto_retry` is off): the queue retries the whole job with
  backoff, never sooner than GitHub's `Retry-After`;
- conditional GETs (`_Conditional`): an installation's GET answers are kept with their `ETag`
  (bounded, per client) and asked again with `If-None-Match`; GitHub answers `304 Not Modified`
  when nothing changed, which costs no rate limit, and the kept body is used. A 304 is GitHub's
  word that the kept body is the current one, so nothing stale is ever used, writes included.
  (githubkit's own HTTP cache stays off: hishel 1.4 keys its store by the URL alone, one store
  for every installation of a client.)
- frozen values with the fields the bot uses (`models`), parsed leniently from the JSON: strict
  response models have rejected real payloads before, and older GHES releases lack fields.

The API version is pinned to 2022-11-28 (the one every GHES release serves).
"""

from __future__ import annotations

import base64
import dataclasses
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import quote

import githubkit
import httpx
from githubkit.auth.app import AppAuth
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException, GraphQLFailed
from githubkit.response import Response
from pydantic import SecretStr

from app.github.auth import AppCredentials, Clock, InstallationTokenStrategy, TokenCache
from app.github.errors import AuthError, GitHubError, NotFound, ServerError, translate
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
from app.github.pacing import WRITE_INTERVAL, WritePacing
from app.metrics import Metrics, metrics

if TYPE_CHECKING:
    from githubkit_schemas.v2022_11_28.rest import RestNamespace

API_VERSION: Literal["2022-11-28"] = "2022-11-28"
USER_AGENT = "maintainer-bot"
PER_PAGE = 100
MAX_PAGES = 50
MAX_ARTIFACT_BYTES = 256 * 1024 * 1024
_DOWNLOAD_CHUNK = 1 << 16
USER_IDS_KEPT = 1024
# The conditional-request cache of one client: compressed bodies (the JSON of a small
# repository's scan is a few KiB), the least recently used dropped first.
ETAGS_KEPT = 50_000
ETAG_BYTES_KEPT = 64 * 1024 * 1024
ETAG_BODY_MAX = 1024 * 1024  # larger answers are not kept
_NOT_KEPT_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding"})

T = TypeVar("T")


class GraphQLError(GitHubError):
    """GitHub answered a GraphQL request with `errors`."""


class _KeptOpen(httpx.BaseTransport):
    """The client's connection pool, shared by the httpx client githubkit opens per request
    (its `with` context is per thread, and the bot's workers are threads). Every request and
    its status (0 when no answer came) are counted here, the rate limit GitHub reports kept."""

    def __init__(self, inner: httpx.BaseTransport, telemetry: Metrics) -> None:
        self.inner = inner
        self.telemetry = telemetry

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        try:
            response = self.inner.handle_request(request)
        except Exception:
            self.telemetry.github_response(request.method, path, 0)
            raise
        headers = {
            name: response.headers.get(name, "")
            for name in ("x-ratelimit-remaining", "x-ratelimit-resource")
        }
        self.telemetry.github_response(request.method, path, response.status_code, headers)
        return response

    def close(self) -> None:
        """Kept open when githubkit closes its per-request client; `GitHub.close` closes it."""


@dataclasses.dataclass(frozen=True)
class _Kept:
    etag: str
    headers: tuple[tuple[str, str], ...]
    body: bytes  # zlib-compressed


class ETagCache:
    """GET answers by (installation, URL, Accept, API version) with their ETag; bounded in
    entries and compressed bytes, least recently used out first; shared by threads."""

    def __init__(self, entries: int = ETAGS_KEPT, size: int = ETAG_BYTES_KEPT) -> None:
        self.entries = entries
        self.size = size
        self.bytes = 0
        self._kept: OrderedDict[tuple[str, ...], _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: tuple[str, ...]) -> _Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
            return kept

    def put(self, key: tuple[str, ...], kept: _Kept) -> None:
        with self._lock:
            self._drop(key)
            if len(kept.body) > self.size:
                return
            self._kept[key] = kept
            self.bytes += len(kept.body)
            while len(self._kept) > self.entries or self.bytes > self.size:
                self._drop(next(iter(self._kept)))

    def drop(self, key: tuple[str, ...]) -> None:
        with self._lock:
            self._drop(key)

    def _drop(self, key: tuple[str, ...]) -> None:
        old = self._kept.pop(key, None)
        if old is not None:
            self.bytes -= len(old.body)


class _Conditional(httpx.BaseTransport):
    """One installation's GETs made conditional: a kept ETag goes out as `If-None-Match`; a
    `304 Not Modified` is answered with the kept body (a 200, so githubkit parses it as usual,
    pages and all); a 200 replaces what was kept (or drops it, without an ETag)."""

    def __init__(self, inner: httpx.BaseTransport, cache: ETagCache, scope: str) -> None:
        self.inner = inner
        self.cache = cache
        self.scope = scope

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            return self.inner.handle_request(request)
        key = (
            self.scope,
            str(request.url),
            request.headers.get("accept", ""),
            request.headers.get("x-github-api-version", ""),
        )
        kept = self.cache.get(key)
        # The auth flow sends the same request again after a 401: say what is kept now.
        request.headers.pop("If-None-Match", None)
        if kept is not None:
            request.headers["If-None-Match"] = kept.etag
        response = self.inner.handle_request(request)
        if response.status_code == 304 and kept is not None:
            response.close()
            fresh = [
                (k, v) for k, v in response.headers.items() if k.lower() not in _NOT_KEPT_HEADERS
            ]
            names = {k.lower() for k, _ in fresh}
            headers = [(k, v) for k, v in kept.headers if k.lower() not in names] + fresh
            return httpx.Response(
                200,
                headers=headers,
                content=zlib.decompress(kept.body),
                request=request,
                extensions=response.extensions,
            )
        if response.status_code != 200:
            return response  # a kept body is only ever used on GitHub's word (a 304)
        etag = response.headers.get("etag")
        if not etag:
            self.cache.drop(key)
            return response
        body = response.read()
        if len(body) > ETAG_BODY_MAX:
            self.cache.drop(key)
            return response
        keep = tuple(
            (k, v) for k, v in response.headers.items() if k.lower() not in _NOT_KEPT_HEADERS
        )
        self.cache.put(key, _Kept(etag, keep, zlib.compress(body, 1)))
        return response

    def close(self) -> None:
        """The pool underneath is the client's; `GitHub.close` closes it."""


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
        telemetry: Metrics | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self._clock = clock
        self._timeout = timeout
        self._pool = transport or httpx.HTTPTransport()
        self.telemetry = telemetry or metrics()
        self._app = githubkit.GitHub(
            credentials.strategy(),
            base_url=self.base_url,
            user_agent=USER_AGENT,
            timeout=timeout,
            transport=_KeptOpen(self._pool, self.telemetry),
            # The App JWT lives in this client's cache, not githubkit's process-wide default
            # (keyed by App id only: a second client with another key would reuse it).
            cache_strategy=MemCacheStrategy(),
            http_cache=False,
            throttler=WritePacing(write_interval, httpx.URL(self.base_url).path),
            auto_retry=False,
        )
        self.tokens = TokenCache(self._new_token, clock)
        # Account ids by login: an id never changes, so each login is asked once per client
        # (the bot's own, for its commit e-mail, is needed by every scan). Bounded.
        self.user_ids: dict[str, int] = {}
        # Conditional GETs' kept answers, for every installation of this client (keyed by it).
        self.etags = ETagCache()

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def installation(self, installation_id: int) -> Installation:
        return Installation(self, installation_id)

    def app_request(self, method: str, path: str, json: Any = None) -> Any:
        """A request authenticated as the App itself (JWT)."""
        response = self._call(
            method, path, lambda: self._app.request(method, path, json=json, headers=_VERSION)
        )
        return _body(method, path, response)

    def app_jwt(self) -> str:
        """The App JWT this client sends (githubkit signs it and keeps it a few minutes)."""
        flow = self._app.auth.get_auth_flow(self._app)
        assert isinstance(flow, AppAuth)
        try:
            return flow.get_jwt()
        except Exception as exc:  # the signer's message may quote the key: keep its type
            raise AuthError(f"cannot sign the App JWT: {type(exc).__name__}") from None

    def _new_token(self, installation_id: int) -> tuple[str, str]:
        path = f"/app/installations/{installation_id}/access_tokens"
        rest = _rest(self._app)
        response = self._call(
            "POST", path, lambda: rest.apps.create_installation_access_token(installation_id)
        )
        data = response.json()
        try:
            return str(data["token"]), str(data["expires_at"])
        except (KeyError, TypeError):
            raise GitHubError("unexpected GitHub response: no token or expires_at") from None

    def _call(self, method: str, path: str, send: Callable[[], T]) -> T:
        return _call(method, path, send, self._clock, "the App JWT was refused")


class ArtifactTooLarge(GitHubError):
    """An artifact's download went past the size limit; nothing of it is kept."""


class Installation:
    """Requests as one installation; a 401 refreshes the token once and retries."""

    def __init__(self, github: GitHub, installation_id: int) -> None:
        self.github = github
        self.id = installation_id
        self._strategy = InstallationTokenStrategy(github.tokens, installation_id)
        conditional = _Conditional(
            _KeptOpen(github._pool, github.telemetry), github.etags, str(installation_id)
        )
        config = dataclasses.replace(github._app.config, transport=conditional)
        self._kit = githubkit.GitHub(self._strategy, config=config)
        self._rest = _rest(self._kit)
        self._unfollowed: githubkit.GitHub[Any] | None = None

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
        response = self._call(
            method,
            path,
            lambda: self._kit.request(method, path, params=params, json=json, headers=_VERSION),
        )
        return _body(method, path, response)

    def paginate(self, path: str, params: Mapping[str, str | int] | None = None) -> list[Any]:
        """Every item of a list endpoint, following `Link: rel="next"`."""
        query = {"per_page": PER_PAGE, **(params or {})}
        return self.all(path, self._kit.request, "GET", path, params=query, headers=_VERSION)

    def all(
        self, path: str, request: Callable[..., Response[Any]], *args: Any, **kwargs: Any
    ) -> list[Any]:
        """The JSON items of every page (at most MAX_PAGES) of a githubkit typed list call;
        `path` names the call in errors."""
        pages = 0

        def items(response: Response[Any]) -> list[Any]:
            nonlocal pages
            pages += 1
            if pages > MAX_PAGES:
                raise _Enough
            data = response.json()
            if isinstance(data, Mapping):  # e.g. {"total_count": n, "check_runs": [...]}
                data = next((v for v in data.values() if isinstance(v, list)), [])
            return list(data) if isinstance(data, list) else []

        collected: list[Any] = []

        def walk() -> list[Any]:
            try:
                for item in self._kit.rest.paginate(request, items, *args, **kwargs):
                    collected.append(item)
            except _Enough:
                pass
            return collected

        return self._call("GET", path, walk)

    def _call(self, method: str, path: str, send: Callable[[], T]) -> T:
        return _call(method, path, send, self.github._clock, "even with a fresh installation token")

    def send(
        self, method: str, path: str, call: Callable[..., Response[Any]], *args: Any, **kw: Any
    ) -> Any:
        """A githubkit typed call; its JSON body (None when empty). `method` and `path` name the
        call in errors."""
        return _body(method, path, self._call(method, path, lambda: call(*args, **kw)))

    # -- repositories and contents ----------------------------------------------------

    def repositories(self) -> list[Repository]:
        call = self._rest.apps.list_repos_accessible_to_installation
        path = "/installation/repositories"
        return [Repository.parse(r) for r in self.all(path, call, per_page=PER_PAGE)]

    def repository(self, full_name: str) -> Repository:
        owner, name = _split(full_name)
        data = self.send("GET", f"/repos/{full_name}", self._rest.repos.get, owner, name)
        return Repository.parse(data)

    def file_text(self, full_name: str, path: str, ref: str) -> str | None:
        """A file's text at `ref`, or None when it does not exist there."""
        owner, name = _split(full_name)
        route = f"/repos/{full_name}/contents/{quote(path)}"
        try:
            data = self.send(
                "GET", route, self._rest.repos.get_content, owner, name, quote(path), ref=ref
            )
        except NotFound:
            return None
        content = data.get("content") if isinstance(data, Mapping) else None
        if not isinstance(content, str):
            return None
        return base64.b64decode(content).decode("utf-8", "replace")

    def user_id(self, login: str) -> int:
        """The account id of `login`, asked of GitHub once per client."""
        known = self.github.user_ids.get(login)
        if known is not None:
            return known
        data = self.send(
            "GET", f"/users/{quote(login)}", self._rest.users.get_by_username, quote(login)
        )
        found = int(data["id"])
        if len(self.github.user_ids) < USER_IDS_KEPT:
            self.github.user_ids[login] = found
        return found

    # -- git refs and commits ------------------------------------------------------------

    def branch_sha(self, full_name: str, branch: str) -> str | None:
        owner, name = _split(full_name)
        ref = f"heads/{quote(branch)}"
        try:
            data = self.send(
                "GET", f"/repos/{full_name}/git/ref/{ref}", self._rest.git.get_ref, owner, name, ref
            )
        except NotFound:
            return None
        return str(data["object"]["sha"])

    def create_branch(self, full_name: str, branch: str, sha: str) -> None:
        owner, name = _split(full_name)
        self.send(
            "POST",
            f"/repos/{full_name}/git/refs",
            self._rest.git.create_ref,
            owner,
            name,
            ref=f"refs/heads/{branch}",
            sha=sha,
        )

    def update_branch(self, full_name: str, branch: str, sha: str, *, force: bool) -> None:
        owner, name = _split(full_name)
        ref = f"heads/{quote(branch)}"
        path = f"/repos/{full_name}/git/refs/{ref}"
        self.send("PATCH", path, self._rest.git.update_ref, owner, name, ref, sha=sha, force=force)

    def delete_branch(self, full_name: str, branch: str) -> None:
        owner, name = _split(full_name)
        ref = f"heads/{quote(branch)}"
        path = f"/repos/{full_name}/git/refs/{ref}"
        self.send("DELETE", path, self._rest.git.delete_ref, owner, name, ref)

    def commit(self, full_name: str, sha: str) -> Commit:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/commits/{sha}"
        return Commit.parse(self.send("GET", path, self._rest.repos.get_commit, owner, name, sha))

    # -- pull requests -------------------------------------------------------------------

    def pulls(
        self, full_name: str, *, state: str = "open", head: str | None = None
    ) -> list[PullRequest]:
        owner, name = _split(full_name)
        extra = {} if head is None else {"head": head}
        path = f"/repos/{full_name}/pulls"
        listed = self.all(
            path, self._rest.pulls.list, owner, name, state=state, per_page=PER_PAGE, **extra
        )
        return [PullRequest.parse(p) for p in listed]

    def recent_pulls(self, full_name: str) -> list[PullRequest]:
        """The 100 most recently created pull requests, any state (one request)."""
        owner, name = _split(full_name)
        data = self.send(
            "GET",
            f"/repos/{full_name}/pulls",
            self._rest.pulls.list,
            owner,
            name,
            state="all",
            sort="created",
            direction="desc",
            per_page=PER_PAGE,
        )
        return [PullRequest.parse(p) for p in data]

    def pull(self, full_name: str, number: int) -> PullRequest:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/pulls/{number}"
        return PullRequest.parse(self.send("GET", path, self._rest.pulls.get, owner, name, number))

    def create_pull(
        self, full_name: str, *, title: str, head: str, base: str, body: str, draft: bool
    ) -> PullRequest:
        owner, name = _split(full_name)
        data = {"title": title, "head": head, "base": base, "body": body, "draft": draft}
        path = f"/repos/{full_name}/pulls"
        return PullRequest.parse(
            self.send("POST", path, self._rest.pulls.create, owner, name, data=data)
        )

    def update_pull(self, full_name: str, number: int, **fields: str | None) -> PullRequest:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/pulls/{number}"
        data = self.send("PATCH", path, self._rest.pulls.update, owner, name, number, data=fields)
        return PullRequest.parse(data)

    def pull_commits(self, full_name: str, number: int) -> list[Commit]:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/pulls/{number}/commits"
        listed = self.all(
            path, self._rest.pulls.list_commits, owner, name, number, per_page=PER_PAGE
        )
        return [Commit.parse(c) for c in listed]

    # -- issues ------------------------------------------------------------------------

    def create_issue(
        self, full_name: str, *, title: str, body: str, labels: Sequence[str] = ()
    ) -> Issue:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/issues"
        data: dict[str, Any] = {"title": title, "body": body}
        if labels:
            data["labels"] = list(labels)
        return Issue.parse(
            self.send("POST", path, self._rest.issues.create, owner, name, data=data)
        )

    def issue(self, full_name: str, number: int) -> Issue:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/issues/{number}"
        return Issue.parse(self.send("GET", path, self._rest.issues.get, owner, name, number))

    def update_issue(
        self,
        full_name: str,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: Literal["open", "closed"] | None = None,
        labels: Sequence[str] | None = None,
    ) -> Issue:
        """Edit what is given (labels are replaced); closing says the work is completed."""
        owner, name = _split(full_name)
        data: dict[str, Any] = {}
        if title is not None:
            data["title"] = title
        if body is not None:
            data["body"] = body
        if state is not None:
            data["state"] = state
            if state == "closed":
                data["state_reason"] = "completed"
        if labels is not None:
            data["labels"] = list(labels)
        path = f"/repos/{full_name}/issues/{number}"
        call = self._rest.issues.update
        return Issue.parse(self.send("PATCH", path, call, owner, name, number, data=data))

    def issues(
        self,
        full_name: str,
        *,
        state: Literal["open", "closed", "all"] = "open",
        labels: Sequence[str] = (),
        creator: str | None = None,
        pulls: bool = False,
    ) -> list[Issue]:
        """Issues, newest first, every page (at most MAX_PAGES); GitHub lists pull requests
        among them, left out unless `pulls`."""
        owner, name = _split(full_name)
        extra: dict[str, Any] = {}
        if labels:
            extra["labels"] = ",".join(labels)
        if creator is not None:
            extra["creator"] = creator
        path = f"/repos/{full_name}/issues"
        call = self._rest.issues.list_for_repo
        listed = self.all(path, call, owner, name, state=state, per_page=PER_PAGE, **extra)
        found = [Issue.parse(i) for i in listed]
        return found if pulls else [i for i in found if not i.pull]

    # -- issues and pull requests: comments, labels, reactions -------------------------

    def comments(self, full_name: str, number: int) -> list[Comment]:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/issues/{number}/comments"
        listed = self.all(
            path, self._rest.issues.list_comments, owner, name, number, per_page=PER_PAGE
        )
        return [Comment.parse(c) for c in listed]

    def comment(self, full_name: str, number: int, body: str) -> Comment:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/issues/{number}/comments"
        call = self._rest.issues.create_comment
        return Comment.parse(self.send("POST", path, call, owner, name, number, body=body))

    def add_labels(self, full_name: str, number: int, labels: Sequence[str]) -> None:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/issues/{number}/labels"
        call = self._rest.issues.add_labels
        self.send("POST", path, call, owner, name, number, data={"labels": list(labels)})

    def react(self, full_name: str, comment_id: int, content: str) -> None:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/issues/comments/{comment_id}/reactions"
        call = self._rest.reactions.create_for_issue_comment
        self.send("POST", path, call, owner, name, comment_id, content=content)

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
        owner, repo = _split(full_name)
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
        path = f"/repos/{full_name}/check-runs"
        return CheckRun.parse(
            self.send("POST", path, self._rest.checks.create, owner, repo, data=data)
        )

    def check_runs(self, full_name: str, ref: str, name: str | None = None) -> list[CheckRun]:
        owner, repo = _split(full_name)
        extra = {"check_name": name} if name else {}
        path = f"/repos/{full_name}/commits/{ref}/check-runs"
        call = self._rest.checks.list_for_ref
        listed = self.all(path, call, owner, repo, ref, per_page=PER_PAGE, **extra)
        return [CheckRun.parse(c) for c in listed]

    # -- GitHub Actions: workflow runs and artifacts ---------------------------------------

    def workflow_runs(
        self,
        full_name: str,
        *,
        head_sha: str | None = None,
        status: str | None = None,
        event: str | None = None,
        limit: int = PER_PAGE,
    ) -> list[WorkflowRun]:
        """The newest runs first (at most `limit`); `status` is a status or a conclusion."""
        owner, name = _split(full_name)
        extra = {
            k: v
            for k, v in (("head_sha", head_sha), ("status", status), ("event", event))
            if v is not None
        }
        path = f"/repos/{full_name}/actions/runs"
        data = self.send(
            "GET",
            path,
            self._rest.actions.list_workflow_runs_for_repo,
            owner,
            name,
            per_page=min(max(limit, 1), PER_PAGE),
            **extra,
        )
        runs = data.get("workflow_runs") if isinstance(data, Mapping) else None
        return [WorkflowRun.parse(r) for r in (runs or [])][:limit]

    def workflow_run(self, full_name: str, run_id: int, attempt: int | None = None) -> WorkflowRun:
        """A run at its latest attempt, or at `attempt`."""
        owner, name = _split(full_name)
        if attempt is None:
            path = f"/repos/{full_name}/actions/runs/{run_id}"
            call = self._rest.actions.get_workflow_run
            return WorkflowRun.parse(self.send("GET", path, call, owner, name, run_id))
        path = f"/repos/{full_name}/actions/runs/{run_id}/attempts/{attempt}"
        at = self._rest.actions.get_workflow_run_attempt
        return WorkflowRun.parse(self.send("GET", path, at, owner, name, run_id, attempt))

    def run_artifacts(self, full_name: str, run_id: int) -> list[Artifact]:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/actions/runs/{run_id}/artifacts"
        call = self._rest.actions.list_workflow_run_artifacts
        listed = self.all(path, call, owner, name, run_id, per_page=PER_PAGE)
        return [Artifact.parse(a) for a in listed]

    def artifact(self, full_name: str, artifact_id: int) -> Artifact:
        owner, name = _split(full_name)
        path = f"/repos/{full_name}/actions/artifacts/{artifact_id}"
        call = self._rest.actions.get_artifact
        return Artifact.parse(self.send("GET", path, call, owner, name, artifact_id))

    def download_artifact(
        self, full_name: str, artifact_id: int, max_bytes: int = MAX_ARTIFACT_BYTES
    ) -> bytes:
        """An artifact's zip. GitHub answers 302 to a short-lived signed URL on another host
        (blob storage): that URL is fetched without our Authorization header (the signature
        is the credential), streamed, and refused past `max_bytes` (`ArtifactTooLarge`)."""
        path = f"/repos/{full_name}/actions/artifacts/{artifact_id}/zip"
        kit = self._without_redirects()
        response = self._call(
            "GET", path, lambda: kit.request("GET", path, headers=_VERSION)
        ).raw_response
        if response.status_code not in (301, 302, 303, 307, 308):
            if response.status_code == 200:  # served directly (some GHES setups)
                return _bounded(response.content, path, max_bytes)
            raise GitHubError(f"GET {path}: unexpected {response.status_code}", 0)
        location = response.headers.get("location", "")
        url = httpx.URL(location)
        if url.scheme not in ("http", "https") or not url.host:
            raise GitHubError(f"GET {path}: redirected to an unusable location")
        return self._fetch_signed(url, path, max_bytes)

    def _without_redirects(self) -> githubkit.GitHub[Any]:
        if self._unfollowed is None:
            self._unfollowed = githubkit.GitHub(
                self._strategy,
                base_url=self.github.base_url,
                user_agent=USER_AGENT,
                timeout=self.github._timeout,
                transport=_KeptOpen(self.github._pool, self.github.telemetry),
                cache_strategy=MemCacheStrategy(),
                http_cache=False,
                auto_retry=False,
                follow_redirects=False,
            )
        return self._unfollowed

    def _fetch_signed(self, url: httpx.URL, path: str, max_bytes: int) -> bytes:
        headers = {"User-Agent": USER_AGENT}
        chunks: list[bytes] = []
        size = 0
        try:
            with (
                httpx.Client(
                    transport=_KeptOpen(self.github._pool, self.github.telemetry),
                    timeout=self.github._timeout,
                    follow_redirects=False,
                ) as client,
                client.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code != 200:
                    # 403 when the signature expired: the next attempt asks GitHub again
                    raise ServerError(
                        f"GET {path}: the signed download answered {response.status_code}",
                        response.status_code,
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise ArtifactTooLarge(f"GET {path}: {declared} bytes, over {max_bytes}")
                for chunk in response.iter_bytes(_DOWNLOAD_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ArtifactTooLarge(f"GET {path}: more than {max_bytes} bytes")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise ServerError(
                f"GET {path}: the signed download failed ({type(exc).__name__})"
            ) from None
        return b"".join(chunks)

    # -- GraphQL -------------------------------------------------------------------------

    def graphql(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """A GraphQL request (GHES: `/api/graphql` beside `/api/v3`); `errors` raise."""
        try:
            return self._call(
                "POST", "/graphql", lambda: self._kit.graphql.request(query, dict(variables))
            )
        except GraphQLFailed as failed:
            errors = failed.response.errors or []
            raise GraphQLError("; ".join(e.message for e in errors) or "GraphQL errors") from None

    @property
    def rest(self) -> RestNamespace:
        """githubkit's typed REST namespace for this installation (API version pinned)."""
        return self._rest


_VERSION = {"X-GitHub-Api-Version": API_VERSION}


class _Enough(Exception):
    """Raised by a page mapper past MAX_PAGES: the pagination stops there."""


def _rest(kit: githubkit.GitHub[Any]) -> RestNamespace:
    return kit.rest(API_VERSION)


def _split(full_name: str) -> tuple[str, str]:
    owner, _, name = full_name.partition("/")
    return owner, name


def _call(method: str, path: str, send: Callable[[], T], clock: Clock, refused: str) -> T:
    try:
        return send()
    except GraphQLFailed:
        raise
    except GitHubException as exc:
        raise translate(exc, method, path, clock, refused) from None


def _bounded(data: bytes, path: str, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise ArtifactTooLarge(f"GET {path}: {len(data)} bytes, over {max_bytes}")
    return data


def _body(method: str, path: str, response: Response[Any]) -> Any:
    raw = response.raw_response
    if raw.status_code == 204 or not raw.content:
        return None
    try:
        return raw.json()
    except ValueError:
        status = raw.status_code
        raise GitHubError(f"{method} {path}: {status} with a body that is not JSON") from None
