"""Frozen values read from GitHub's JSON, with only the fields the bot uses.

Parsing is lenient (GitHub adds fields all the time) but a missing required field is a
`GitHubError`, not a `KeyError` deep in the composer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.github.errors import GitHubError

Json = Mapping[str, Any]


def _get(data: Json, *keys: str) -> Any:
    current: Any = data
    for key in keys:
        if not isinstance(current, Mapping) or key not in current:
            raise GitHubError(f"unexpected GitHub response: no {'.'.join(keys)}")
        current = current[key]
    return current


def _opt(data: Json, *keys: str) -> Any:
    try:
        return _get(data, *keys)
    except GitHubError:
        return None


@dataclass(frozen=True)
class Repository:
    id: int
    full_name: str
    default_branch: str
    clone_url: str
    private: bool
    archived: bool

    @classmethod
    def parse(cls, data: Json) -> Repository:
        return cls(
            id=int(_get(data, "id")),
            full_name=str(_get(data, "full_name")),
            default_branch=str(_opt(data, "default_branch") or "main"),
            clone_url=str(_get(data, "clone_url")),
            private=bool(_opt(data, "private")),
            archived=bool(_opt(data, "archived")),
        )


@dataclass(frozen=True)
class PullRequest:
    number: int
    state: str
    draft: bool
    merged: bool
    title: str
    body: str
    head_ref: str
    head_sha: str
    base_ref: str
    labels: tuple[str, ...]
    user_login: str
    html_url: str
    created_at: str

    @property
    def open(self) -> bool:
        return self.state == "open"

    @classmethod
    def parse(cls, data: Json) -> PullRequest:
        labels = _opt(data, "labels") or []
        return cls(
            number=int(_get(data, "number")),
            state=str(_get(data, "state")),
            draft=bool(_opt(data, "draft")),
            merged=bool(_opt(data, "merged") or _opt(data, "merged_at")),
            title=str(_opt(data, "title") or ""),
            body=str(_opt(data, "body") or ""),
            head_ref=str(_get(data, "head", "ref")),
            head_sha=str(_get(data, "head", "sha")),
            base_ref=str(_get(data, "base", "ref")),
            labels=tuple(str(label.get("name")) for label in labels if isinstance(label, Mapping)),
            user_login=str(_opt(data, "user", "login") or ""),
            html_url=str(_opt(data, "html_url") or ""),
            created_at=str(_opt(data, "created_at") or ""),
        )


@dataclass(frozen=True)
class Issue:
    """An issue as `/issues` shows it; `pull` when it is a pull request seen as an issue."""

    number: int
    state: str
    title: str
    body: str
    labels: tuple[str, ...]
    user_login: str
    html_url: str
    pull: bool

    @property
    def open(self) -> bool:
        return self.state == "open"

    @classmethod
    def parse(cls, data: Json) -> Issue:
        labels = _opt(data, "labels") or []
        return cls(
            number=int(_get(data, "number")),
            state=str(_get(data, "state")),
            title=str(_opt(data, "title") or ""),
            body=str(_opt(data, "body") or ""),
            labels=tuple(str(label.get("name")) for label in labels if isinstance(label, Mapping)),
            user_login=str(_opt(data, "user", "login") or ""),
            html_url=str(_opt(data, "html_url") or ""),
            pull=_opt(data, "pull_request") is not None,
        )


@dataclass(frozen=True)
class Commit:
    sha: str
    message: str
    author_name: str
    author_email: str
    author_login: str | None
    committer_email: str
    parents: tuple[str, ...]

    @classmethod
    def parse(cls, data: Json) -> Commit:
        parents = _opt(data, "parents") or []
        return cls(
            sha=str(_get(data, "sha")),
            message=str(_opt(data, "commit", "message") or ""),
            author_name=str(_opt(data, "commit", "author", "name") or ""),
            author_email=str(_opt(data, "commit", "author", "email") or ""),
            author_login=_opt(data, "author", "login"),
            committer_email=str(_opt(data, "commit", "committer", "email") or ""),
            parents=tuple(str(p.get("sha")) for p in parents if isinstance(p, Mapping)),
        )


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    user_login: str

    @classmethod
    def parse(cls, data: Json) -> Comment:
        return cls(
            id=int(_get(data, "id")),
            body=str(_opt(data, "body") or ""),
            user_login=str(_opt(data, "user", "login") or ""),
        )


@dataclass(frozen=True)
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    title: str | None
    summary: str | None

    @classmethod
    def parse(cls, data: Json) -> CheckRun:
        return cls(
            id=int(_get(data, "id")),
            name=str(_get(data, "name")),
            head_sha=str(_get(data, "head_sha")),
            status=str(_opt(data, "status") or ""),
            conclusion=_opt(data, "conclusion"),
            title=_opt(data, "output", "title"),
            summary=_opt(data, "output", "summary"),
        )


@dataclass(frozen=True)
class Annotation:
    """A line-level message on a check run (GitHub's `output.annotations[]`)."""

    path: str
    line: int
    message: str
    level: str = "failure"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "start_line": self.line,
            "end_line": self.line,
            "annotation_level": self.level,
            "message": self.message,
        }


@dataclass(frozen=True)
class WorkflowRun:
    """A GitHub Actions workflow run at one attempt."""

    id: int
    name: str
    head_sha: str
    head_branch: str | None
    event: str
    status: str
    conclusion: str | None
    run_attempt: int
    created_at: str
    path: str | None = None

    @classmethod
    def parse(cls, data: Json) -> WorkflowRun:
        return cls(
            id=int(_get(data, "id")),
            name=str(_opt(data, "name") or ""),
            head_sha=str(_get(data, "head_sha")),
            head_branch=_opt(data, "head_branch"),
            event=str(_opt(data, "event") or ""),
            status=str(_opt(data, "status") or ""),
            conclusion=_opt(data, "conclusion"),
            run_attempt=int(_opt(data, "run_attempt") or 1),
            created_at=str(_opt(data, "run_started_at") or _opt(data, "created_at") or ""),
            path=_opt(data, "path"),
        )


@dataclass(frozen=True)
class Artifact:
    id: int
    name: str
    size_in_bytes: int
    expired: bool
    run_id: int | None

    @classmethod
    def parse(cls, data: Json) -> Artifact:
        run_id = _opt(data, "workflow_run", "id")
        return cls(
            id=int(_get(data, "id")),
            name=str(_get(data, "name")),
            size_in_bytes=int(_opt(data, "size_in_bytes") or 0),
            expired=bool(_opt(data, "expired")),
            run_id=int(run_id) if run_id is not None else None,
        )
