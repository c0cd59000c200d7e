"""The emulator's FastAPI app: GitHub's REST endpoints the bot uses, git smart HTTP, and an
`/_emulator` admin API (seeding, fault injection, token expiry, request log)."""

from __future__ import annotations

import asyncio
import base64
import re
import time
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import Body, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.emulator import shapes
from app.emulator.githttp import http_backend
from app.emulator.gitrepo import GitCommit
from app.emulator.index import local_file_urls
from app.emulator.state import (
    CheckRun,
    Comment,
    Fault,
    Installation,
    Pull,
    Reaction,
    Repo,
    State,
    iso,
)

DOCS = "https://docs.github.com/rest"
INDEX_JSON = "application/vnd.pypi.simple.v1+json"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
Json = dict[str, Any]
JsonBody = Annotated[Json, Body()]


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def create_app(state: State) -> FastAPI:
    app = FastAPI(title="GitHub emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = state

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        body = {"message": exc.message, "documentation_url": DOCS}
        return JSONResponse(body, exc.status, headers=exc.headers)

    @app.middleware("http")
    async def faults_and_log(request: Request, call_next: Any) -> Response:
        path = request.url.path
        fault = None if path.startswith("/_emulator") else state.take_fault(request.method, path)
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
            fault = None
        response: Response = _fault_response(fault) if fault else await call_next(request)
        if not path.startswith("/_emulator"):
            state.log(request.method, path, response.status_code)
        return response

    _app_routes(app, state)
    _repo_routes(app, state)
    _pull_routes(app, state)
    _issue_routes(app, state)
    _check_routes(app, state)
    _git_routes(app, state)
    _admin_routes(app, state)
    if state.index_dir is not None:
        _index_routes(app, state.index_dir)
    return app


def _fault_response(fault: Fault) -> Response:
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    if fault.kind == "secondary":
        return JSONResponse(
            {"message": SECONDARY_MESSAGE, "documentation_url": DOCS}, 403, headers=headers
        )
    if fault.kind == "rate_limit":
        headers.setdefault("Retry-After", "60")
        return JSONResponse({"message": "API rate limit exceeded"}, 429, headers=headers)
    return JSONResponse({"message": "Server Error"}, fault.status, headers=headers)


def _base(request: Request) -> str:
    """The emulator's root URL, with the prefix it is mounted at (GHES serves `/api/v3`)."""
    root = str(request.scope.get("root_path") or "")
    return f"{request.url.scheme}://{request.url.netloc}{root}".rstrip("/")


# -- authentication ------------------------------------------------------------------------


def _credential(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("token", "bearer") and value:
        return value.strip()
    if scheme.lower() == "basic" and value:
        decoded = base64.b64decode(value.strip()).decode("utf-8", "replace")
        return decoded.partition(":")[2]
    raise ApiError(401, "Requires authentication")


def _app_auth(request: Request, state: State) -> None:
    try:
        claims = jwt.decode(
            _credential(request),
            state.public_key,
            algorithms=["RS256"],
            options={"require": ["exp", "iat", "iss"]},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise ApiError(
            401, f"A JSON web token could not be decoded ({type(exc).__name__})"
        ) from None
    if str(claims.get("iss")) != str(state.app_id):
        raise ApiError(401, "The JWT's issuer is not this App")
    if claims["exp"] - claims["iat"] > 660:
        raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")


def _installation(request: Request, state: State) -> Installation:
    installation = state.token_installation(_credential(request))
    if installation is None:
        raise ApiError(401, "Bad credentials")
    return installation


def _repo(request: Request, state: State, owner: str, name: str) -> Repo:
    installation = _installation(request, state)
    full_name = f"{owner}/{name}"
    repo = state.repo(full_name)
    visible = {r.lower() for r in installation.repositories}
    if repo is None or full_name.lower() not in visible:
        raise ApiError(404, "Not Found")
    return repo


def _pull(repo: Repo, number: int) -> Pull:
    pull = repo.pulls.get(number)
    if pull is None:
        raise ApiError(404, "Not Found")
    return pull


def _number(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError(422, f"Validation Failed: {name} must be a number") from None


def _page(request: Request, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """GitHub pagination: `per_page` (max 100) and `page`, with a `Link` header."""
    per_page = min(max(_number(request, "per_page", 30), 1), 100)
    page = max(_number(request, "page", 1), 1)
    chosen = items[(page - 1) * per_page : page * per_page]
    headers = {}
    if page * per_page < len(items):
        url = request.url.include_query_params(page=page + 1, per_page=per_page)
        headers["Link"] = f'<{url}>; rel="next"'
    return chosen, headers


# -- the App and its installations ---------------------------------------------------------


def _app_routes(app: FastAPI, state: State) -> None:
    @app.get("/app")
    def get_app(request: Request) -> Json:
        _app_auth(request, state)
        return {"id": state.app_id, "slug": state.app_slug, "name": state.app_slug}

    @app.get("/app/installations")
    def list_installations(request: Request) -> list[Json]:
        _app_auth(request, state)
        base = _base(request)
        return [shapes.installation_json(base, state, i) for i in state.installations.values()]

    @app.get("/app/installations/{installation_id}")
    def get_installation(request: Request, installation_id: int) -> Json:
        _app_auth(request, state)
        installation = state.installations.get(installation_id)
        if installation is None:
            raise ApiError(404, "Not Found")
        return shapes.installation_json(_base(request), state, installation)

    @app.post("/app/installations/{installation_id}/access_tokens", status_code=201)
    def access_token(request: Request, installation_id: int) -> Json:
        _app_auth(request, state)
        installation = state.installations.get(installation_id)
        if installation is None:
            raise ApiError(404, "Not Found")
        if installation.suspended:
            raise ApiError(403, "This installation has been suspended")
        token, expires_at = state.issue_token(installation_id)
        return {
            "token": token,
            "expires_at": iso(expires_at),
            "permissions": shapes.installation_json("", state, installation)["permissions"],
            "repository_selection": "selected",
        }

    @app.get("/installation/repositories")
    def installation_repositories(request: Request) -> JSONResponse:
        installation = _installation(request, state)
        base = _base(request)
        repos = [state.repo(name) for name in installation.repositories]
        listed = [shapes.repo_json(base, r) for r in repos if r is not None]
        page, headers = _page(request, listed)
        body = {"total_count": len(listed), "repositories": page}
        return JSONResponse(body, headers=headers)

    @app.get("/users/{login}")
    def get_user(request: Request, login: str) -> Json:
        user = state.users.get(login.lower())
        if user is None:
            raise ApiError(404, "Not Found")
        return shapes.user_json(_base(request), user)


# -- repository, contents, refs, commits ---------------------------------------------------


def _repo_routes(app: FastAPI, state: State) -> None:
    @app.get("/repos/{owner}/{name}")
    def get_repo(request: Request, owner: str, name: str) -> Json:
        return shapes.repo_json(_base(request), _repo(request, state, owner, name))

    @app.get("/repos/{owner}/{name}/contents/{path:path}")
    def contents(request: Request, owner: str, name: str, path: str) -> Any:
        repo = _repo(request, state, owner, name)
        ref = request.query_params.get("ref") or repo.default_branch
        path = path.strip("/")
        kind = repo.git.object_type(ref, path) if path else "tree"
        base = _base(request)
        if kind == "blob":
            sha, data = repo.git.blob(ref, path)
            return _content_json(base, repo, path, sha, data)
        if kind == "tree" and repo.git.resolve(ref):
            return [
                {
                    "type": "dir" if e.type == "tree" else "file",
                    "name": e.path.rsplit("/", 1)[-1],
                    "path": e.path,
                    "sha": e.sha,
                    "size": e.size,
                }
                for e in repo.git.tree(ref, path)
            ]
        raise ApiError(404, "Not Found")

    @app.get("/repos/{owner}/{name}/git/ref/{ref:path}")
    @app.get("/repos/{owner}/{name}/git/refs/{ref:path}")
    def get_ref(request: Request, owner: str, name: str, ref: str) -> Json:
        repo = _repo(request, state, owner, name)
        sha = repo.git.refs().get(f"refs/{ref}")
        if sha is None:
            raise ApiError(404, "Not Found")
        return _ref_json(_base(request), repo, f"refs/{ref}", sha)

    @app.post("/repos/{owner}/{name}/git/refs", status_code=201)
    def create_ref(request: Request, owner: str, name: str, body: JsonBody) -> Json:
        repo = _repo(request, state, owner, name)
        ref, sha = str(body.get("ref", "")), str(body.get("sha", ""))
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise ApiError(422, "Reference name is not well formed")
        if ref in repo.git.refs():
            raise ApiError(422, "Reference already exists")
        if repo.git.resolve(sha) != sha:
            raise ApiError(422, "Object does not exist")
        repo.git.set_ref(ref, sha)
        return _ref_json(_base(request), repo, ref, sha)

    @app.patch("/repos/{owner}/{name}/git/refs/{ref:path}")
    def update_ref(request: Request, owner: str, name: str, ref: str, body: JsonBody) -> Json:
        repo = _repo(request, state, owner, name)
        full, sha = f"refs/{ref}", str(body.get("sha", ""))
        current = repo.git.refs().get(full)
        if current is None:
            raise ApiError(422, "Reference does not exist")
        if repo.git.resolve(sha) != sha:
            raise ApiError(422, "Object does not exist")
        if not body.get("force") and not repo.git.is_ancestor(current, sha):
            raise ApiError(422, "Update is not a fast forward")
        repo.git.set_ref(full, sha, current)
        return _ref_json(_base(request), repo, full, sha)

    @app.delete("/repos/{owner}/{name}/git/refs/{ref:path}", status_code=204)
    def delete_ref(request: Request, owner: str, name: str, ref: str) -> Response:
        repo = _repo(request, state, owner, name)
        if f"refs/{ref}" not in repo.git.refs():
            raise ApiError(422, "Reference does not exist")
        repo.git.delete_ref(f"refs/{ref}")
        return Response(status_code=204)

    @app.get("/repos/{owner}/{name}/commits/{sha}")
    def get_commit(request: Request, owner: str, name: str, sha: str) -> Json:
        repo = _repo(request, state, owner, name)
        commit = repo.git.commit(sha)
        if commit is None:
            raise ApiError(422, f"No commit found for SHA: {sha}")
        return shapes.commit_json(_base(request), state, repo, commit)


def _content_json(base: str, repo: Repo, path: str, sha: str, data: bytes) -> Json:
    url = f"{base}/repos/{repo.full_name}/contents/{path}"
    git_url = f"{base}/repos/{repo.full_name}/git/blobs/{sha}"
    html_url = f"{base}/{repo.full_name}/blob/{repo.default_branch}/{path}"
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "content": base64.encodebytes(data).decode("ascii"),
        "url": url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": None,
        "_links": {"self": url, "git": git_url, "html": html_url},
    }


def _ref_json(base: str, repo: Repo, ref: str, sha: str) -> Json:
    return {
        "ref": ref,
        "node_id": f"REF_{repo.id}_{ref}",
        "url": f"{base}/repos/{repo.full_name}/git/{ref}",
        "object": {
            "sha": sha,
            "type": "commit",
            "url": f"{base}/repos/{repo.full_name}/git/commits/{sha}",
        },
    }


# -- pull requests -------------------------------------------------------------------------


def _pull_routes(app: FastAPI, state: State) -> None:
    @app.get("/repos/{owner}/{name}/pulls")
    def list_pulls(request: Request, owner: str, name: str) -> JSONResponse:
        repo = _repo(request, state, owner, name)
        wanted = request.query_params.get("state", "open")
        head = request.query_params.get("head")
        base_ref = request.query_params.get("base")
        pulls = [
            p
            for p in repo.pulls.values()
            if (wanted == "all" or p.state == wanted)
            and (head is None or f"{repo.owner.login}:{p.head_ref}".lower() == head.lower())
            and (base_ref is None or p.base_ref == base_ref)
        ]
        key = "updated_at" if request.query_params.get("sort") == "updated" else "created_at"
        descending = request.query_params.get("direction", "desc") == "desc"
        pulls.sort(key=lambda p: (getattr(p, key), p.number), reverse=descending)
        base = _base(request)
        listed = [shapes.pull_json(base, repo, p, repo.labels.get(p.number, [])) for p in pulls]
        page, headers = _page(request, listed)
        return JSONResponse(page, headers=headers)

    @app.post("/repos/{owner}/{name}/pulls", status_code=201)
    def create_pull(request: Request, owner: str, name: str, body: JsonBody) -> Json:
        repo = _repo(request, state, owner, name)
        head = str(body.get("head", "")).split(":", 1)[-1]
        base_ref = str(body.get("base") or repo.default_branch)
        head_sha, base_sha = repo.git.branch_sha(head), repo.git.branch_sha(base_ref)
        if not body.get("title"):
            raise ApiError(422, "Validation Failed: title is missing")
        if head_sha is None or base_sha is None:
            raise ApiError(422, "Validation Failed: head or base branch does not exist")
        if head_sha == base_sha or repo.git.is_ancestor(head_sha, base_sha):
            raise ApiError(422, f"Validation Failed: No commits between {base_ref} and {head}")
        for existing in repo.pulls.values():
            if (
                existing.state == "open"
                and existing.head_ref == head
                and existing.base_ref == base_ref
            ):
                raise ApiError(
                    422, f"Validation Failed: A pull request already exists for {owner}:{head}."
                )
        now = time.time()
        pull = Pull(
            number=state.next_number(repo),
            id=state.next_id(),
            title=str(body["title"]),
            body=str(body.get("body") or ""),
            head_ref=head,
            base_ref=base_ref,
            draft=bool(body.get("draft", False)),
            user=state.bot,  # installation tokens act as the App's bot account
            created_at=now,
            updated_at=now,
            head_sha=head_sha,
            base_sha=base_sha,
        )
        repo.pulls[pull.number] = pull
        return shapes.pull_json(_base(request), repo, pull, [])

    @app.get("/repos/{owner}/{name}/pulls/{number}")
    def get_pull(request: Request, owner: str, name: str, number: int) -> Json:
        repo = _repo(request, state, owner, name)
        pull = _pull(repo, number)
        return shapes.pull_json(_base(request), repo, pull, repo.labels.get(number, []))

    @app.patch("/repos/{owner}/{name}/pulls/{number}")
    def update_pull(request: Request, owner: str, name: str, number: int, body: JsonBody) -> Json:
        repo = _repo(request, state, owner, name)
        pull = _pull(repo, number)
        with state.lock:
            if "title" in body:
                pull.title = str(body["title"])
            if "body" in body:
                pull.body = str(body["body"] or "")
            if "base" in body:
                pull.base_ref = str(body["base"])
            if body.get("state") in ("open", "closed") and not pull.merged:
                _set_pull_state(repo, pull, str(body["state"]))
            pull.updated_at = time.time()
        return shapes.pull_json(_base(request), repo, pull, repo.labels.get(number, []))

    @app.get("/repos/{owner}/{name}/pulls/{number}/commits")
    def pull_commits(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo = _repo(request, state, owner, name)
        pull = _pull(repo, number)
        head = repo.git.branch_sha(pull.head_ref) or pull.head_sha
        base_sha = repo.git.branch_sha(pull.base_ref) or pull.base_sha
        base = _base(request)
        commits = [
            shapes.commit_json(base, state, repo, c)
            for c in repo.git.commits_between(base_sha, head)
        ]
        page, headers = _page(request, commits)
        return JSONResponse(page, headers=headers)


def _set_pull_state(repo: Repo, pull: Pull, wanted: str) -> None:
    if wanted == "closed" and pull.state == "open":
        pull.head_sha = repo.git.branch_sha(pull.head_ref) or pull.head_sha
        pull.state, pull.closed_at = "closed", time.time()
    elif wanted == "open" and pull.state == "closed":
        if repo.git.branch_sha(pull.head_ref) is None:
            raise ApiError(422, "Validation Failed: the head branch was deleted")
        pull.state, pull.closed_at = "open", None


# -- issues: comments, labels, reactions ---------------------------------------------------


def _issue_routes(app: FastAPI, state: State) -> None:
    @app.get("/repos/{owner}/{name}/issues/{number}/comments")
    def list_comments(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo = _repo(request, state, owner, name)
        _pull(repo, number)
        base = _base(request)
        listed = [
            shapes.comment_json(base, repo, c) for c in repo.comments.values() if c.number == number
        ]
        page, headers = _page(request, listed)
        return JSONResponse(page, headers=headers)

    @app.post("/repos/{owner}/{name}/issues/{number}/comments", status_code=201)
    def create_comment(
        request: Request, owner: str, name: str, number: int, body: JsonBody
    ) -> Json:
        repo = _repo(request, state, owner, name)
        _pull(repo, number)
        if not isinstance(body.get("body"), str) or not body["body"]:
            raise ApiError(422, "Validation Failed: body is missing")
        comment = Comment(state.next_id(), number, body["body"], state.bot, time.time())
        with state.lock:
            repo.comments[comment.id] = comment
        return shapes.comment_json(_base(request), repo, comment)

    @app.get("/repos/{owner}/{name}/issues/{number}/labels")
    def list_labels(request: Request, owner: str, name: str, number: int) -> list[Json]:
        repo = _repo(request, state, owner, name)
        _pull(repo, number)
        return [{"name": n, "color": "ededed"} for n in repo.labels.get(number, [])]

    @app.post("/repos/{owner}/{name}/issues/{number}/labels")
    def add_labels(
        request: Request, owner: str, name: str, number: int, body: JsonBody
    ) -> list[Json]:
        repo = _repo(request, state, owner, name)
        _pull(repo, number)
        wanted = body.get("labels")
        if not isinstance(wanted, list) or not all(isinstance(x, str) for x in wanted):
            raise ApiError(422, "Validation Failed: labels must be a list of names")
        with state.lock:
            current = repo.labels.setdefault(number, [])
            current.extend(label for label in wanted if label not in current)
        return [{"name": n, "color": "ededed"} for n in repo.labels[number]]

    @app.post("/repos/{owner}/{name}/issues/comments/{comment_id}/reactions", status_code=201)
    def react(request: Request, owner: str, name: str, comment_id: int, body: JsonBody) -> Json:
        repo = _repo(request, state, owner, name)
        comment = repo.comments.get(comment_id)
        if comment is None:
            raise ApiError(404, "Not Found")
        content = str(body.get("content", ""))
        if content not in shapes.REACTIONS:
            raise ApiError(422, "Validation Failed: content is not a reaction")
        reaction = Reaction(state.next_id(), content, state.bot, time.time())
        with state.lock:
            comment.reactions.append(reaction)
        return shapes.reaction_json(_base(request), reaction)

    @app.get("/repos/{owner}/{name}/issues/comments/{comment_id}/reactions")
    def reactions(request: Request, owner: str, name: str, comment_id: int) -> list[Json]:
        repo = _repo(request, state, owner, name)
        comment = repo.comments.get(comment_id)
        if comment is None:
            raise ApiError(404, "Not Found")
        base = _base(request)
        return [shapes.reaction_json(base, r) for r in comment.reactions]


# -- check runs ----------------------------------------------------------------------------


def _check_routes(app: FastAPI, state: State) -> None:
    @app.post("/repos/{owner}/{name}/check-runs", status_code=201)
    def create_check_run(request: Request, owner: str, name: str, body: JsonBody) -> Json:
        repo = _repo(request, state, owner, name)
        head_sha = str(body.get("head_sha", ""))
        if not body.get("name") or repo.git.resolve(head_sha) != head_sha:
            raise ApiError(422, "Validation Failed: name and an existing head_sha are required")
        now = time.time()
        run = CheckRun(
            id=state.next_id(),
            name=str(body["name"]),
            head_sha=head_sha,
            status=str(body.get("status") or ("completed" if body.get("conclusion") else "queued")),
            conclusion=body.get("conclusion"),
            output=dict(body.get("output") or {}),
            started_at=now,
            completed_at=now if body.get("conclusion") else None,
        )
        with state.lock:
            repo.check_runs[run.id] = run
        return shapes.check_run_json(_base(request), state, repo, run)

    @app.patch("/repos/{owner}/{name}/check-runs/{run_id}")
    def update_check_run(
        request: Request, owner: str, name: str, run_id: int, body: JsonBody
    ) -> Json:
        repo = _repo(request, state, owner, name)
        run = repo.check_runs.get(run_id)
        if run is None:
            raise ApiError(404, "Not Found")
        with state.lock:
            if "status" in body:
                run.status = str(body["status"])
            if body.get("conclusion"):
                run.conclusion, run.status = str(body["conclusion"]), "completed"
                run.completed_at = time.time()
            if isinstance(body.get("output"), dict):
                run.output.update(body["output"])
        return shapes.check_run_json(_base(request), state, repo, run)

    @app.get("/repos/{owner}/{name}/check-runs/{run_id}")
    def get_check_run(request: Request, owner: str, name: str, run_id: int) -> Json:
        repo = _repo(request, state, owner, name)
        run = repo.check_runs.get(run_id)
        if run is None:
            raise ApiError(404, "Not Found")
        return shapes.check_run_json(_base(request), state, repo, run)

    @app.get("/repos/{owner}/{name}/commits/{ref}/check-runs")
    def list_check_runs(request: Request, owner: str, name: str, ref: str) -> JSONResponse:
        repo = _repo(request, state, owner, name)
        sha = repo.git.resolve(ref)
        if sha is None:
            raise ApiError(422, f"No commit found for SHA: {ref}")
        wanted = request.query_params.get("check_name")
        runs = [
            r for r in repo.check_runs.values() if r.head_sha == sha and wanted in (None, r.name)
        ]
        base = _base(request)
        listed = [shapes.check_run_json(base, state, repo, r) for r in reversed(runs)]
        page, headers = _page(request, listed)
        return JSONResponse({"total_count": len(listed), "check_runs": page}, headers=headers)


# -- git smart HTTP ------------------------------------------------------------------------


def _git_routes(app: FastAPI, state: State) -> None:
    @app.api_route("/{owner}/{name}.git/{rest:path}", methods=["GET", "POST"])
    async def git_http(request: Request, owner: str, name: str, rest: str) -> Response:
        repo = state.repo(f"{owner}/{name}")
        if repo is None:
            return Response("Repository not found.", 404)
        installation = state.token_installation(_git_credential(request))
        allowed = {r.lower() for r in installation.repositories} if installation else set()
        if installation is None or repo.full_name.lower() not in allowed:
            return Response(
                "Authentication failed", 401, {"WWW-Authenticate": 'Basic realm="GitHub"'}
            )
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        result = await run_in_threadpool(
            http_backend,
            state.data_dir / "repos",
            f"/{repo.full_name}.git/{rest}",
            request.method,
            request.url.query,
            headers,
            body,
            state.bot.login,
        )
        return Response(result.body, result.status, dict(result.headers))


def _history(repo: Repo, head: str) -> list[GitCommit]:
    return list(reversed(repo.git.log_from(head)))


def _push_commit(base: str, repo: Repo, commit: GitCommit) -> Json:
    return {
        "id": commit.sha,
        "tree_id": commit.tree,
        "distinct": True,
        "message": commit.message,
        "timestamp": commit.committer_date,
        "url": f"{base}/{repo.full_name}/commit/{commit.sha}",
        "author": {"name": commit.author_name, "email": commit.author_email},
        "committer": {"name": commit.committer_name, "email": commit.committer_email},
        **repo.git.changes(commit.sha),
    }


def _git_credential(request: Request) -> str:
    try:
        return _credential(request)
    except (ApiError, ValueError):
        return ""


# -- the admin API -------------------------------------------------------------------------


def _admin_routes(app: FastAPI, state: State) -> None:
    @app.post("/_emulator/repos", status_code=201)
    def seed(request: Request, body: JsonBody) -> Json:
        tree = Path(body["tree"]) if body.get("tree") else None
        try:
            repo = state.create_repo(
                str(body["owner"]), str(body["name"]), tree, str(body.get("default_branch", "main"))
            )
        except ValueError as exc:
            raise ApiError(422, str(exc)) from None
        return shapes.repo_json(_base(request), repo)

    @app.get("/_emulator/repos/{owner}/{name}")
    def repo_admin(request: Request, owner: str, name: str) -> Json:
        repo = state.repo(f"{owner}/{name}")
        if repo is None:
            raise ApiError(404, "Not Found")
        data = shapes.repo_json(_base(request), repo)
        data["path"] = str(repo.git.path)
        data["head"] = repo.git.branch_sha(repo.default_branch)
        return data

    @app.get("/_emulator/repos/{owner}/{name}/pushed")
    def pushed(request: Request, owner: str, name: str) -> list[Json]:
        """The commits of a push from `before` to `after`, as a push payload lists them."""
        repo = state.repo(f"{owner}/{name}")
        after = request.query_params.get("after", "")
        if repo is None or repo.git.resolve(after) is None:
            raise ApiError(404, "Not Found")
        before = request.query_params.get("before", "")
        known = repo.git.resolve(before) if before.strip("0") else None
        commits = repo.git.commits_between(known, after) if known else _history(repo, after)
        base = _base(request)
        return [_push_commit(base, repo, c) for c in commits]

    @app.post("/_emulator/repos/{owner}/{name}/issues/{number}/comments", status_code=201)
    def human_comment(request: Request, owner: str, name: str, number: int, body: JsonBody) -> Json:
        """A comment by a person (`user`), as if typed on GitHub; send its webhook yourself."""
        repo = state.repo(f"{owner}/{name}")
        if repo is None or number not in repo.pulls:
            raise ApiError(404, "Not Found")
        author = state.user(str(body.get("user", repo.owner.login)))
        comment = Comment(state.next_id(), number, str(body.get("body", "")), author, time.time())
        with state.lock:
            repo.comments[comment.id] = comment
        return shapes.comment_json(_base(request), repo, comment)

    @app.post("/_emulator/installations", status_code=201)
    def install(request: Request, body: JsonBody) -> Json:
        installation = state.install(
            int(body["id"]), str(body["account"]), [str(r) for r in body.get("repositories", [])]
        )
        return shapes.installation_json(_base(request), state, installation)

    @app.post("/_emulator/faults", status_code=201)
    def add_fault(body: JsonBody) -> Json:
        kind = str(body.get("kind", "error"))
        status = {"rate_limit": 429, "secondary": 403}.get(kind, int(body.get("status", 500)))
        fault = Fault(
            path=str(body["path"]),
            status=status,
            remaining=int(body.get("count", 1)),
            method=body.get("method"),
            retry_after=body.get("retry_after"),
            kind=kind,
            seconds=float(body.get("seconds", 0)),
        )
        with state.lock:
            state.faults.append(fault)
        return {"path": fault.path, "status": fault.status, "count": fault.remaining}

    @app.delete("/_emulator/faults", status_code=204)
    def clear_faults() -> Response:
        with state.lock:
            state.faults.clear()
        return Response(status_code=204)

    @app.post("/_emulator/tokens/expire")
    def expire_tokens() -> Json:
        return {"expired": state.expire_tokens()}

    @app.get("/_emulator/tokens")
    def tokens() -> list[str]:
        """Every token issued so far: tests look for them where they must never appear."""
        with state.lock:
            return list(state.tokens)

    @app.post("/_emulator/settings")
    def settings(body: JsonBody) -> Json:
        if "token_ttl" in body:
            state.token_ttl = float(body["token_ttl"])
        return {"token_ttl": state.token_ttl}

    @app.get("/_emulator/requests")
    def requests_log() -> list[Json]:
        with state.lock:
            return [
                {"method": r.method, "path": r.path, "status": r.status} for r in state.requests
            ]


# -- a recorded package index (PEP 691), so the sandbox needs no network --------------------


def _index_routes(app: FastAPI, directory: Path) -> None:
    @app.get("/simple/{project}/")
    @app.get("/simple/{project}")
    def project_page(project: str) -> Response:
        name = re.sub(r"[-_.]+", "-", project).lower()
        page = directory / f"{name}.json"
        if not page.is_file():
            return Response("Not Found", 404)
        body = local_file_urls(page.read_bytes())
        return Response(body, 200, media_type=INDEX_JSON)

    @app.get("/files/{filename}")
    def distribution_file(filename: str) -> Response:
        path = directory / "files" / filename
        if "/" in filename or filename.startswith(".") or not path.is_file():
            return Response("Not Found", 404)
        return Response(path.read_bytes(), 200, media_type="application/octet-stream")
