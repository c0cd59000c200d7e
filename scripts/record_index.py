"""Record PEP 691 project pages from the live index into fixtures/index/ for offline tests.

Usage: python scripts/record_index.py NAME [NAME ...]
       python scripts/record_index.py --files NAME==VERSION[+sdist] [...]

``--files`` downloads the wheel (and with ``+sdist`` the sdist) of a release that the recorded
page lists into fixtures/index/files/, checked against the page's sha256; the test index
serves them (API diffs, release notes, lock files).

Each page is trimmed to at most two files per version (the sdist and one wheel) to keep the
fixtures small; versions, upload times, yanked flags, requires-python and hashes are kept as
served.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from app.index.client import ACCEPT, default_index_url
from app.index.parse import version_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "index"
FILES = FIXTURES / "files"


def trimmed(document: dict[str, Any]) -> dict[str, Any]:
    per_version: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in document["files"]:
        version = version_of(entry["filename"])
        if version is None:
            continue
        kept = per_version[str(version)]
        is_sdist = not entry["filename"].endswith(".whl")
        if len(kept) < 2 and (is_sdist or not any(e["filename"].endswith(".whl") for e in kept)):
            kept.append(entry)
    files = [entry for entries in per_version.values() for entry in entries]
    keys = ("filename", "url", "hashes", "requires-python", "yanked", "upload-time", "size")
    return {
        "meta": document["meta"],
        "name": document["name"],
        "versions": document.get("versions", []),
        "files": [{k: e[k] for k in keys if k in e} for e in files],
    }


def main(names: list[str]) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        for name in names:
            url = f"{default_index_url().rstrip('/')}/{name}/"
            response = client.get(url, headers={"Accept": ACCEPT})
            response.raise_for_status()
            path = FIXTURES / f"{name}.json"
            path.write_text(json.dumps(trimmed(response.json()), indent=0) + "\n")
            print(f"{name}: {path.stat().st_size} bytes")


def record_files(requests: list[str]) -> None:
    FILES.mkdir(parents=True, exist_ok=True)
    with httpx.Client(timeout=60, follow_redirects=True) as client:
        for request in requests:
            spec, _, extra = request.partition("+")
            name, _, version = spec.partition("==")
            page = json.loads((FIXTURES / f"{name}.json").read_text())
            for entry in page["files"]:
                if str(version_of(entry["filename"])) != version:
                    continue
                if not entry["filename"].endswith(".whl") and extra != "sdist":
                    continue
                data = client.get(entry["url"]).raise_for_status().content
                if hashlib.sha256(data).hexdigest() != entry["hashes"]["sha256"]:
                    raise SystemExit(f"{entry['filename']}: sha256 mismatch")
                (FILES / entry["filename"]).write_bytes(data)
                print(f"{entry['filename']}: {len(data)} bytes")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--files"]:
        record_files(sys.argv[2:])
    else:
        main(sys.argv[1:])
