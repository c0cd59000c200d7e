"""The resident process: imports the scan's modules once, then forks a child per command.

Started by `app.resident.client` as ``python -m app.resident.server SPEC`` (SPEC: JSON with the
folder, the socket's name, the client's ``sys.path`` and the idle timeout), in a session of
its own. It

1. takes the folder's lock for its name (another resident process with the same name: it
   ends) and binds the socket before importing anything, so a scan that starts meanwhile
   waits for the imports instead of paying for them itself;
2. imports `PRELOADED` and every analyzer, then notes each loaded module file's size and
   modification time (`Fingerprint`): a command that arrives after our code or a dependency
   changed gets "stale", and this process ends for a fresh one to start;
3. for each command from a process of the same user (``SO_PEERCRED``): forks a child in a
   process group of its own, which takes the client's streams, folder, environment, umask
   and arguments and runs `app.cli.main` as the scan process would have; the exit status is
   sent back when the child is reaped. A client that goes away takes its command with it
   (``SIGTERM`` to the child's group);
4. ends after ``idle`` seconds without a command, on ``maintainer resident stop`` or on
   ``SIGTERM``, once its running commands are done, removing its socket.

What it prints goes to ``<name>.log`` beside the socket.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import resource
import selectors
import signal
import socket
import struct
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, NoReturn

from app import warmth
from app.launcher import RESIDENT_COMMANDS
from app.resident import protocol
from app.resident.protocol import ProtocolError

PRELOADED = (
    "app.cli",
    "app.cli.scan",
    "app.pipeline",
    "app.output",
    "app.composer.local",
    "multiprocessing.pool",
    "git",
)
"""Modules a scan imports on its way; every analyzer is imported besides (`preload`)."""
REQUEST_SECONDS = 5.0
"""How long a connected client may take to send its request."""


@dataclass(frozen=True)
class Fingerprint:
    """Size and modification time of each file the process loaded code from."""

    files: Mapping[str, tuple[int, int]]

    @classmethod
    def of(cls, paths: Iterable[str]) -> Fingerprint:
        files = {}
        for path in paths:
            with contextlib.suppress(OSError):
                info = os.stat(path)
                files[path] = (info.st_mtime_ns, info.st_size)
        return cls(files)

    @classmethod
    def of_loaded_modules(cls) -> Fingerprint:
        paths = {getattr(module, "__file__", None) for module in list(sys.modules.values())}
        return cls.of(path for path in paths if isinstance(path, str))

    def changed(self) -> str | None:
        """The first file that changed or went away since, if any."""
        for path, (mtime, size) in self.files.items():
            try:
                info = os.stat(path)
            except OSError:
                return path
            if (info.st_mtime_ns, info.st_size) != (mtime, size):
                return path
        return None


@dataclass(frozen=True)
class RunRequest:
    """A client's command, checked: everything the child takes from the client."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    umask: int
    streams: list[dict[str, Any]]

    @classmethod
    def parse(cls, message: Mapping[str, object]) -> RunRequest:
        argv, cwd, env = message.get("argv"), message.get("cwd"), message.get("env")
        umask, streams = message.get("umask"), message.get("streams")
        if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
            raise ProtocolError("argv: a non-empty list of strings is required")
        if argv[1:2] == [] or argv[1] not in RESIDENT_COMMANDS:
            raise ProtocolError(f"argv: only {', '.join(sorted(RESIDENT_COMMANDS))} runs here")
        if not (isinstance(cwd, str) and os.path.isabs(cwd)):
            raise ProtocolError("cwd: an absolute path is required")
        if not (
            isinstance(env, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
        ):
            raise ProtocolError("env: an object of strings is required")
        if not (isinstance(umask, int) and 0 <= umask <= 0o777):
            raise ProtocolError("umask: a number from 0 to 0o777 is required")
        if not (
            isinstance(streams, list)
            and len(streams) == protocol.STREAMS
            and all(_stream_settings(s) for s in streams)
        ):
            raise ProtocolError("streams: three objects with encoding, errors, line_buffering")
        return cls(argv, cwd, env, umask, streams)


def _stream_settings(value: object) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("encoding"), str)
        and isinstance(value.get("errors"), str)
        and isinstance(value.get("line_buffering"), bool)
    )


@dataclass(frozen=True)
class Child:
    """A command running in a child: its client's connection (for the exit status), when it
    began, and the read end of the pipe on which it names the files worth keeping."""

    connection: socket.socket
    began: float
    report: int


@dataclass
class Server:
    listener: socket.socket
    socket_path: str
    fingerprint: Fingerprint
    idle: float
    log: Any
    lock_fd: int
    started: float = field(default_factory=time.time)
    served: int = 0
    running: dict[int, Child] = field(default_factory=dict)
    loading: list[Iterator[None]] = field(default_factory=list)
    last: dict[str, object] | None = None
    stopping: bool = False
    last_active: float = field(default_factory=time.monotonic)

    def serve(self) -> None:
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        os.set_blocking(wake_read, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, _ignore)
        signal.signal(signal.SIGTERM, _ignore)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, "listener")
        self.selector.register(wake_read, selectors.EVENT_READ, "signal")
        self.wake = (wake_read, wake_write)
        while not (self.stopping and not self.running):
            timeout = None
            if self.loading:
                timeout = 0.0  # take any command first, then load a step more
            elif not self.running and not self.stopping:
                timeout = max(0.0, self.last_active + self.idle - time.monotonic())
            events = self.selector.select(timeout)
            idle_for = time.monotonic() - self.last_active
            if not self.running and not self.stopping and idle_for >= self.idle:
                self.say(f"idle for {idle_for:.0f} s: ending")
                self.stop()
            for key, _ in events:
                if key.data == "listener":
                    self.accept()
                elif key.data == "signal":
                    self.on_signals(wake_read)
                else:
                    self.on_client_gone(key.data)
            self.reap()
            if not events and self.loading:
                self.load_a_step()
        self.say("ended")

    def on_signals(self, wake_read: int) -> None:
        with contextlib.suppress(BlockingIOError):
            numbers = os.read(wake_read, 512)
            if signal.SIGTERM in numbers:
                self.say("SIGTERM: ending")
                self.stop()

    def accept(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        fds: list[int] = []
        try:
            if not _same_user(connection):
                self.say("refused a connection from another user")
                connection.close()
                return
            connection.settimeout(REQUEST_SECONDS)
            message, fds = protocol.receive(connection, max_fds=protocol.STREAMS)
            self.answer(connection, message, fds)
        except (ProtocolError, OSError) as exc:
            self.say(f"a bad request: {exc}")
            with contextlib.suppress(OSError, ProtocolError):
                protocol.send(connection, {"refused": str(exc)})
            connection.close()
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def answer(
        self, connection: socket.socket, message: Mapping[str, object], fds: list[int]
    ) -> None:
        command = message.get("command")
        if command == "status":
            protocol.send(connection, {"status": self.status()})
            connection.close()
        elif command == "stop":
            protocol.send(connection, {"stopping": True, "running": len(self.running)})
            connection.close()
            self.say("asked to stop")
            self.stop()
        elif command == "keep":
            files = _files(message.get("files"))
            with contextlib.suppress(OSError):  # the client need not wait for the answer
                protocol.send(connection, {"keeping": len(files)})
            connection.close()
            self.keep(files)
        elif command == "run":
            if len(fds) != protocol.STREAMS:
                raise ProtocolError(f"a command needs {protocol.STREAMS} streams, got {len(fds)}")
            request = RunRequest.parse(message)
            changed = self.fingerprint.changed()
            if changed is not None or self.stopping:
                protocol.send(connection, {"stale": True})
                connection.close()
                if changed is not None:
                    self.say(f"{changed} changed since this process started: ending")
                    self.stop()
                return
            self.fork(connection, request, fds)
        else:
            raise ProtocolError(f"unknown command {command!r}")

    def fork(self, connection: socket.socket, request: RunRequest, fds: list[int]) -> None:
        report_read, report_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(report_read)
                self.become_child(connection)
                run_command(request, fds, report_write)
            finally:
                os._exit(70)  # run_command exits itself; this is a failure before it ran
        os.close(report_write)
        os.set_blocking(report_read, False)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)  # also done by the child: whichever runs first
        self.served += 1
        self.last_active = time.monotonic()  # a status or stop request is not a command
        self.running[pid] = Child(connection, time.monotonic(), report_read)
        connection.settimeout(None)
        try:
            protocol.send(connection, {"started": pid})
        except OSError:
            with contextlib.suppress(OSError):  # the client is gone: so is its command
                os.killpg(pid, signal.SIGTERM)
            return
        self.selector.register(connection, selectors.EVENT_READ, pid)
        self.say(f"running {' '.join(request.argv[1:])!r} in {request.cwd} as pid {pid}")

    def become_child(self, connection: socket.socket) -> None:
        """Drop everything of the server's: its signals, socket, lock and connections."""
        os.setpgid(0, 0)
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.selector.close()
        for held in (self.listener, connection, *(c.connection for c in self.running.values())):
            held.close()
        for fd in (*self.wake, self.lock_fd, *(c.report for c in self.running.values())):
            os.close(fd)
        with contextlib.suppress(OSError, ValueError):
            self.log.close()

    def on_client_gone(self, pid: int) -> None:
        """A client's connection became readable while its command runs: it went away (it
        sends nothing more), so its command goes too."""
        child = self.running.get(pid)
        if child is None:
            return
        self.selector.unregister(child.connection)
        self.say(f"the client of pid {pid} went away: ending it")
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGTERM)

    def reap(self) -> None:
        while self.running:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self.running.pop(pid, None)
            if child is None:
                continue
            connection = child.connection
            code = os.waitstatus_to_exitcode(status)
            code = 128 - code if code < 0 else code
            self.last = {
                "exit": code,
                "seconds": round(time.monotonic() - child.began, 3),
                "peak_mib": round(usage.ru_maxrss / 1024, 1),
            }
            self.say(f"pid {pid} ended: {self.last}")
            files = _report(child.report)
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(connection)
            with contextlib.suppress(OSError, ProtocolError):
                protocol.send(connection, {"exit": code})
            connection.close()
            self.keep(files)
            self.last_active = time.monotonic()

    def keep(self, files: list[tuple[str, str]]) -> None:
        """Load what the last command read, for the next one (`app.warmth`), a step at a time
        between commands."""
        self.loading.extend(warmth.keep(loader, path) for loader, path in files)

    def load_a_step(self) -> None:
        try:
            next(self.loading[0])
        except StopIteration:
            self.loading.pop(0)
        except Exception as exc:  # a loader's failure costs the next command a read only
            self.say(f"keeping a file failed: {exc!r}")
            self.loading.pop(0)
        if not self.loading:
            gc.freeze()  # the children leave the kept values alone too
            self.say(f"keeping {warmth.kept_files()} files")

    def stop(self) -> None:
        """Take no more commands (the socket goes first); end once the running ones end."""
        if self.stopping:
            return
        self.stopping = True
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(self.listener)
        _close_listener(self.listener, self.socket_path)

    def status(self) -> dict[str, object]:
        return {
            "pid": os.getpid(),
            "started": self.started,
            "served": self.served,
            "busy": len(self.running),
            "idle_seconds": self.idle,
            "modules": len(sys.modules),
            "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "last_command": self.last,
            "kept_files": warmth.kept_files(),
            "python": sys.version.split()[0],
        }

    def say(self, message: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}\n")
            self.log.flush()


MAX_KEPT_REQUEST = 64
"""The most files one command may ask to keep loaded (it reads a few)."""


def _files(value: object) -> list[tuple[str, str]]:
    """``[[loader, absolute path], ...]`` checked: at most `MAX_KEPT_REQUEST`, known loaders."""
    if not isinstance(value, list) or len(value) > MAX_KEPT_REQUEST:
        raise ProtocolError(f"files: a list of at most {MAX_KEPT_REQUEST} entries is required")
    files = []
    for item in value:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and item[0] in warmth.LOADERS
            and isinstance(item[1], str)
            and os.path.isabs(item[1])
        ):
            raise ProtocolError("files: each entry is [a known loader, an absolute path]")
        files.append((item[0], item[1]))
    return files


def _report(fd: int) -> list[tuple[str, str]]:
    """What a finished child wrote on its report pipe: the files it wants kept."""
    data = b""
    with contextlib.suppress(OSError):
        while len(data) <= protocol.MAX_MESSAGE:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            data += chunk
    os.close(fd)
    try:
        return _files(json.loads(data)) if data else []
    except (ValueError, ProtocolError):
        return []


def _close_listener(listener: socket.socket, path: str) -> None:
    """Remove the socket (ours: we hold the name's lock), then close it."""
    with contextlib.suppress(OSError):
        os.unlink(path)
    listener.close()


def _ignore(_number: int, _frame: object) -> None:
    """A handler that does nothing: the wake-up descriptor carries the signal's number."""


def _same_user(connection: socket.socket) -> bool:
    credentials = connection.getsockopt(
        socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
    )
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())


def run_command(request: RunRequest, fds: list[int], report: int) -> NoReturn:
    """In the child: become the client's process, run the command as `app.cli.main` would,
    name on ``report`` the files worth keeping loaded, and exit with the command's status."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        if fd > 2:
            os.close(fd)
    os.chdir(request.cwd)
    os.umask(request.umask)
    os.environ.clear()
    os.environ.update(request.env)
    import locale

    with contextlib.suppress(locale.Error):
        locale.setlocale(locale.LC_CTYPE, "")
    if "tempfile" in sys.modules:
        import tempfile

        tempfile.tempdir = None  # found again from this environment
    sys.argv = list(request.argv)
    _reopen_streams(request.streams)
    from app.cli import Finished, cli, finish_output

    code = 1
    try:
        cli()
        code = 0
    except Finished as finished:  # `app.cli.main` ends at once: no exit handlers
        code = _exit_code(finished.code)
    except SystemExit as ended:
        code = _exit_code(ended.code)
        _run_exit_handlers()
    except BaseException:
        import traceback

        traceback.print_exc()
        _run_exit_handlers()
    finally:
        finish_output()
        with contextlib.suppress(OSError, ValueError):
            os.write(report, json.dumps(warmth.wanted()).encode()[: protocol.MAX_MESSAGE])
        os._exit(code)


def _run_exit_handlers() -> None:
    import atexit

    atexit._run_exitfuncs()


def _reopen_streams(settings: list[dict[str, Any]]) -> None:
    """Text streams over descriptors 0-2 with the client's encoding and buffering."""
    import io

    streams = []
    for fd, wanted in enumerate(settings):
        raw = io.FileIO(fd, "r" if fd == 0 else "w", closefd=False)
        buffered = io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw)
        streams.append(
            io.TextIOWrapper(
                buffered,
                encoding=wanted["encoding"],
                errors=wanted["errors"],
                line_buffering=wanted["line_buffering"],
            )
        )
    sys.stdin, sys.stdout, sys.stderr = streams


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"{code}\n")
    return 1


def preload() -> None:
    """Import what a scan imports, every analyzer included."""
    from app.collector import paused

    with paused():
        for name in PRELOADED:
            import_module(name)
        from app.analyzers import ANALYZERS

        for kind in ANALYZERS:
            ANALYZERS[kind]


def main(arguments: list[str]) -> None:
    spec = json.loads(arguments[0])
    folder, name = str(spec["folder"]), str(spec["name"])
    sys.path[:] = [str(entry) for entry in spec["path"]]
    base = os.path.join(folder, name)
    lock_fd = os.open(f"{base}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return  # another resident process has this name
    log_fd = os.open(f"{base}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    log = open(log_fd, "w", encoding="utf-8")  # noqa: SIM115 - open while serving
    os.chdir("/")
    socket_path = protocol.socket_path(folder, name)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)  # left by a process that was killed: we hold the lock
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    os.chmod(socket_path, 0o600)
    listener.listen(64)
    log.write(f"pid {os.getpid()}: importing\n")
    log.flush()
    try:
        preload()
    except Exception as exc:  # logged; clients then run their commands themselves
        log.write(f"importing failed: {exc!r}\n")
        _close_listener(listener, socket_path)  # waiting clients see the end, and go on alone
        return
    fingerprint = Fingerprint.of_loaded_modules()
    server = Server(listener, socket_path, fingerprint, float(spec["idle"]), log, lock_fd)
    gc.collect()
    gc.freeze()  # the children leave these objects alone (copy-on-write stays shared)
    server.say(f"ready: {len(sys.modules)} modules")
    try:
        server.serve()
    except BaseException:
        import traceback

        server.say(f"failed:\n{traceback.format_exc()}")
        _close_listener(listener, socket_path)
        raise


if __name__ == "__main__":
    main(sys.argv[1:])
