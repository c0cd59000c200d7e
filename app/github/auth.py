"""App authentication: a short-lived RS256 JWT from the private key, and installation tokens
cached until shortly before they expire."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import jwt
from pydantic import SecretStr

from app.github.errors import AuthError

Clock = Callable[[], float]

JWT_LIFETIME = 540  # GitHub accepts at most 10 minutes
CLOCK_SKEW = 60  # issued in the past, as GitHub recommends, to absorb clock drift
REFRESH_MARGIN = 120  # refresh a token this many seconds before GitHub expires it


@dataclass(frozen=True)
class InstallationToken:
    value: SecretStr
    expires_at: float

    def usable(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        return now < self.expires_at - margin


class AppCredentials:
    """The App id and its private key; only `jwt()` ever sees the key."""

    def __init__(self, app_id: int, private_key: SecretStr, clock: Clock = time.time) -> None:
        self.app_id = app_id
        self._key = private_key
        self._clock = clock

    def __repr__(self) -> str:
        return f"AppCredentials(app_id={self.app_id})"

    def jwt(self) -> str:
        now = int(self._clock())
        claims = {"iat": now - CLOCK_SKEW, "exp": now + JWT_LIFETIME, "iss": str(self.app_id)}
        try:
            return jwt.encode(claims, self._key.get_secret_value(), algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            # The library's message may quote the key material: keep only the type.
            raise AuthError(f"cannot sign the App JWT: {type(exc).__name__}") from None


Fetch = Callable[[int], tuple[str, str]]
"""Asks GitHub for a new token of an installation: returns (token, expires_at ISO 8601)."""


class TokenCache:
    """Installation tokens by installation id, thread-safe, refreshed ahead of expiry."""

    def __init__(self, fetch: Fetch, clock: Clock = time.time) -> None:
        self._fetch = fetch
        self._clock = clock
        self._tokens: dict[int, InstallationToken] = {}
        self._lock = threading.Lock()

    def token(self, installation_id: int) -> SecretStr:
        with self._lock:
            cached = self._tokens.get(installation_id)
            if cached is not None and cached.usable(self._clock()):
                return cached.value
            value, expires_at = self._fetch(installation_id)
            token = InstallationToken(SecretStr(value), parse_time(expires_at))
            self._tokens[installation_id] = token
            return token.value

    def invalidate(self, installation_id: int) -> None:
        with self._lock:
            self._tokens.pop(installation_id, None)


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
