"""Resolve the newest versions of 100 real packages against the live index.

Three runs in one process: a one-request-at-a-time baseline (no cache), our concurrent client
cold (empty cache), and warm (same cache: fresh entries cost nothing, stale ones are
revalidated with conditional requests). A fourth run forces every entry stale to time the
conditional-request path alone.

    .venv/bin/python benchmarks/index_lookup.py
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from app.index.cache import HttpCache
from app.index.client import SimpleIndex
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


if __name__ == "__main__":
    main()
