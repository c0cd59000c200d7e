"""Small, forgiving readers of raw payload fields (real payloads omit and null things)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.store import RepoRef


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def repo_ref(value: Any) -> RepoRef | None:
    data = mapping(value)
    repo_id, full_name = integer(data.get("id")), text(data.get("full_name"))
    if repo_id is None or full_name is None:
        return None
    return RepoRef(repo_id, full_name, bool(data.get("private")), text(data.get("default_branch")))


def repo_refs(values: Any) -> list[RepoRef]:
    if not isinstance(values, list):
        return []
    return [ref for ref in map(repo_ref, values) if ref is not None]
