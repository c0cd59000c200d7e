"""A real uvicorn server on 127.0.0.1 (random port) in a thread, and signed deliveries."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from app.server.signature import sign

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = ROOT / "fixtures" / "github-payloads"
SECRET = "hook-secret-7f3a9c"
TICK_SECRET = "tick-secret-1b2c3d"


def payload_files() -> list[Path]:
    return sorted(p for p in PAYLOADS.rglob("*.json"))


def event_of(path: Path) -> str:
    return path.relative_to(PAYLOADS).parts[0]


def load(event: str, name: str) -> dict[str, Any]:
    data = json.loads((PAYLOADS / event / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted ones
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def headers(
    event: str, body: bytes, secret: str = SECRET, delivery: str | None = None
) -> dict[str, str]:
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(secret.encode(), body),
        "Content-Type": "application/json",
    }


def deliver(
    client: httpx.Client,
    event: str,
    payload: Mapping[str, Any] | bytes,
    *,
    secret: str = SECRET,
    delivery: str | None = None,
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        "/webhooks/github", content=body, headers=headers(event, body, secret, delivery)
    )
