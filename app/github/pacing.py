"""The pause GitHub asks for between content-creating requests, as a githubkit throttler.

GitHub asks integrations to wait at least a second between POST, PATCH, PUT and DELETE requests;
going faster is what trips the secondary rate limit. githubkit's `LocalThrottler` only bounds
concurrency (its docstring leaves "the pause between mutative requests" to do), so this one adds
the pause. Requests to `/app/...` (installation tokens) are not content: they are not paced.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from githubkit.throttling import BaseThrottler

WRITE_INTERVAL = 1.0
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class WritePacing(BaseThrottler):
    """Content-creating requests at least `interval` seconds apart, across threads."""

    def __init__(self, interval: float, base_path: str) -> None:
        self.interval = interval
        self._app_prefix = base_path.rstrip("/") + "/app/"
        self._lock = threading.Lock()
        self._last_write = 0.0

    def paced(self, request: httpx.Request) -> bool:
        return request.method in WRITES and not request.url.path.startswith(self._app_prefix)

    @contextmanager
    def acquire(self, request: httpx.Request) -> Generator[None, Any, Any]:
        if self.paced(request):
            self._pace()
        yield

    @asynccontextmanager
    async def async_acquire(self, request: httpx.Request) -> AsyncGenerator[None, Any]:
        raise NotImplementedError("the GitHub adapter is synchronous")
        yield  # pragma: no cover

    def _pace(self) -> None:
        with self._lock:
            wait = self._last_write + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_write = time.monotonic()
