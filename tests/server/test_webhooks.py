"""POST /webhooks/github, /ticks and /healthz through a real HTTP server on loopback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.server import MAX_BODY, TICK_HEADER, create_app
from app.service.wiring import Services
from app.store import JobKind, JobStatus
from tests.server.support import (
    PAYLOADS,
    SECRET,
    TICK_SECRET,
    deliver,
    event_of,
    headers,
    live_server,
    payload_files,
)


def test_every_recorded_payload_is_accepted_when_signed(
    client: httpx.Client, services: Services
) -> None:
    files = payload_files()
    assert len(files) >= 90
    accepted = 0
    for path in files:
        body = path.read_bytes()
        response = deliver(client, event_of(path), body)
        expected = 200 if event_of(path) == "ping" else 202
        assert response.status_code == expected, (path.relative_to(PAYLOADS), response.text)
        accepted += expected == 202
    assert services.queue.pending() == accepted
    assert services.store.job_count(JobStatus.QUEUED) == accepted
    assert services.store.delivery_count() == accepted


def test_every_recorded_payload_is_refused_with_a_wrong_signature(
    client: httpx.Client, services: Services
) -> None:
    for path in payload_files():
        response = deliver(client, event_of(path), path.read_bytes(), secret="not-the-secret")
        assert response.status_code == 401, path
    assert services.queue.pending() == 0
    assert services.store.delivery_count() == 0


def test_signature_missing_or_malformed(client: httpx.Client) -> None:
    body = b'{"action": "created"}'
    good = headers("issue_comment", body)
    for broken in ({}, {"X-Hub-Signature-256": "sha1=abc"}, {"X-Hub-Signature-256": "sha256="}):
        sent = {k: v for k, v in good.items() if k != "X-Hub-Signature-256"} | broken
        assert client.post("/webhooks/github", content=body, headers=sent).status_code == 401
    # the signature covers the exact bytes: re-serialised JSON no longer matches
    tampered = b'{"action":"created"}'
    assert client.post("/webhooks/github", content=tampered, headers=good).status_code == 401


def test_bad_json_and_missing_headers_are_400(client: httpx.Client, services: Services) -> None:
    for body in (b"{not json", b"[1, 2]", b"\xff\xfe", b""):
        response = deliver(client, "push", body)
        assert response.status_code == 400, body
    body = b'{"zen": "x"}'
    for missing in ("X-GitHub-Event", "X-GitHub-Delivery"):
        sent = {k: v for k, v in headers("push", body).items() if k != missing}
        response = client.post("/webhooks/github", content=body, headers=sent)
        assert response.status_code == 400
        assert missing in response.json()["error"]
    assert services.queue.pending() == 0


def test_oversize_bodies_are_413(client: httpx.Client, services: Services) -> None:
    # A declared length over the limit is refused before the body is read.
    host, port = client.base_url.host, client.base_url.port
    lines = [f"{k}: {v}" for k, v in headers("push", b"{}").items()]
    request = "\r\n".join(
        [
            "POST /webhooks/github HTTP/1.1",
            f"Host: {host}",
            *lines,
            f"Content-Length: {MAX_BODY + 1}",
            "",
            "",
        ]
    ).encode()
    with socket.create_connection((host, port or 80), timeout=10) as raw:
        raw.sendall(request + b"{}")
        assert raw.recv(100).startswith(b"HTTP/1.1 413")

    def chunks() -> Iterator[bytes]:  # streamed without Content-Length
        block = b" " * (1024 * 1024)
        for _ in range(26):
            yield block

    sent = {k: v for k, v in headers("push", b"{}").items()}
    response = client.post("/webhooks/github", content=chunks(), headers=sent)
    assert response.status_code == 413
    assert services.queue.pending() == 0


def test_a_body_just_under_the_limit_is_read_whole(services: Services) -> None:
    app = create_app(SecretStr(SECRET), services.queue, max_body=4096)
    body = json.dumps({"action": "x", "pad": "y" * 3000}).encode()
    with live_server(app) as url, httpx.Client(base_url=url) as http:
        assert deliver(http, "push", body).status_code == 202
        assert deliver(http, "push", body + b" " * 2000).status_code == 413


def test_redelivery_is_answered_200_and_not_queued_again(
    client: httpx.Client, services: Services
) -> None:
    body = (PAYLOADS / "push" / "payload.json").read_bytes()
    first = deliver(client, "push", body, delivery="d-42")
    again = deliver(client, "push", body, delivery="d-42")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["status"] == "duplicate"
    assert services.queue.pending() == 1
    assert services.store.job_count() == 1


def test_ping_is_200_and_queues_nothing(client: httpx.Client, services: Services) -> None:
    response = deliver(client, "ping", (PAYLOADS / "ping" / "payload.json").read_bytes())
    assert response.status_code == 200
    assert services.queue.pending() == 0


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ticks_need_the_shared_secret(client: httpx.Client, services: Services) -> None:
    assert client.post("/ticks").status_code == 401
    assert client.post("/ticks", headers={TICK_HEADER: "wrong"}).status_code == 401
    assert services.queue.pending() == 0
    response = client.post("/ticks", headers={TICK_HEADER: TICK_SECRET})
    assert response.status_code == 202
    job = services.store.job(response.json()["job"])
    assert job is not None and job.kind == JobKind.TICK
    assert services.queue.pending() == 1


def test_ticks_are_off_without_a_tick_secret(services: Services) -> None:
    app = create_app(SecretStr(SECRET), services.queue, None)
    with live_server(app) as url, httpx.Client(base_url=url) as http:
        response = http.post("/ticks", headers={TICK_HEADER: ""})
        assert response.status_code == 404
        assert "MAINTAINER_TICK_SECRET" in response.json()["error"]


def test_empty_webhook_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        create_app(SecretStr(""), None)  # type: ignore[arg-type]


def test_fixture_copy_carries_its_licence() -> None:
    assert (PAYLOADS / "LICENSE").read_text().startswith("The MIT License")
    assert Path(PAYLOADS).is_dir()


def test_concurrent_copies_of_one_delivery_are_queued_once(
    client: httpx.Client, services: Services
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = (PAYLOADS / "push" / "payload.json").read_bytes()
    base = str(client.base_url)

    def send(_: int) -> int:
        with httpx.Client(base_url=base) as own:
            return deliver(own, "push", body, delivery="same-id").status_code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(send, range(32)))
    assert sorted(codes) == [200] * 31 + [202]
    assert services.queue.pending() == 1 and services.store.job_count() == 1


def test_a_large_delivery_is_verified_and_parsed_off_the_loop(
    client: httpx.Client, services: Services
) -> None:
    body = json.dumps({"action": "edited", "pad": "x" * (2 * 1024 * 1024)}).encode()
    assert deliver(client, "issues", body).status_code == 202
    assert deliver(client, "issues", body, secret="wrong").status_code == 401
    assert deliver(client, "issues", b"[" + body + b"]").status_code == 400
    [job] = services.store.jobs()
    delivery = services.store.delivery(job.delivery_id or "")
    assert delivery is not None and delivery.action == "edited" and delivery.body == body


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1_000 + b"]" * 1_000,  # an array 1,000 levels deep
        b'{"a": ' * 5_000 + b"1" + b"}" * 5_000,  # objects 5,000 levels deep
        b'{"action": "created", "n": ' + b"7" * 5_000 + b"}",  # a 5,000-digit integer
        b'{"action": "created", "x": ' + b"[" * 200 + b"]" * 200 + b"}",  # deeper than any event
        b'{"action": "created", "x": NaN}',  # not JSON, though Python reads it
    ],
    ids=["deep-array", "deep-object", "huge-integer", "too-deep", "nan"],
)
def test_signed_bodies_that_cannot_be_parsed_are_400_not_500(
    client: httpx.Client, services: Services, body: bytes
) -> None:
    response = deliver(client, "issue_comment", body)
    assert response.status_code == 400, response.text
    assert "JSON" in response.json()["error"]
    assert services.queue.pending() == 0 and services.store.delivery_count() == 0
