"""The pause between content-creating requests (a githubkit throttler)."""

from __future__ import annotations

import time

import httpx

from app.github.pacing import WritePacing


def timed(pacing: WritePacing, method: str, url: str) -> float:
    started = time.monotonic()
    with pacing.acquire(httpx.Request(method, url)):
        pass
    return time.monotonic() - started


def test_writes_wait_reads_and_token_requests_do_not() -> None:
    pacing = WritePacing(0.2, "/api/v3")
    base = "https://ghe.example/api/v3"
    assert timed(pacing, "POST", f"{base}/repos/o/r/pulls") < 0.1  # the first write is free
    assert timed(pacing, "GET", f"{base}/repos/o/r") < 0.1
    assert timed(pacing, "POST", f"{base}/app/installations/1/access_tokens") < 0.1
    assert timed(pacing, "PATCH", f"{base}/repos/o/r/pulls/1") >= 0.15
    assert timed(pacing, "DELETE", f"{base}/repos/o/r/git/refs/heads/x") >= 0.15
