"""An on-disk HTTP cache honouring ``Cache-Control: max-age`` and revalidating with
``If-None-Match`` / ``If-Modified-Since`` once an entry is stale.

A response without any freshness information (some mirrors and proxies strip it) is kept fresh
for ``HEURISTIC_TTL`` seconds, the lifetime PyPI itself announces for its simple pages.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

_MAX_AGE = re.compile(r"max-age=(\d+)")
HEURISTIC_TTL = 600


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    etag: str | None
    last_modified: str | None
    expires_at: float

    def fresh(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) < self.expires_at

    def validators(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    @classmethod
    def from_response(cls, response: httpx.Response, body: bytes) -> CachedResponse:
        control = response.headers.get("cache-control", "")
        match = _MAX_AGE.search(control)
        if "no-cache" in control or "no-store" in control:
            lifetime = 0
        elif match is not None:
            lifetime = int(match.group(1))
        else:
            lifetime = HEURISTIC_TTL
        return cls(
            body=body,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            expires_at=time.time() + lifetime,
        )


class HttpCache:
    """One JSON file per URL; writes are atomic so concurrent scans never read half a file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode()).hexdigest()
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, url: str) -> CachedResponse | None:
        try:
            data = json.loads(self._path(url).read_text(encoding="utf-8"))
            return CachedResponse(
                body=data["body"].encode("utf-8"),
                etag=data["etag"],
                last_modified=data["last_modified"],
                expires_at=float(data["expires_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, url: str, entry: CachedResponse) -> None:
        path = self._path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "url": url,
            "body": entry.body.decode("utf-8", "replace"),
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "expires_at": entry.expires_at,
        }
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream)
        os.replace(temporary, path)
