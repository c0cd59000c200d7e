"""PEP 691 JSON simple-API client with concurrency and an on-disk HTTP cache."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING

from app.index.cache import CachedResponse, HttpCache
from app.index.model import IndexUnavailable, LookupFailure, Project
from app.index.parse import IndexFormatError, parse_project, to_compact
from app.manifests.base import canonical
from app.model import Progress, no_progress

if TYPE_CHECKING:
    import httpx

DEFAULT_INDEX_URL = "https://pypi.org/simple"
ACCEPT = "application/vnd.pypi.simple.v1+json"
RETRIES = 2


def default_index_url() -> str:
    return os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX_URL


class SimpleIndex:
    """Fetches project pages concurrently; fresh cached pages cost no request at all."""

    def __init__(
        self,
        index_url: str | None = None,
        cache: HttpCache | None = None,
        concurrency: int = 32,
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.index_url = (index_url or default_index_url()).rstrip("/")
        self.cache = cache
        self.concurrency = concurrency
        self.timeout = timeout
        self.transport = transport

    def fetch(
        self, names: Sequence[str], progress: Progress = no_progress
    ) -> dict[str, Project | LookupFailure]:
        """Project pages by canonical name; raises `IndexUnavailable` if the index fails."""
        import httpx  # here, not at the top: scans that need no index do not load it

        unique = sorted({canonical(n) for n in names})
        results: dict[str, Project | LookupFailure] = {}
        limits = httpx.Limits(max_connections=self.concurrency)
        # Threads, not asyncio: httpx's sync client reads large pages with far less overhead.
        with (
            httpx.Client(
                timeout=self.timeout,
                limits=limits,
                transport=self.transport,
                follow_redirects=True,
            ) as client,
            ThreadPoolExecutor(self.concurrency) as pool,
        ):
            futures = {pool.submit(self._project, client, name): name for name in unique}
            try:
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    progress("index", len(results), len(unique))
            except IndexUnavailable:
                for pending in futures:
                    pending.cancel()
                raise
        return results

    def _project(self, client: httpx.Client, name: str) -> Project | LookupFailure:
        url = f"{self.index_url}/{name}/"
        cached = self.cache.get(url) if self.cache else None
        if cached is not None and cached.fresh():
            return self._parse(url, name, cached.body)
        response = self._get(client, url, cached)
        if response.status_code == 404:
            return LookupFailure(name, f"not found on the index {self.index_url}")
        if response.status_code == 304 and cached is not None:
            body = cached.body
        elif response.status_code == 200:
            body = response.content
            _require_json(url, response)
        else:
            raise IndexUnavailable(f"{url} answered HTTP {response.status_code}")
        project = self._parse(url, name, body)
        if self.cache is not None:
            compact = to_compact(project)
            self.cache.put(url, CachedResponse.from_response(response, compact))
        return project

    def _get(self, client: httpx.Client, url: str, cached: CachedResponse | None) -> httpx.Response:
        import httpx

        headers = {"Accept": ACCEPT, **(cached.validators() if cached else {})}
        for attempt in range(RETRIES + 1):
            try:
                response = client.get(url, headers=headers)
            except httpx.HTTPError as exc:
                if attempt == RETRIES:
                    reason = str(exc) or type(exc).__name__
                    raise IndexUnavailable(f"cannot reach the index at {url}: {reason}") from exc
                continue
            if response.status_code < 500 or attempt == RETRIES:
                return response
            time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def _parse(self, url: str, name: str, body: bytes) -> Project:
        try:
            return parse_project(name, body, base_url=url)
        except IndexFormatError as exc:
            raise IndexUnavailable(f"the index returned garbage for {url}: {exc}") from exc


def _require_json(url: str, response: httpx.Response) -> None:
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in (ACCEPT, "application/json"):
        message = f"{url} answered {content_type or 'no content type'}, not PEP 691 JSON"
        raise IndexUnavailable(message)
