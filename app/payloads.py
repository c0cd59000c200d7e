"""Webhook bodies as JSON objects, with bounds: one parser for the server (which answers 400 to
what it refuses) and for the worker (which routes what the server accepted).

`json.loads` alone raises `RecursionError` on deep nesting and `ValueError` on integers longer
than Python's digit limit; here every body that is not a plain JSON object within the bounds is
a `BadPayload` saying why.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 100  # GitHub's payloads nest 8 levels deep at most


class BadPayload(ValueError):
    """The body is not a JSON object within the bounds."""


def _refuse_constant(name: str) -> Any:
    raise BadPayload(f"body is not valid JSON: {name} is not a JSON value")


def load_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body, parse_constant=_refuse_constant)
    except BadPayload:
        raise
    except RecursionError:
        raise BadPayload("body is not valid JSON: nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, too many digits
        raise BadPayload(f"body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise BadPayload("body is not a JSON object")
    if not _within_depth(payload, MAX_DEPTH):
        raise BadPayload(f"body is not valid JSON for a webhook: nested over {MAX_DEPTH} levels")
    return payload


def _within_depth(value: Any, limit: int) -> bool:
    """Breadth first, one level at a time, without recursion."""
    level = [value]
    for _ in range(limit):
        deeper: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            deeper.extend(c for c in children if isinstance(c, dict | list))
        if not deeper:
            return True
        level = deeper
    return False
