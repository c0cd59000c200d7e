"""Service settings, read from `MAINTAINER_*` environment variables (documented in README).

Secrets (keys, webhook and tick secrets, and URLs that may carry passwords) are `SecretStr`, so
they print as `**********` in reprs, logs and tracebacks.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.confinement import ServiceSecurity

ENV_PREFIX = "MAINTAINER_"
MAX_DATABASES_FILE = 1_000_000
PUBLIC_GITHUB_API = "https://api.github.com"


class SettingsError(Exception):
    """A setting is missing or unusable; the message names the `MAINTAINER_*` variable."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "maintainer-bot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    app_id: int | None = Field(default=None, description="The GitHub App's numeric id.")
    app_slug: str = Field(
        default="maintainer-bot", description="The App's slug; its bot user is '<slug>[bot]'."
    )
    private_key: SecretStr | None = Field(default=None, description="The App's PEM private key.")
    private_key_path: Path | None = Field(default=None, description="File holding the PEM key.")
    webhook_secret: SecretStr | None = Field(default=None, description="Webhook HMAC secret.")
    github_url: str = Field(
        default=PUBLIC_GITHUB_API,
        description="REST API base URL (GitHub Enterprise Server: https://HOST/api/v3).",
    )
    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: SecretStr | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in the data dir."
    )
    redis_url: SecretStr | None = Field(
        default=None, description="Use RedisHuey at this URL instead of the SQLite queue."
    )
    queue_path: Path | None = Field(default=None, description="SQLite queue file.")
    queue_name: str = "maintainer"
    workers: int = Field(
        default=2,
        ge=0,
        le=64,
        description="Consumer threads; 0 makes `serve` leave the queue to `maintainer worker`.",
    )
    tick_secret: SecretStr | None = Field(default=None, description="Shared secret for /ticks.")
    alerts_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Alertmanager sends to /alerts/alertmanager (unset: disabled).",
    )
    tick_minutes: int = Field(
        default=15, ge=1, le=1440, description="Period of the internal scheduling tick."
    )
    workspace_dir: Path | None = Field(default=None, description="Clone cache directory.")
    cache_dir: Path | None = Field(
        default=None, description="Root of the analyzers' and the index's caches."
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus sends to /metrics; unset: /metrics answers 404.",
    )
    metrics_dir: Path | None = Field(
        default=None,
        description=(
            "Directory (shared by `serve` and every `worker` of one host or volume) where each "
            "process writes its counters, so /metrics adds up all of them; empty it before "
            "the service starts."
        ),
    )
    job_retries: int = Field(default=4, ge=0, le=20)
    job_retry_delay: float = Field(default=10.0, ge=0, description="Base backoff in seconds.")
    log_level: str = "INFO"
    advisory_db: Path | None = Field(
        default=None,
        description="Directory of OSV records the App audits against (instead of pip-audit).",
    )
    osv_url: str | None = Field(
        default=None, description="OSV API query URL for pip-audit; default: the public OSV."
    )
    prometheus_url: str | None = Field(
        default=None,
        description="Base URL of the Prometheus whose monitors are forecast (http or https).",
    )
    prometheus_token: SecretStr | None = Field(
        default=None, description="Bearer token sent to Prometheus."
    )
    prometheus_username: str | None = Field(
        default=None, description="Basic-auth user for Prometheus (with the password)."
    )
    prometheus_password: SecretStr | None = Field(
        default=None, description="Basic-auth password for Prometheus."
    )

    databases: SecretStr | None = Field(
        default=None,
        description="Application databases for `queries`: a JSON object owner/repo → DSN, or "
        "the path of a file holding one (or lines 'owner/repo DSN').",
    )
    runbook_endpoints: SecretStr | None = Field(
        default=None,
        description="The runbook action endpoints steps may call: a JSON object name → http(s) "
        "URL, or the path of a file holding one. A runbook names an endpoint, never an address.",
    )
    runbook_token: SecretStr | None = Field(
        default=None, description="Bearer token sent to the runbook endpoints."
    )

    def runbook_endpoint_urls(self) -> dict[str, SecretStr]:
        """endpoint name → URL (a secret: it may carry credentials), from the service only."""
        if self.runbook_endpoints is None:
            return {}
        variable = f"{ENV_PREFIX}RUNBOOK_ENDPOINTS"
        value = _text_or_file(variable, self.runbook_endpoints.get_secret_value().strip())
        try:
            loaded = json.loads(value)
        except ValueError:
            raise SettingsError(f"{variable}: not a JSON object") from None
        if not isinstance(loaded, dict):
            raise SettingsError(f"{variable}: not a JSON object")
        found = {}
        for name, url in loaded.items():
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", name):
                raise SettingsError(f"{variable}: {name[:64]!r} is not an endpoint name")
            parts = urlsplit(url) if isinstance(url, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
                raise SettingsError(f"{variable}: the URL of {name} is not an http(s) URL")
            found[name] = SecretStr(url)
        return found

    def repository_databases(self) -> dict[str, SecretStr]:
        """owner/repo (lower case) → the DSN of its application database (never from a repo)."""
        if self.databases is None:
            return {}
        value = _text_or_file(f"{ENV_PREFIX}DATABASES", self.databases.get_secret_value().strip())
        pairs: list[tuple[object, object]]
        if value.startswith("{"):
            try:
                pairs = list(json.loads(value).items())
            except (ValueError, AttributeError):
                raise SettingsError(f"{ENV_PREFIX}DATABASES: not a JSON object") from None
        else:
            pairs = []
            for number, line in enumerate(value.splitlines(), 1):
                if line.strip() and not line.lstrip().startswith("#"):
                    repository, _, dsn = line.strip().partition(" ")
                    if not dsn.strip():
                        raise SettingsError(
                            f"{ENV_PREFIX}DATABASES: line {number} is not 'owner/repo DSN'"
                        )
                    pairs.append((repository, dsn.strip()))
        found = {}
        for key, value_dsn in pairs:
            if not isinstance(key, str) or key.count("/") != 1:
                raise SettingsError(f"{ENV_PREFIX}DATABASES: {key!r} is not owner/repo")
            if not isinstance(value_dsn, str) or not value_dsn:
                raise SettingsError(f"{ENV_PREFIX}DATABASES: the DSN of {key} is not text")
            found[key.lower()] = SecretStr(value_dsn)
        return found

    def database(self) -> str:
        """The SQLAlchemy URL in force (a secret-bearing string: never log it)."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.data_dir / 'maintainer.db'}"

    def queue_file(self) -> Path:
        return self.queue_path or self.data_dir / "queue.db"

    def workspace(self) -> Path:
        return self.workspace_dir or self.data_dir / "repos"

    def cache_root(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"

    def app_private_key(self) -> SecretStr | None:
        """The PEM key from MAINTAINER_PRIVATE_KEY, else from MAINTAINER_PRIVATE_KEY_PATH."""
        if self.private_key is not None:
            return self.private_key
        if self.private_key_path is None:
            return None
        try:
            return SecretStr(self.private_key_path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SettingsError(
                f"{ENV_PREFIX}PRIVATE_KEY_PATH: cannot read {self.private_key_path}: {exc.strerror}"
            ) from None

    def service_security(self) -> ServiceSecurity:
        """The advisory source the operator chose; a repository's config cannot change it."""
        return ServiceSecurity(self.advisory_db, self.osv_url)

    def bot_login(self) -> str:
        return f"{self.app_slug}[bot]"

    def require_webhook_secret(self) -> SecretStr:
        if self.webhook_secret is None or not self.webhook_secret.get_secret_value():
            raise SettingsError(
                f"{ENV_PREFIX}WEBHOOK_SECRET is not set: the server cannot verify deliveries"
            )
        return self.webhook_secret


def _text_or_file(variable: str, value: str) -> str:
    """`value` when it is a JSON object, else the text of the file it names (at most 1 MB)."""
    if value.startswith("{"):
        return value
    path = Path(value)
    try:
        if path.stat().st_size > MAX_DATABASES_FILE:
            raise SettingsError(f"{variable}: {path} is larger than 1 MB")
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8"
        raise SettingsError(f"{variable}: cannot read {path}: {reason}") from None


def load_settings() -> Settings:
    return Settings()
