"""Resolve the newest versions of 100 real packages against the live index.

Three runs in one process: a one-request-at-a-time baseline (no cache), our concurrent client
cold (empty cache), and warm (same cache: fresh entries cost nothing, stale ones are
revalidated with conditional requests). A fourth run forces every entry stale to time the
conditional-request path alone.

The index mirror this machine reaches answers in a few milliseconds, so the baseline is mostly
JSON decoding, not waiting. A second section replays the same 100 pages from a local server
that adds a fixed per-request latency (default 80 ms, a typical WAN round trip to PyPI) to show
what concurrency buys where the network, not the CPU, dominates.

    .venv/bin/python benchmarks/index_lookup.py
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from app.index.cache import HttpCache
from app.index.client import ACCEPT, SimpleIndex, default_index_url
from app.index.model import Project

PACKAGES = [
    "boto3",
    "botocore",
    "urllib3",
    "requests",
    "setuptools",
    "certifi",
    "charset-normalizer",
    "idna",
    "typing-extensions",
    "python-dateutil",
    "packaging",
    "s3transfer",
    "six",
    "aiobotocore",
    "pyyaml",
    "numpy",
    "fsspec",
    "s3fs",
    "grpcio-status",
    "pip",
    "cryptography",
    "pydantic",
    "cffi",
    "attrs",
    "pycparser",
    "pandas",
    "importlib-metadata",
    "protobuf",
    "jmespath",
    "rsa",
    "zipp",
    "click",
    "pyasn1",
    "markupsafe",
    "platformdirs",
    "pydantic-core",
    "jinja2",
    "wheel",
    "pytz",
    "colorama",
    "filelock",
    "awscli",
    "tomli",
    "pluggy",
    "cachetools",
    "virtualenv",
    "google-api-core",
    "pyjwt",
    "pytest",
    "wrapt",
    "jsonschema",
    "psutil",
    "pyasn1-modules",
    "tzdata",
    "googleapis-common-protos",
    "sqlalchemy",
    "iniconfig",
    "aiohttp",
    "exceptiongroup",
    "pyparsing",
    "multidict",
    "yarl",
    "annotated-types",
    "frozenlist",
    "requests-oauthlib",
    "oauthlib",
    "docutils",
    "soupsieve",
    "greenlet",
    "beautifulsoup4",
    "pygments",
    "tqdm",
    "openpyxl",
    "grpcio",
    "pillow",
    "aiosignal",
    "werkzeug",
    "async-timeout",
    "decorator",
    "isodate",
    "tomlkit",
    "distlib",
    "more-itertools",
    "flask",
    "scipy",
    "h11",
    "httpx",
    "httpcore",
    "anyio",
    "sniffio",
    "lxml",
    "rich",
    "markdown-it-py",
    "mdurl",
    "django",
    "regex",
    "babel",
    "gunicorn",
    "redis",
    "websockets",
]


def timed(index: SimpleIndex) -> tuple[float, int]:
    start = time.perf_counter()
    projects = index.fetch(PACKAGES)
    elapsed = time.perf_counter() - start
    return elapsed, sum(isinstance(p, Project) and bool(p.releases) for p in projects.values())


def expire(cache_dir: Path) -> None:
    for entry in cache_dir.rglob("*.json"):
        record = json.loads(entry.read_text())
        record["expires_at"] = 0
        entry.write_text(json.dumps(record))


@contextmanager
def replay(pages: dict[str, bytes], latency: float) -> Iterator[str]:
    """Serve recorded pages on loopback, each answer delayed by ``latency`` seconds."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            time.sleep(latency)
            body = pages.get(self.path.strip("/").split("/")[-1])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", ACCEPT)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    finally:
        server.shutdown()
        server.server_close()


def with_latency(latency: float) -> None:
    with httpx.Client(timeout=60) as client:
        index = default_index_url().rstrip("/")
        pages = {
            name: client.get(f"{index}/{name}/", headers={"Accept": ACCEPT}).content
            for name in PACKAGES
        }
    with replay(pages, latency) as url:
        sequential, _ = timed(SimpleIndex(url, concurrency=1))
        concurrent, _ = timed(SimpleIndex(url))
    print(f"\nsame pages replayed on loopback with {latency * 1000:.0f} ms per request:")
    print(f"sequential baseline:          {sequential:7.2f} s")
    print(f"concurrent, cold cache:       {concurrent:7.2f} s  ({concurrent / sequential:.3f}x)")


def main() -> None:
    assert len(PACKAGES) == 100, len(PACKAGES)
    with tempfile.TemporaryDirectory() as scratch:
        cache_dir = Path(scratch)
        sequential, found = timed(SimpleIndex(concurrency=1))
        cold, _ = timed(SimpleIndex(cache=HttpCache(cache_dir)))
        warm, _ = timed(SimpleIndex(cache=HttpCache(cache_dir)))
        expire(cache_dir)
        revalidated, _ = timed(SimpleIndex(cache=HttpCache(cache_dir)))
    print(f"packages resolved:            {found}/100")
    print(f"sequential baseline:          {sequential:7.2f} s")
    print(f"concurrent, cold cache:       {cold:7.2f} s  ({cold / sequential:.3f}x baseline)")
    print(f"warm cache (fresh entries):   {warm:7.3f} s")
    print(f"warm cache, all revalidated:  {revalidated:7.3f} s  (conditional requests, 304s)")
    print(
        f"targets: cold <= 0.2x baseline: {'met' if cold <= 0.2 * sequential else 'MISSED'}; "
        f"warm <= 0.5 s: {'met' if warm <= 0.5 else 'MISSED'}"
    )
    with_latency(0.08)


if __name__ == "__main__":
    main()
