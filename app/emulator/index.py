"""The recorded package index as the emulator and the tests' index server serve it."""

from __future__ import annotations

import json


def local_file_urls(page: bytes) -> bytes:
    """The recorded page with every file URL pointing at ``/files/`` of the same server.

    The recorded index is self-contained: files recorded under ``files/`` are served, others
    answer 404 (never a download from the live index).
    """
    document = json.loads(page)
    for entry in document.get("files", []):
        entry["url"] = f"/files/{entry['filename']}"
    return json.dumps(document).encode()
