"""What the client and the resident process share: settings, the socket, the messages.

The client imports this module on every ``maintainer scan``, before anything else of ours:
it uses the lightest standard modules only (no pathlib, typing, dataclasses or hashlib).

Messages are length-prefixed JSON objects (an 8-byte big-endian length, then UTF-8 JSON); the
request to run a command carries the client's standard streams as file descriptors
(``SCM_RIGHTS``). Requests are bounded in size, and the server checks the peer's user id.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import socket
import stat
import sys
import zlib
from collections.abc import Mapping, Sequence

ENABLED = "MAINTAINER_RESIDENT"
"""``on`` or ``off``; unset, the resident process is used except under CI (``CI`` set)."""
IDLE = "MAINTAINER_RESIDENT_IDLE"
"""Seconds without a command after which the resident process ends (default 900)."""
FOLDER = "MAINTAINER_RESIDENT_DIR"
"""The folder holding the sockets (default ``$XDG_RUNTIME_DIR/maintainer-bot``, else
``$TMPDIR/maintainer-bot-<uid>``); it must be this user's and closed to others."""

DEFAULT_IDLE_SECONDS = 900
MAX_MESSAGE = 4 << 20
"""The largest message either side accepts (an environment is a few kilobytes)."""
HEADER = 8
STREAMS = 3
_SOCKET_PATH_MAX = 100  # sockaddr_un holds 108 bytes on Linux, 104 on macOS


class Unavailable(Exception):
    """The resident process cannot be used for this run (the reason is the message)."""


class ProtocolError(Exception):
    """A message that is not one: cut short, too large, not a JSON object."""


def enabled(env: Mapping[str, str]) -> bool:
    """Whether this run may use (and start) the resident process. A value other than on/off
    is an error: the caller says so and runs the command itself."""
    value = env.get(ENABLED, "").strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False
    if value:
        raise Unavailable(f"{ENABLED}={env[ENABLED]!r} is neither on nor off")
    # A CI job runs once: a process that waits for the next scan would only hold memory.
    return env.get("CI", "").strip().lower() in ("", "0", "false", "no")


def idle_seconds(env: Mapping[str, str]) -> int:
    value = env.get(IDLE, "").strip()
    if not value:
        return DEFAULT_IDLE_SECONDS
    if not value.isdigit() or not 1 <= int(value) <= 7 * 24 * 3600:
        raise Unavailable(f"{IDLE}={value!r} is not a number of seconds from 1 to 604800")
    return int(value)


def private_folder(env: Mapping[str, str]) -> str:
    """The sockets' folder, made if missing (mode 0700). It is refused unless it is a real
    folder (not a link), owned by this user and closed to group and others: anyone who could
    write there could impersonate the resident process."""
    chosen = env.get(FOLDER)
    runtime = env.get("XDG_RUNTIME_DIR")
    if chosen:
        folder = os.path.abspath(chosen)
    elif runtime and os.path.isabs(runtime):
        folder = os.path.join(runtime, "maintainer-bot")
    else:
        folder = os.path.join(env.get("TMPDIR") or "/tmp", f"maintainer-bot-{os.getuid()}")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise Unavailable(f"cannot make {folder}: {exc.strerror}") from None
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise Unavailable(f"{folder} is not a folder")
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise Unavailable(
            f"{folder} is not private to this user "
            f"(owner uid {info.st_uid}, mode {stat.S_IMODE(info.st_mode):o})"
        )
    return folder


def identity(cwd: str) -> dict[str, object]:
    """What makes a resident process fit to run this interpreter's command: the same Python,
    flags, module search path and user. A different virtual environment or ``PYTHONPATH``
    gets a process of its own."""
    return {
        "python": sys.version,
        "executable": sys.executable,
        "prefix": sys.prefix,
        "flags": list(sys.flags),
        "path": search_path(cwd),
        "uid": os.getuid(),
    }


def search_path(cwd: str) -> list[str]:
    """``sys.path`` with the current folder spelled out (``''`` would mean the child's)."""
    return [os.path.join(cwd, entry) if not os.path.isabs(entry) else entry for entry in sys.path]


def socket_name(identity: Mapping[str, object]) -> str:
    """A short name for an identity (not a secret: the folder is private)."""
    text = json.dumps(identity, sort_keys=True).encode()
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}"


def socket_path(folder: str, name: str) -> str:
    path = os.path.join(folder, f"{name}.sock")
    if len(os.fsencode(path)) > _SOCKET_PATH_MAX:
        raise Unavailable(f"{path} is too long for a Unix socket; set {FOLDER} to a shorter one")
    return path


def send(connection: socket.socket, message: Mapping[str, object], fds: Sequence[int] = ()) -> None:
    """One message; ``fds`` travel with its header."""
    data = json.dumps(message).encode()
    if len(data) > MAX_MESSAGE:
        raise ProtocolError(f"a message of {len(data)} bytes is over {MAX_MESSAGE}")
    header = len(data).to_bytes(HEADER, "big")
    rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    sent = connection.sendmsg([header], rights)
    connection.sendall(header[sent:] + data)


def receive(connection: socket.socket, max_fds: int = 0) -> tuple[dict[str, object], list[int]]:
    """One message and the descriptors that came with it (at most ``max_fds``; any more are
    closed). An end of stream before a whole message is a `ProtocolError`."""
    fds: list[int] = []
    header = b""
    try:
        while len(header) < HEADER:
            space = socket.CMSG_SPACE(max_fds * array.array("i").itemsize) if max_fds else 0
            data, ancillary, _, _ = connection.recvmsg(HEADER - len(header), space)
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    received = array.array("i")
                    received.frombytes(payload[: len(payload) - len(payload) % received.itemsize])
                    fds.extend(received)
            if not data:
                raise ProtocolError("the connection ended before a message")
            header += data
        length = int.from_bytes(header, "big")
        if length > MAX_MESSAGE:
            raise ProtocolError(f"a message of {length} bytes is over {MAX_MESSAGE}")
        body = _exactly(connection, length)
        try:
            message = json.loads(body)
        except RecursionError:
            raise ProtocolError("a message nested too deeply") from None
        if not isinstance(message, dict):
            raise ProtocolError("a message is not a JSON object")
    except (ProtocolError, ValueError, OSError):
        _close_all(fds)
        raise
    if len(fds) > max_fds:
        _close_all(fds[max_fds:])
        del fds[max_fds:]
    return message, fds


def _exactly(connection: socket.socket, length: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < length:
        chunk = connection.recv(min(length - len(chunks), 1 << 16))
        if not chunk:
            raise ProtocolError(f"a message ended after {len(chunks)} of {length} bytes")
        chunks += chunk
    return bytes(chunks)


def _close_all(fds: Sequence[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
