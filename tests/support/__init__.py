"""Test helpers: real git repositories from fixture trees, and a local package index server."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.emulator.index import local_file_urls
from tests.support.local_server import QuietHandler, serving

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
INDEX_FIXTURES = FIXTURES / "index"
INDEX_FILES = INDEX_FIXTURES / "files"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    return completed.stdout


def make_repo(target: Path, tree: Path | None = None, files: dict[str, str] | None = None) -> Path:
    """A git repository with one commit holding ``tree`` (copied) and ``files``."""
    target.mkdir(parents=True, exist_ok=True)
    if tree is not None:
        shutil.copytree(tree, target, dirs_exist_ok=True)
    for relative, content in (files or {}).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "initial")
    return target


@dataclass
class IndexServer:
    """A PEP 691 index serving recorded project pages, with ETags and request counting."""

    url: str
    requests: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    mode: str = "normal"
    max_age: int = 0


class _Handler(QuietHandler):
    server_state: IndexServer

    def do_GET(self) -> None:
        state = self.server_state
        state.requests.append(self.path)
        name = self.path.strip("/").split("/")[-1]
        if self.path.startswith("/files/"):
            self._file(name)
            return
        if state.mode == "garbage":
            self._send(200, b"<html>not json</html>", "application/vnd.pypi.simple.v1+json")
            return
        if state.mode == "error":
            self._send(503, b"down", "text/plain")
            return
        page = INDEX_FIXTURES / f"{name}.json"
        if not page.is_file():
            self._send(404, b"not found", "text/plain")
            return
        body = local_file_urls(page.read_bytes())
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            state.not_modified.append(name)
            self._send(304, b"", None, etag)
            return
        self._send(200, body, "application/vnd.pypi.simple.v1+json", etag)

    def do_HEAD(self) -> None:
        """uv asks for a file's headers first (range support); the body is not sent."""
        self._head = True
        try:
            self.do_GET()
        finally:
            self._head = False

    def _file(self, name: str) -> None:
        path = INDEX_FILES / name
        if "/" in name or not path.is_file():
            self._send(404, b"not found", "text/plain")
            return
        self._send(200, path.read_bytes(), "application/octet-stream")

    def _send(self, status: int, body: bytes, content_type: str | None, etag: str = "") -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Cache-Control", f"max-age={self.server_state.max_age}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not getattr(self, "_head", False):
            self.wfile.write(body)


@contextmanager
def index_server() -> Iterator[IndexServer]:
    state = IndexServer(url="")
    handler = type("Handler", (_Handler,), {"server_state": state})
    with serving(handler) as url:
        state.url = f"{url}/simple"
        yield state


def load_json(text: str) -> dict[str, object]:
    document = json.loads(text)
    assert isinstance(document, dict)
    return document


def modules_loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running ``code`` (lazy-import checks)."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def dated_commit(
    work: Path,
    files: dict[str, str],
    subject: str,
    when: datetime,
    author: str = GIT_ENV["GIT_AUTHOR_NAME"],
) -> None:
    """Write ``files`` and commit them in ``work`` as ``author``, dated ``when``."""
    for relative, text in files.items():
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        (work / relative).write_text(text, encoding="utf-8")
    stamp = when.isoformat()
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    env.update(GIT_AUTHOR_NAME=author, GIT_COMMITTER_NAME=author)
    subprocess.run(["git", "-C", str(work), "add", "-A"], env=env, check=True)
    subprocess.run(["git", "-C", str(work), "commit", "-q", "-m", subject], env=env, check=True)
