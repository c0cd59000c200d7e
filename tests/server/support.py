"""The webhook server on a real uvicorn server in a thread, and signed deliveries."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from app.emulator.server import ServerThread
from app.server.signature import sign
from app.settings import Settings

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
    """The app on a real uvicorn server on 127.0.0.1 (a free port); yields the base URL."""
    with ServerThread(app) as server:
        yield server.url


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


class RecordingReplies:
    def __init__(self) -> None:
        self.comments: list[tuple[int, str, int, str]] = []

    def comment(self, installation_id: int, repository: str, number: int, body: str) -> None:
        self.comments.append((installation_id, repository, number, body))


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "webhook_secret": SecretStr(SECRET),
        "tick_secret": SecretStr(TICK_SECRET),
        "workers": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
