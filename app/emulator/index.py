"""The recorded package index as the emulator and the tests' index server serve it."""

from __future__ import annotations

import json
from pathlib import Path


def local_file_urls(page: bytes, files: Path) -> bytes:
    """The recorded page with the URLs of files recorded next to it pointing at ``/files/``."""
    if not files.is_dir():
        return page
    document = json.loads(page)
    for entry in document.get("files", []):
        if (files / entry["filename"]).is_file():
            entry["url"] = f"/files/{entry['filename']}"
    return json.dumps(document).encode()
