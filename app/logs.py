"""Logging set-up that keeps secrets out of every line, whatever a message or traceback holds."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from app.settings import Settings

REDACTED = "[redacted]"
# GitHub tokens (installation ghs_, user ghu_/gho_, PAT ghp_/github_pat_), JWTs and PEM keys.
PATTERNS = (
    re.compile(r"\b(?:gh[opsur]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"(?<=://)[^/@\s:]+:[^/@\s]+(?=@)"),  # user:password@ in URLs
)


def secrets_of(settings: Settings) -> list[str]:
    values = [settings.webhook_secret, settings.tick_secret, settings.private_key]
    values += [settings.metrics_token]
    values += [settings.database_url, settings.redis_url]
    return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for pattern in PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = tuple(sorted(secrets, key=len, reverse=True))

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def configure_logging(settings: Settings, stream_handler: logging.Handler | None = None) -> None:
    """One root handler whose every formatted line (tracebacks included) is redacted."""
    handler = stream_handler or logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets_of(settings))
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "huey"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
