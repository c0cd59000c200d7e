"""The emulator's recorded index serves distribution files next to the project pages."""

from __future__ import annotations

import hashlib
import json

from fastapi.testclient import TestClient

from app.emulator import Emulator
from tests.support import INDEX_FIXTURES
from tests.support.harness import app_keys


def test_pages_point_at_served_files(tmp_path) -> None:
    emulator = Emulator(tmp_path, app_keys().public_pem, index_dir=INDEX_FIXTURES)
    client = TestClient(emulator.app)
    page = client.get("/simple/jinja2/")
    entry = next(
        e for e in json.loads(page.content)["files"] if e["filename"].startswith("jinja2-3.1.6-")
    )
    assert entry["url"] == "/files/jinja2-3.1.6-py3-none-any.whl"
    served = client.get(entry["url"])
    assert served.status_code == 200
    assert hashlib.sha256(served.content).hexdigest() == entry["hashes"]["sha256"]
    assert client.get("/files/jinja2-3.1.5-py3-none-any.whl").status_code == 404
    assert client.get("/files/..%2Fjinja2.json").status_code == 404
