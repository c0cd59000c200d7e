"""The resident process's settings, folder, messages and checks, without a resident process."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import pytest

from app.resident import protocol
from app.resident.protocol import ProtocolError, Unavailable
from app.resident.server import Fingerprint, RunRequest


def test_on_by_default_off_under_ci_and_a_bad_value_is_an_error() -> None:
    assert protocol.enabled({}) is True
    assert protocol.enabled({"CI": "true"}) is False
    assert protocol.enabled({"CI": "false"}) is True
    assert protocol.enabled({"CI": "true", protocol.ENABLED: "on"}) is True
    assert protocol.enabled({protocol.ENABLED: "off"}) is False
    with pytest.raises(Unavailable, match="neither on nor off"):
        protocol.enabled({protocol.ENABLED: "sometimes"})


def test_the_idle_time_is_a_bounded_number_of_seconds() -> None:
    assert protocol.idle_seconds({}) == protocol.DEFAULT_IDLE_SECONDS
    assert protocol.idle_seconds({protocol.IDLE: "30"}) == 30
    for bad in ("0", "-5", "1.5", "forever", "999999999"):
        with pytest.raises(Unavailable, match="number of seconds"):
            protocol.idle_seconds({protocol.IDLE: bad})


def test_the_folder_is_made_private_and_a_shared_one_is_refused(tmp_path: Path) -> None:
    made = protocol.private_folder({protocol.FOLDER: str(tmp_path / "r")})
    assert os.stat(made).st_mode & 0o777 == 0o700
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(Unavailable, match="not private to this user"):
        protocol.private_folder({protocol.FOLDER: str(shared)})
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(Unavailable, match="is not a folder"):
        protocol.private_folder({protocol.FOLDER: str(tmp_path / "link")})
    with pytest.raises(Unavailable, match="cannot make"):
        protocol.private_folder({protocol.FOLDER: str(tmp_path / "missing" / "r")})


def test_the_default_folder_is_the_runtime_one_else_per_user_in_tmp(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir()
    assert protocol.private_folder({"XDG_RUNTIME_DIR": str(runtime)}) == str(
        runtime / "maintainer-bot"
    )
    folder = protocol.private_folder({"TMPDIR": str(tmp_path)})
    assert folder == str(tmp_path / f"maintainer-bot-{os.getuid()}")


def test_a_different_search_path_gets_a_socket_of_its_own(tmp_path: Path) -> None:
    here = protocol.identity(str(tmp_path))
    other = {**here, "path": [*protocol.search_path(str(tmp_path)), "/elsewhere"]}
    assert protocol.socket_name(here) == protocol.socket_name(protocol.identity(str(tmp_path)))
    assert protocol.socket_name(here) != protocol.socket_name(other)
    with pytest.raises(Unavailable, match="too long"):
        protocol.socket_path("/" + "x" * 120, "name")


def test_a_message_carries_descriptors_and_comes_back_whole(tmp_path: Path) -> None:
    left, right = socket.socketpair()
    target = tmp_path / "out.txt"
    with left, right, target.open("w") as handle:
        # larger than the socket's buffer: sent from a thread while this one receives
        sender = threading.Thread(
            target=protocol.send,
            args=(left, {"command": "run", "text": "é" * 100_000}, [handle.fileno()]),
        )
        sender.start()
        message, fds = protocol.receive(right, max_fds=3)
        sender.join()
        assert message == {"command": "run", "text": "é" * 100_000}
        assert len(fds) == 1
        os.write(fds[0], b"through the passed descriptor")
        os.close(fds[0])
    assert target.read_text() == "through the passed descriptor"


def test_descriptors_beyond_the_limit_are_closed_not_kept(tmp_path: Path) -> None:
    left, right = socket.socketpair()
    with left, right, (tmp_path / "a").open("w") as a, (tmp_path / "b").open("w") as b:
        protocol.send(left, {"command": "status"}, fds=[a.fileno(), b.fileno()])
        _, fds = protocol.receive(right, max_fds=1)
        assert len(fds) == 1
        os.close(fds[0])


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", "ended before a message"),
        ((10).to_bytes(8, "big") + b"{}", "ended after 2 of 10 bytes"),
        ((protocol.MAX_MESSAGE + 1).to_bytes(8, "big"), "over"),
        ((2).to_bytes(8, "big") + b"[]", "not a JSON object"),
        ((10_000).to_bytes(8, "big") + b"[" * 5_000 + b"]" * 5_000, "nested too deeply"),
    ],
)
def test_a_broken_message_is_an_error(raw: bytes, error: str) -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(raw)
        left.shutdown(socket.SHUT_WR)
        with pytest.raises(ProtocolError, match=error):
            protocol.receive(right, max_fds=3)


def test_text_that_is_not_json_is_an_error() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall((5).to_bytes(8, "big") + b"{nope")
        with pytest.raises(json.JSONDecodeError):
            protocol.receive(right)


def _request(**changes: object) -> dict[str, object]:
    stream = {"encoding": "utf-8", "errors": "strict", "line_buffering": False}
    base: dict[str, object] = {
        "command": "run",
        "argv": ["maintainer", "scan"],
        "cwd": "/tmp",
        "env": {"HOME": "/root"},
        "umask": 0o022,
        "streams": [stream, stream, stream],
    }
    return {**base, **changes}


def test_a_run_request_is_checked_field_by_field() -> None:
    assert RunRequest.parse(_request()).argv == ["maintainer", "scan"]
    bad: dict[str, list[object]] = {
        "argv": [[], ["maintainer", 3], "maintainer scan", ["maintainer", "serve"], ["x"]],
        "cwd": ["relative/folder", None],
        "env": [{"A": 1}, ["A=1"]],
        "umask": [-1, 0o1000, "022"],
        "streams": [[], [{"encoding": "utf-8"}] * 3],
    }
    for name, values in bad.items():
        for value in values:
            with pytest.raises(ProtocolError, match=f"^{name}:"):
                RunRequest.parse(_request(**{name: value}))


def test_a_fingerprint_sees_a_changed_or_removed_file(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("X = 1\n")
    kept = Fingerprint.of([str(module), str(tmp_path / "never-there.py")])
    assert kept.changed() is None
    module.write_text("X = 22\n")
    assert kept.changed() == str(module)
    module.unlink()
    assert kept.changed() == str(module)
