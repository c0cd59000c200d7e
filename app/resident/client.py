"""Hands a command to the resident process, or starts one for the next run.

`delegate` gives the command's exit status when the resident process ran it, and no status
when this process must run it itself: no resident process yet (one is then started, and this
run goes on without waiting for it), one built from other code (it ends, a fresh one starts),
or the resident process is turned off or unusable (said on stderr when that is a setting's or
a folder's fault). Nothing has run in the resident process when no status comes back. After a
command run here, `Outcome.hand_over` tells the resident process which cache files to keep
loaded for the next command (`app.warmth`).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress

from app.resident import protocol
from app.resident.protocol import ProtocolError, Unavailable

LOST = 2
"""The exit status when the resident process vanished while it ran the command."""
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
"""Signals sent to this process that are passed on to the command's process group."""
FIRST_REPLY_SECONDS = 120.0
"""How long to wait for the resident process to take the command (it may be importing)."""


class Resident:
    """The resident process for this interpreter, by its socket."""

    def __init__(self, env: Mapping[str, str], cwd: str) -> None:
        self.env = env
        self.cwd = cwd
        self.folder = protocol.private_folder(env)
        self.identity = protocol.identity(cwd)
        self.name = protocol.socket_name(self.identity)
        self.path = protocol.socket_path(self.folder, self.name)

    def connect(self) -> socket.socket | None:
        """A connection, or ``None`` when no resident process listens."""
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(self.path)
        except (FileNotFoundError, ConnectionRefusedError):
            connection.close()
            return None
        except OSError:
            connection.close()
            raise
        return connection

    def ask(self, command: str) -> dict[str, object] | None:
        """``status`` or ``stop``: the reply, or ``None`` when no resident process listens."""
        connection = self.connect()
        if connection is None:
            return None
        with connection:
            connection.settimeout(FIRST_REPLY_SECONDS)
            protocol.send(connection, {"command": command})
            reply, _ = protocol.receive(connection)
        return reply

    def start(self) -> None:
        """Start a resident process in a session of its own, detached from this terminal; it
        ends by itself when another one holds the folder's lock."""
        import json
        import subprocess

        spec = {
            "folder": self.folder,
            "name": self.name,
            "path": self.identity["path"],
            "idle": protocol.idle_seconds(self.env),
        }
        command = [
            sys.executable,
            *subprocess._args_from_interpreter_flags(),  # type: ignore[attr-defined]
            "-m",
            "app.resident.server",
            json.dumps(spec),
        ]
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.cwd,
            env=dict(self.env),
            start_new_session=True,
        )


class Outcome:
    """What `delegate` did: the command's exit status when the resident process ran it, else
    ``None`` (this process runs it); the resident process to hand over to, if any."""

    def __init__(self, status: int | None = None, resident: Resident | None = None) -> None:
        self.status = status
        self.resident = resident

    def hand_over(self) -> None:
        """After a command run here: ask the resident process to keep loaded the cache files
        this process read (`app.warmth`), so that the next command finds them in memory. The
        answer is not awaited; a failure costs the next command a read, nothing else."""
        if self.resident is None:
            return
        from app import warmth

        files = warmth.wanted()
        if not files:
            return
        with suppress(OSError, ProtocolError):
            connection = self.resident.connect()
            if connection is not None:
                with connection:
                    protocol.send(connection, {"command": "keep", "files": files})


def delegate(argv: Sequence[str]) -> Outcome:
    """Run ``argv`` in the resident process; see the module's description."""
    env = os.environ
    try:
        if not protocol.enabled(env) or not _streams_open():
            return Outcome()
        cwd = os.getcwd()
        resident = Resident(env, cwd)
        connection = resident.connect()
    except (Unavailable, OSError) as exc:
        _say(f"not using the resident process: {exc}")
        return Outcome()
    if connection is None:
        _start(resident)
        return Outcome(resident=resident)
    with connection:
        try:
            connection.settimeout(FIRST_REPLY_SECONDS)
            protocol.send(connection, _run_request(argv, cwd, env), fds=range(protocol.STREAMS))
            reply, _ = protocol.receive(connection)
        except (ProtocolError, OSError):
            return Outcome()  # nothing was started: this process runs the command
        pid = reply.get("started")
        if not isinstance(pid, int):
            if reply.get("stale"):
                _start(resident)
                return Outcome(resident=resident)
            return Outcome()
        connection.settimeout(None)
        with _forwarded(pid):
            try:
                reply, _ = protocol.receive(connection)
            except (ProtocolError, OSError):
                reply = {}
        status = reply.get("exit")
        if not isinstance(status, int):
            _say(f"the resident process ended while it ran the command (pid {pid})")
            return Outcome(LOST)
        return Outcome(status)


def _start(resident: Resident) -> None:
    try:
        resident.start()
    except (Unavailable, OSError) as exc:
        _say(f"could not start the resident process: {exc}")


def _run_request(argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> dict[str, object]:
    streams = []
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        streams.append(
            {
                "encoding": getattr(stream, "encoding", None) or "utf-8",
                "errors": getattr(stream, "errors", None) or "strict",
                "line_buffering": bool(getattr(stream, "line_buffering", False)),
            }
        )
    umask = os.umask(0)
    os.umask(umask)
    return {
        "command": "run",
        "argv": list(argv),
        "cwd": cwd,
        "env": dict(env),
        "umask": umask,
        "streams": streams,
    }


def _streams_open() -> bool:
    """Whether stdin, stdout and stderr are open (they are passed on as they are)."""
    try:
        for fd in range(protocol.STREAMS):
            os.fstat(fd)
    except OSError:
        return False
    return True


@contextmanager
def _forwarded(pid: int) -> Iterator[None]:
    """Pass the signals this process gets (Ctrl-C, a kill) on to the command's process
    group, as a terminal would have sent them to an in-process run."""

    def forward(number: int, _frame: object) -> None:
        with suppress(OSError):
            os.killpg(pid, number)

    previous = {number: signal.signal(number, forward) for number in FORWARDED}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _say(message: str) -> None:
    with suppress(OSError, ValueError):
        sys.stderr.write(f"maintainer: {message}\n")
        sys.stderr.flush()
