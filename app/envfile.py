"""`KEY=value` environment files, as docker compose's `env_file`, systemd's `EnvironmentFile`
and `set -a; . ./.env` read them: read bounded, updated in place (other lines kept), written
atomically with mode 0600 (they hold secrets)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

MAX_ENV_FILE = 256 * 1024
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BARE = re.compile(r"[A-Za-z0-9_./:@+,=-]*")
_ASSIGNMENT = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)")


class EnvFileError(Exception):
    pass


def read_env(path: Path) -> dict[str, str]:
    """The assignments of an env file (comments and blank lines skipped, quotes removed)."""
    values: dict[str, str] = {}
    for line in _lines(path):
        found = _ASSIGNMENT.fullmatch(line)
        if found is not None:
            values[found.group(1)] = _unquote(found.group(2).strip())
    return values


def update_env(path: Path, updates: Mapping[str, str]) -> None:
    """Set `updates` in the env file (created if missing), keeping every other line; the file
    is replaced atomically and is readable by its owner only."""
    rendered = {key: f"{key}={quote_value(value)}" for key, value in updates.items()}
    for key in rendered:
        if not _KEY.fullmatch(key):
            raise EnvFileError(f"not an environment variable name: {key!r}")
    lines: list[str] = []
    seen: set[str] = set()
    for line in _lines(path) if path.exists() else []:
        found = _ASSIGNMENT.fullmatch(line)
        name = found.group(1) if found else ""
        if name in rendered:
            if name not in seen:
                lines.append(rendered[name])
                seen.add(name)
            continue
        lines.append(line)
    lines += [text for name, text in rendered.items() if name not in seen]
    write_private(path, "\n".join(lines) + "\n")


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600 from the first byte, replacing it atomically."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def quote_value(value: str) -> str:
    """A value as compose, systemd and sh read back the same: bare when plain, else in single
    quotes; a newline or single quote cannot be written safely and is refused."""
    if "\n" in value or "\r" in value or "'" in value:
        raise EnvFileError("a value with a newline or a single quote cannot go in an env file")
    return value if _BARE.fullmatch(value) else f"'{value}'"


def _lines(path: Path) -> list[str]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_ENV_FILE + 1)
    except OSError as exc:
        raise EnvFileError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_ENV_FILE:
        raise EnvFileError(f"{path} is larger than {MAX_ENV_FILE} bytes: not an env file")
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise EnvFileError(f"{path} is not UTF-8 text: not an env file") from None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
