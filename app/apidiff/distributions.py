"""Distribution files from the package index: listed from the PEP 691 project page, downloaded
once, checked against the page's sha256 and kept in a content-addressed cache.

Wheels are preferred (pure ``py3-none-any`` first, then any wheel); the sdist is the fallback,
and `sdist` fetches it on purpose (release notes live in sdists). Archives are unpacked with
bounds on member count, size and paths (`app.apidiff.archives`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import orjson
from packaging.utils import canonicalize_name

from app.index.cache import CachedResponse, HttpCache
from app.index.client import ACCEPT, default_index_url
from app.index.parse import version_of

MAX_DOWNLOAD = 64 * 1024 * 1024
RETRIES = 2


class DistributionError(Exception):
    """A distribution could not be listed, downloaded or verified."""


@dataclass(frozen=True)
class DistFile:
    filename: str
    url: str
    sha256: str
    yanked: bool

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")

    @property
    def is_pure_wheel(self) -> bool:
        return self.filename.endswith("-none-any.whl")


class Distributions:
    """Lists and downloads distribution files; ``fetch`` returns the local path of a file.

    The project pages' file lists are cached like index pages (`HttpCache`); files are kept by
    their sha256, so a second scan downloads nothing.
    """

    def __init__(
        self,
        index_url: str | None = None,
        *,
        cache_dir: Path,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.index_url = (index_url or default_index_url()).rstrip("/")
        self.cache_dir = cache_dir
        self.pages = HttpCache(self.cache_dir / "pages")
        self.timeout = timeout
        self.transport = transport
        self._shared: httpx.Client | None = None
        self._listings: dict[str, list[DistFile]] = {}
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        """One client for the adapter's life: building one loads the CA bundle (~0.1 s)."""
        with self._lock:
            if self._shared is None:
                self._shared = httpx.Client(
                    timeout=self.timeout, transport=self.transport, follow_redirects=True
                )
            return self._shared

    def files(self, name: str, version: str) -> list[DistFile]:
        """The files of one release, as the index lists them (one page read per scan)."""
        key = canonicalize_name(name)
        if key not in self._listings:
            self._listings[key] = self._listing(key)
        return [f for f in self._listings[key] if str(version_of(f.filename)) == version]

    def wheel_or_sdist(self, name: str, version: str) -> Path:
        files = [f for f in self.files(name, version) if not f.yanked] or self.files(name, version)
        if not files:
            raise DistributionError(f"{name} {version}: the index lists no files")
        ranked = sorted(files, key=lambda f: (not f.is_pure_wheel, not f.is_wheel, f.filename))
        return self.fetch(ranked[0])

    def sdist(self, name: str, version: str) -> Path | None:
        for entry in self.files(name, version):
            if entry.filename.endswith((".tar.gz", ".zip")):
                return self.fetch(entry)
        return None

    def fetch(self, entry: DistFile) -> Path:
        if not entry.sha256:
            raise DistributionError(f"{entry.filename}: the index gives no sha256 to check")
        target = self.cache_dir / "files" / entry.sha256[:2] / entry.sha256 / entry.filename
        if target.is_file():
            return target
        data = self._download(entry)
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry.sha256:
            raise DistributionError(
                f"{entry.filename}: sha256 {digest} does not match the index's {entry.sha256}"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
        return target

    def _download(self, entry: DistFile) -> bytes:
        client = self._client()
        for attempt in range(RETRIES + 1):
            try:
                with client.stream("GET", entry.url) as response:
                    if response.status_code == 200:
                        return _bounded_body(entry, response)
                    if response.status_code < 500 or attempt == RETRIES:
                        raise DistributionError(
                            f"{entry.filename}: the index answered HTTP {response.status_code}"
                        )
            except httpx.HTTPError as exc:
                if attempt == RETRIES:
                    raise DistributionError(
                        f"{entry.filename}: download failed: {exc or type(exc).__name__}"
                    ) from exc
        raise DistributionError(f"{entry.filename}: download failed")

    def _listing(self, name: str) -> list[DistFile]:
        url = f"{self.index_url}/{canonicalize_name(name)}/"
        cached = self.pages.get(url)
        if cached is not None and cached.fresh():
            return _from_listing(cached.body)
        headers = {"Accept": ACCEPT, **(cached.validators() if cached else {})}
        try:
            response = self._client().get(url, headers=headers)
        except httpx.HTTPError as exc:
            if cached is not None:
                return _from_listing(cached.body)
            raise DistributionError(f"cannot reach the index at {url}: {exc}") from exc
        if response.status_code == 304 and cached is not None:
            body = cached.body
        elif response.status_code == 200:
            body = _to_listing(url, response.content)
        else:
            raise DistributionError(f"{url} answered HTTP {response.status_code}")
        self.pages.put(url, CachedResponse.from_response(response, body))
        return _from_listing(body)


def _bounded_body(entry: DistFile, response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_DOWNLOAD:
            raise DistributionError(f"{entry.filename}: larger than {MAX_DOWNLOAD} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _to_listing(page_url: str, content: bytes) -> bytes:
    """The file list of a PEP 691 page, with absolute URLs, as the cache keeps it."""
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise DistributionError(f"{page_url} is not PEP 691 JSON: {exc}") from exc
    entries = document.get("files") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise DistributionError(f"{page_url} has no 'files' list")
    files = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        filename, url = entry.get("filename"), entry.get("url")
        if not isinstance(filename, str) or not isinstance(url, str):
            continue
        hashes = entry.get("hashes")
        if not isinstance(hashes, dict):
            hashes = {}
        files.append(
            [
                filename,
                urljoin(page_url, url),
                str(hashes.get("sha256", "")),
                bool(entry.get("yanked")),
            ]
        )
    return orjson.dumps(files)


def _from_listing(body: bytes) -> list[DistFile]:
    return [DistFile(f, u, s, y) for f, u, s, y in orjson.loads(body)]
