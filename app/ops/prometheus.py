"""Prometheus' HTTP API (``/api/v1/query_range``, ``/api/v1/query``): bounded, clear errors.

The address and the credentials are service settings (``MAINTAINER_PROMETHEUS_*``) or the
``--prometheus`` flag of a local run; a repository only names queries. Every failure is one
``PrometheusError`` whose message says what went wrong without the credentials: unreachable,
refused credentials, a rejected query (with Prometheus' own parse error), a response that is not
the API's JSON, or one over ``MAX_RESPONSE_BYTES``.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson

from app.settings import Settings

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""A bigger answer is refused (4 weeks at a 10-minute step is about 4,000 points: ~150 KB)."""
MAX_SERIES = 20
"""A monitor's query must come down to one series; more than this is refused while reading."""
MAX_POINTS_PER_SERIES = 11_000
"""Prometheus' own cap on points per series in a range query."""
TARGET_POINTS = 4_032
"""Range queries ask for about this many points: a 10-minute step over 4 weeks."""
TIMEOUT_SECONDS = 30.0


class PrometheusError(Exception):
    """Prometheus could not answer; the message is safe to show (no credentials)."""


class PrometheusUnavailable(PrometheusError):
    """No query can succeed: unreachable, credentials refused, or not Prometheus at that URL."""


@dataclass(frozen=True)
class Series:
    labels: Mapping[str, str]
    samples: tuple[tuple[float, float], ...]
    """(unix seconds, value), in time order; NaN and infinite values are left out."""


@dataclass(frozen=True)
class Auth:
    token: str | None = None
    username: str | None = None
    password: str | None = None


def settings_auth(settings: Settings) -> Auth:
    """The Prometheus credentials of the service settings (`MAINTAINER_PROMETHEUS_TOKEN`, else
    `MAINTAINER_PROMETHEUS_USERNAME` / `_PASSWORD`)."""
    return Auth(
        token=settings.prometheus_token.get_secret_value() if settings.prometheus_token else None,
        username=settings.prometheus_username,
        password=(
            settings.prometheus_password.get_secret_value()
            if settings.prometheus_password
            else None
        ),
    )


def check_url(url: str) -> str:
    """``url`` without a trailing slash when it is an http(s) URL with a host and no query,
    fragment or embedded credentials (those go in the settings); ``PrometheusError`` otherwise."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError as exc:
        raise PrometheusError(f"not a usable Prometheus URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PrometheusError(
            f"not a usable Prometheus URL: {redact(url)!r} (expected http(s)://host[:port][/path])"
        )
    if parts.username is not None or parts.password is not None:
        raise PrometheusError(
            "the Prometheus URL must not carry credentials: set MAINTAINER_PROMETHEUS_TOKEN or "
            "MAINTAINER_PROMETHEUS_USERNAME/PASSWORD"
        )
    if parts.query or parts.fragment:
        raise PrometheusError(
            f"the Prometheus URL must not have a query or fragment: {redact(url)!r}?…"
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def redact(url: str) -> str:
    """``url`` with any user information removed (for messages)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparsable URL)"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def range_step(window: datetime.timedelta, target_points: int = TARGET_POINTS) -> int:
    """The step in whole seconds (a multiple of a minute, at least 15 s) that covers ``window``
    with about ``target_points`` points and never more than Prometheus allows."""
    seconds = window.total_seconds()
    if seconds <= 0:
        raise ValueError("the window must be positive")
    step = max(15, math.ceil(seconds / target_points))
    if step >= 60:
        step = math.ceil(step / 60) * 60
    while seconds / step + 1 > MAX_POINTS_PER_SERIES:
        step += 60
    return step


class PrometheusClient:
    """A small synchronous client; ``transport`` lets a test hand in an ``httpx`` mock."""

    def __init__(
        self,
        url: str,
        auth: Auth | None = None,
        *,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_RESPONSE_BYTES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = check_url(url)
        self.max_bytes = max_bytes
        headers = {"Accept": "application/json", "User-Agent": "maintainer-bot"}
        basic: tuple[str, str] | None = None
        if auth is not None and auth.token:
            headers["Authorization"] = f"Bearer {auth.token}"
        elif auth is not None and auth.username is not None:
            basic = (auth.username, auth.password or "")
        self._client = httpx.Client(
            headers=headers,
            auth=basic,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def query_range(
        self, query: str, start: datetime.datetime, end: datetime.datetime, step: int
    ) -> list[Series]:
        """The matrix ``query`` gives from ``start`` to ``end`` every ``step`` seconds."""
        if end <= start:
            raise ValueError("end must be after start")
        params = {
            "query": query,
            "start": _timestamp(start),
            "end": _timestamp(end),
            "step": str(step),
        }
        data = self._get("/api/v1/query_range", params)
        if data.get("resultType") != "matrix":
            raise PrometheusError(
                f"expected a matrix, Prometheus answered {data.get('resultType')}"
            )
        return [_series(item, "values") for item in _result(data)]

    def query(self, query: str, at: datetime.datetime) -> list[Series]:
        """The instant vector (or scalar) ``query`` gives at ``at``, one sample per series."""
        data = self._get("/api/v1/query", {"query": query, "time": _timestamp(at)})
        kind = data.get("resultType")
        if kind == "scalar":
            return [_series({"metric": {}, "value": data.get("result")}, "value")]
        if kind != "vector":
            raise PrometheusError(f"expected a vector, Prometheus answered {kind}")
        return [_series(item, "value") for item in _result(data)]

    def _get(self, path: str, params: Mapping[str, str]) -> Mapping[str, Any]:
        where = redact(self.url)
        try:
            with self._client.stream("GET", self.url + path, params=params) as response:
                length = response.headers.get("content-length")
                if length is not None and length.isdigit() and int(length) > self.max_bytes:
                    raise self._too_big()
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > self.max_bytes:
                        raise self._too_big()
                status = response.status_code
        except httpx.TimeoutException:
            raise PrometheusUnavailable(f"Prometheus at {where} did not answer in time") from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise PrometheusUnavailable(f"cannot reach Prometheus at {where}: {reason}") from None
        if status in (401, 403):
            raise PrometheusUnavailable(
                f"Prometheus at {where} refused the credentials (HTTP {status}): check "
                "MAINTAINER_PROMETHEUS_TOKEN or MAINTAINER_PROMETHEUS_USERNAME/PASSWORD"
            )
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            document = None
        if not isinstance(document, dict) or "status" not in document:
            raise PrometheusUnavailable(
                f"{where}{path} answered HTTP {status} without Prometheus' JSON: is this "
                "the Prometheus base URL?"
            )
        if document["status"] != "success":
            kind = str(document.get("errorType", "error"))[:40]
            message = str(document.get("error", "no message"))[:500]
            if kind == "bad_data":
                raise PrometheusError(f"Prometheus rejected the query: {message}")
            raise PrometheusError(f"Prometheus failed the query ({kind}, HTTP {status}): {message}")
        data = document.get("data")
        if not isinstance(data, dict):
            raise PrometheusError("Prometheus answered without data")
        return data

    def _too_big(self) -> PrometheusError:
        return PrometheusError(
            f"Prometheus' answer is over {self.max_bytes} bytes: narrow the query to one series"
        )


def _timestamp(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return f"{moment.timestamp():.3f}"


def _result(data: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    result = data.get("result")
    if not isinstance(result, list):
        raise PrometheusError("Prometheus answered without a result list")
    if len(result) > MAX_SERIES:
        raise PrometheusError(
            f"the query returns {len(result)} series, more than {MAX_SERIES}: aggregate it"
        )
    if not all(isinstance(item, dict) for item in result):
        raise PrometheusError("Prometheus answered a malformed result")
    return result


def _series(item: Mapping[str, Any], key: str) -> Series:
    raw_labels = item.get("metric") or {}
    if not isinstance(raw_labels, dict):
        raise PrometheusError("Prometheus answered malformed labels")
    labels = {str(k)[:200]: str(v)[:200] for k, v in list(raw_labels.items())[:64]}
    raw = item.get(key)
    pairs = [raw] if key == "value" else raw
    if not isinstance(pairs, list) or len(pairs) > MAX_POINTS_PER_SERIES:
        raise PrometheusError("Prometheus answered malformed or too many samples")
    samples: list[tuple[float, float]] = []
    for pair in pairs:
        try:
            moment, text = float(pair[0]), float(pair[1])
        except (TypeError, ValueError, IndexError):
            raise PrometheusError("Prometheus answered a malformed sample") from None
        if math.isfinite(text) and math.isfinite(moment):
            samples.append((moment, text))
    return Series(labels, tuple(samples))
