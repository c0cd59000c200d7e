"""Runbooks: `runbooks/<alertname>.yml` in the service's repository, read strictly and within
bounds (pure, apart from reading the one file from the checkout).

```yaml
steps:
  - name: flush-cache          # what `/maintainer run flush-cache` names
    kind: http                 # http | rollback | scale | restart
    endpoint: cache-admin      # a name from MAINTAINER_RUNBOOK_ENDPOINTS, never an address
    method: POST               # optional (POST by default)
    body: {scope: dashboard}   # optional: a JSON object (or a string) sent as is
    auto: true                 # run when the incident opens (default false)
  - name: revert-suspect
    kind: rollback             # a draft revert PR of the triage's first suspect
```

The repository only names endpoints; their addresses (and the bearer token) are the operator's
service settings. A file that is not this shape is refused with a message naming the key, which
the incident job records in the timeline and shows in the issue; nothing runs from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from app import bounded_yaml
from app.config import Strict
from app.store.records import IncidentEvent

RUNBOOK_DIR = "runbooks"
MAX_STEPS = 20
MAX_BODY_CHARS = 8192
STEP_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_ALERTNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}")

StepKind = Literal["http", "rollback", "scale", "restart"]
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class RunbookError(ValueError):
    """The runbook file cannot be used; the message says where and why."""


class Step(Strict):
    name: str = Field(pattern=STEP_NAME, description="Lower case; `/maintainer run <name>`.")
    kind: StepKind
    endpoint: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="A name of MAINTAINER_RUNBOOK_ENDPOINTS (http, scale and restart steps).",
    )
    method: Method | None = None
    body: dict[str, Any] | str | None = None
    replicas: int | None = Field(default=None, ge=0, le=10_000, description="scale steps only.")
    auto: bool = False
    description: str | None = Field(default=None, max_length=500)

    @field_validator("body")
    @classmethod
    def _bounded_body(cls, value: dict[str, Any] | str | None) -> dict[str, Any] | str | None:
        if value is not None and len(body_text(value)) > MAX_BODY_CHARS:
            raise ValueError(f"the body is longer than {MAX_BODY_CHARS} characters")
        return value

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Step:
        if self.kind == "rollback":
            extra = [k for k in ("endpoint", "method", "body", "replicas") if getattr(self, k)]
            if extra:
                raise ValueError(f"a rollback step takes no {', '.join(extra)}")
            return self
        if self.endpoint is None:
            raise ValueError(f"a {self.kind} step needs an `endpoint` (an allowlisted name)")
        if self.kind == "scale" and self.replicas is None:
            raise ValueError("a scale step needs `replicas`")
        if self.kind != "scale" and self.replicas is not None:
            raise ValueError("only a scale step takes `replicas`")
        return self

    def request_body(self, context: dict[str, Any]) -> str | None:
        """What is sent: the `body` as written; for scale and restart, the action, the
        replicas and the incident's `context` under it (the written body's keys win)."""
        if self.kind in ("scale", "restart"):
            extra: dict[str, Any] = {"action": self.kind, **context}
            if self.replicas is not None:
                extra["replicas"] = self.replicas
            if isinstance(self.body, dict):
                extra.update(self.body)
            elif isinstance(self.body, str):
                return self.body
            return json.dumps(extra, sort_keys=True)
        return None if self.body is None else body_text(self.body)


class Runbook(Strict):
    description: str | None = Field(default=None, max_length=2000)
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)

    @field_validator("steps")
    @classmethod
    def _unique_names(cls, values: list[Step]) -> list[Step]:
        names = [step.name for step in values]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"two steps are named {twice[0]!r}")
        return values

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name.lower()), None)


def body_text(body: dict[str, Any] | str) -> str:
    return body if isinstance(body, str) else json.dumps(body, sort_keys=True, default=str)


def runbook_path(alertname: str) -> str:
    """`runbooks/<alertname>.yml`, for an alert name that can be a file name."""
    if not _ALERTNAME.fullmatch(alertname) or ".." in alertname:
        raise RunbookError(f"alert name {alertname[:64]!r} cannot name a runbook file")
    return f"{RUNBOOK_DIR}/{alertname}.yml"


def parse_runbook(text: str, path: str) -> Runbook:
    try:
        data, _ = bounded_yaml.load(text)
    except bounded_yaml.YamlRefused as exc:
        where = f"{path}, line {exc.line}" if exc.line else path
        raise RunbookError(f"{where}: {exc.message}") from None
    if not isinstance(data, dict):
        raise RunbookError(f"{path}: expected a mapping with `steps:`")
    try:
        return Runbook.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:5]:
            key = ".".join(str(part) for part in error["loc"]) or "(root)"
            problems.append(f"{key}: {error['msg']}")
        more = len(exc.errors()) - len(problems)
        tail = f" (and {more} more)" if more > 0 else ""
        raise RunbookError(f"{path}: {'; '.join(problems)}{tail}") from None


def load_runbook(root: Path, alertname: str) -> Runbook | None:
    """The alert's runbook in the checkout at `root`; None when there is none. A file that
    resolves outside the checkout (a symlink), too large, or invalid is a `RunbookError`."""
    relative = runbook_path(alertname)
    path = root / relative
    if not path.exists() and not path.is_symlink():
        return None
    checkout = root.resolve()
    resolved = path.resolve()
    if not resolved.is_relative_to(checkout) or not resolved.is_file():
        raise RunbookError(f"{relative}: not a file inside the repository")
    size = resolved.stat().st_size
    if size > bounded_yaml.MAX_BYTES:
        raise RunbookError(f"{relative}: {size} bytes, over the limit of {bounded_yaml.MAX_BYTES}")
    try:
        text = resolved.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RunbookError(f"{relative}: not UTF-8 text") from None
    return parse_runbook(text, relative)


# -- what the incident's timeline says about its runbook (events the incident job records) --

RUNBOOK_EVENT = "runbook"
RUNBOOK_ERROR_EVENT = "runbook_error"
STEP_EVENT = "step"


def runbook_event(path: str, runbook: Runbook) -> dict[str, Any]:
    steps = [
        {"name": s.name, "kind": s.kind, "auto": s.auto, "endpoint": s.endpoint}
        for s in runbook.steps
    ]
    return {"path": path, "steps": steps}


def last_runbook(timeline: Sequence[IncidentEvent]) -> tuple[tuple[str, ...], str | None]:
    """The step names of the runbook last read for the incident, or why there is none."""
    for event in reversed(timeline):
        if event.kind == RUNBOOK_EVENT:
            return tuple(str(s["name"]) for s in event.detail.get("steps", [])), None
        if event.kind == RUNBOOK_ERROR_EVENT:
            return (), f"its runbook cannot be used: {event.detail.get('error', '')}"
    return (), "this incident has no runbook (`runbooks/<alertname>.yml`)"


def last_runbook_detail(timeline: Sequence[IncidentEvent]) -> dict[str, Any] | None:
    """The detail of the last `runbook` or `runbook_error` event (to record only changes)."""
    for event in reversed(timeline):
        if event.kind in (RUNBOOK_EVENT, RUNBOOK_ERROR_EVENT):
            return {"kind": event.kind, **event.detail}
    return None


def step_runs(timeline: Sequence[IncidentEvent]) -> list[IncidentEvent]:
    return [event for event in timeline if event.kind == STEP_EVENT]


def ran_automatically(timeline: Sequence[IncidentEvent], step: str) -> bool:
    return any(
        e.detail.get("step") == step and e.detail.get("trigger") == "auto"
        for e in step_runs(timeline)
    )


def ran_for_comment(timeline: Sequence[IncidentEvent], comment: int) -> bool:
    return any(e.detail.get("comment") == comment for e in step_runs(timeline))


# -- the runbook section of the incident issue ------------------------------------------------

_HUMAN_URL = re.compile(r"https?://[^\s()<>\[\]`\"']{1,500}")


@dataclass(frozen=True)
class LastRun:
    ok: bool
    when: str
    actor: str
    status: int | None
    pull: int | None
    output: str


@dataclass(frozen=True)
class StepView:
    name: str
    kind: str
    endpoint: str | None
    auto: bool
    blocked: bool
    """Its endpoint is not in the service's allowlist: it cannot run."""
    last: LastRun | None


@dataclass(frozen=True)
class RunbookView:
    path: str
    url: str | None
    steps: tuple[StepView, ...] = ()
    error: str | None = None


def human_runbook_url(annotations: Mapping[str, str]) -> str | None:
    """The alert's `runbook_url` annotation, for people to follow, when it is a plain
    http(s) URL (the bot never fetches it)."""
    value = annotations.get("runbook_url", "").strip()
    return value if _HUMAN_URL.fullmatch(value) else None


def runbook_view(
    path: str,
    runbook: Runbook | None,
    error: str | None,
    timeline: Sequence[IncidentEvent],
    allowed: Collection[str],
    url: str | None,
) -> RunbookView | None:
    """What the issue's runbook section shows: each step, whether it can run, its last run."""
    if runbook is None and error is None:
        return None
    if runbook is None:
        return RunbookView(path, url, error=error)
    last: dict[str, LastRun] = {}
    for event in step_runs(timeline):
        detail = event.detail
        last[str(detail.get("step"))] = LastRun(
            ok=bool(detail.get("ok")),
            when=event.at.strftime("%H:%M UTC"),
            actor=str(detail.get("actor", "")),
            status=detail.get("status"),
            pull=detail.get("pull"),
            output=str(detail.get("output") or ""),
        )
    steps = tuple(
        StepView(
            s.name,
            s.kind,
            s.endpoint,
            s.auto,
            s.endpoint is not None and s.endpoint not in allowed,
            last.get(s.name),
        )
        for s in runbook.steps
    )
    return RunbookView(path, url, steps)
