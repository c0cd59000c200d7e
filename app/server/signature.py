"""Webhook signature checks (pure: bytes in, verdict out)."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: bytes, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body`."""
    return PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def valid_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """Constant-time comparison of the header with the body's HMAC-SHA256."""
    if not header or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode())


def same_secret(expected: bytes, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected, given.encode())
