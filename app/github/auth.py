"""App authentication: githubkit's App JWT strategy for `/app/...`, and installation tokens held
in ONE cache of ours, refreshed ahead of expiry and after GitHub refuses one (401).

githubkit's own installation strategy (`AppInstallationAuthStrategy`) is not used for the
installation token: its cache refreshes only a minute before expiry, keeps a token GitHub
refused, is shared process-wide by default (keyed by App id only) and cannot hand the token to
git for a clone or a push. `TokenCache` does those; githubkit still asks GitHub for each token.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from githubkit import AppAuthStrategy
from githubkit.auth import BaseAuthStrategy
from pydantic import SecretStr

if TYPE_CHECKING:
    from githubkit import GitHubCore

Clock = Callable[[], float]

REFRESH_MARGIN = 120  # refresh a token this many seconds before GitHub expires it


@dataclass(frozen=True)
class InstallationToken:
    value: SecretStr
    expires_at: float

    def usable(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        return now < self.expires_at - margin


class AppJWTStrategy(AppAuthStrategy):
    """githubkit's App strategy (RS256 JWT on `/app/...` routes) without the key in its repr."""

    def __repr__(self) -> str:
        return f"AppJWTStrategy(app_id={self.app_id})"


class AppCredentials:
    """The App id and its private key; only githubkit's JWT signer ever sees the key."""

    def __init__(self, app_id: int, private_key: SecretStr) -> None:
        self.app_id = app_id
        self._key = private_key

    def __repr__(self) -> str:
        return f"AppCredentials(app_id={self.app_id})"

    def strategy(self) -> AppJWTStrategy:
        return AppJWTStrategy(self.app_id, self._key.get_secret_value())


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


class InstallationTokenAuth(httpx.Auth):
    """`Authorization: token ...` from the cache; a 401 drops the token and tries once more."""

    def __init__(self, tokens: TokenCache, installation_id: int) -> None:
        self._tokens = tokens
        self._id = installation_id

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header()
        response = yield request
        if response.status_code == 401:
            self._tokens.invalidate(self._id)
            request.headers["Authorization"] = self._header()
            yield request

    def _header(self) -> str:
        return f"token {self._tokens.token(self._id).get_secret_value()}"


@dataclass(frozen=True)
class InstallationTokenStrategy(BaseAuthStrategy):
    """githubkit auth strategy: act as one installation with a token from `TokenCache`."""

    tokens: TokenCache
    installation_id: int

    def get_auth_flow(self, github: GitHubCore[Any]) -> httpx.Auth:
        return InstallationTokenAuth(self.tokens, self.installation_id)
