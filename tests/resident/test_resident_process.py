"""The resident process, for real: `maintainer scan` processes start it, hand it their commands,
and get the same output, exit status and caches as a scan run in its own process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import EXIT_FATAL, EXIT_FINDINGS_WITH_ERRORS, EXIT_OK
from app.resident import protocol
from tests.support import make_repo

SCAN = ("scan", "--only", "dead-code", "--format", "json", "--now", "2026-11-30T12:00:00")
FILES = {
    ".maintainer.yml": "enabled: [dead-code]\n",
    "app/main.py": "from app.used import used\n\nprint(used())\n",
    "app/used.py": "def used():\n    return 1\n\n\ndef unused():\n    return 2\n",
}


def maintainer() -> list[str]:
    script = Path(sys.executable).with_name("maintainer")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app"]


class Resident:
    """Runs `maintainer` with the resident process on, in a folder of this test's own."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder = tmp_path / "resident"
        self.env = {
            **os.environ,
            protocol.ENABLED: "on",
            protocol.FOLDER: str(self.folder),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
        }

    def run(
        self, *args: str, cwd: Path | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*maintainer(), *args],
            capture_output=True,
            text=True,
            env={**self.env, **env},
            cwd=cwd,
            timeout=180,
            check=False,
        )

    def status(self) -> dict[str, object]:
        completed = self.run("resident", "status", "--format", "json")
        assert completed.returncode == EXIT_OK, completed.stderr
        document: dict[str, object] = json.loads(completed.stdout)
        return document

    def wait_until(self, running: bool, seconds: float = 90.0) -> dict[str, object]:
        deadline = time.monotonic() + seconds
        while True:
            status = self.status()
            if status["running"] is running or time.monotonic() > deadline:
                assert status["running"] is running, status
                return status
            time.sleep(0.2)


@pytest.fixture
def resident(tmp_path: Path) -> Iterator[Resident]:
    started = Resident(tmp_path)
    yield started
    started.run("resident", "stop")
    started.wait_until(running=False)


def test_the_resident_process_gives_the_same_output_status_and_errors(
    resident: Resident, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    here = resident.run(*SCAN, str(repo))  # no resident process yet: runs here, starts one
    assert here.returncode == EXIT_OK, here.stderr
    assert resident.wait_until(running=True)["served"] == 0
    there = resident.run(*SCAN, str(repo))
    assert (there.returncode, there.stdout, there.stderr) == (here.returncode, here.stdout, "")
    assert "unused" in json.dumps(json.loads(there.stdout)["proposals"])
    assert resident.status()["served"] == 1

    broken = make_repo(tmp_path / "broken", files={**FILES, "app/bad.py": "def (:\n"})
    with_errors = resident.run(*SCAN, str(broken))
    assert with_errors.returncode == EXIT_FINDINGS_WITH_ERRORS, with_errors.stderr
    assert json.loads(with_errors.stdout)["errors"]

    (tmp_path / "plain").mkdir()
    fatal = resident.run(*SCAN, str(tmp_path / "plain"))
    assert fatal.returncode == EXIT_FATAL
    assert fatal.stdout == ""
    assert fatal.stderr.startswith("error:") and "git" in fatal.stderr
    assert resident.status()["served"] == 3


def test_the_command_runs_in_the_clients_folder_with_its_environment(
    resident: Resident, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    resident.run(*SCAN, ".", cwd=repo)
    resident.wait_until(running=True)
    elsewhere = tmp_path / "other-cache"
    there = resident.run(*SCAN, ".", cwd=repo, XDG_CACHE_HOME=str(elsewhere))
    assert there.returncode == EXIT_OK, there.stderr
    assert resident.status()["served"] == 1
    assert json.loads(there.stdout)["proposals"]
    assert list(elsewhere.rglob("packs/*.bin"))  # the client's cache, not the starter's


def test_turned_off_or_under_ci_no_resident_process_starts(
    resident: Resident, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    for completed in (
        resident.run(*SCAN, str(repo), MAINTAINER_RESIDENT="off"),
        resident.run(*SCAN, str(repo), MAINTAINER_RESIDENT="", CI="true"),
    ):
        assert completed.returncode == EXIT_OK, completed.stderr
    time.sleep(1.0)
    assert not list(resident.folder.glob("*.sock"))
    assert resident.status()["running"] is False


def test_a_bad_setting_is_said_and_the_scan_runs_here(resident: Resident, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    completed = resident.run(*SCAN, str(repo), MAINTAINER_RESIDENT="maybe")
    assert completed.returncode == EXIT_OK
    assert "MAINTAINER_RESIDENT='maybe' is neither on nor off" in completed.stderr
    assert json.loads(completed.stdout)["proposals"]
    resident.folder.mkdir(exist_ok=True)
    resident.folder.chmod(0o777)
    completed = resident.run(*SCAN, str(repo))
    assert completed.returncode == EXIT_OK
    assert "not private to this user" in completed.stderr
    assert not list(resident.folder.glob("*.sock"))
    resident.folder.chmod(0o700)


def test_it_ends_when_idle_or_asked_and_only_one_runs_per_name(
    resident: Resident, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    resident.run(*SCAN, str(repo), MAINTAINER_RESIDENT_IDLE="2")
    first = resident.wait_until(running=True)
    assert first["idle_seconds"] == 2
    resident.wait_until(running=False, seconds=30)
    assert not list(resident.folder.glob("*.sock"))

    resident.run(*SCAN, str(repo))
    first = resident.wait_until(running=True)
    spec = {
        "folder": str(resident.folder),
        "name": next(resident.folder.glob("*.sock")).stem,
        "path": protocol.search_path(os.getcwd()),
        "idle": 60,
    }
    second = subprocess.run(
        [sys.executable, "-m", "app.resident.server", json.dumps(spec)],
        env=resident.env,
        timeout=60,
        check=False,
    )
    assert second.returncode == 0  # it found the name taken, and ended
    assert resident.status()["pid"] == first["pid"]
    stopped = resident.run("resident", "stop")
    assert "is ending" in stopped.stdout
    resident.wait_until(running=False)
    assert "no resident process" in resident.run("resident", "status").stdout


def test_a_bad_request_is_refused_and_the_process_serves_on(
    resident: Resident, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    resident.run(*SCAN, str(repo))
    resident.wait_until(running=True)
    path = next(resident.folder.glob("*.sock"))
    for message in ({"command": "run", "argv": ["maintainer", "scan"]}, {"command": "reboot"}):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(str(path))
            protocol.send(connection, message)
            reply, _ = protocol.receive(connection)
        assert "refused" in reply
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(str(path))
        connection.sendall(b"\x00\x00")  # then nothing: cut short
    served = resident.run(*SCAN, str(repo))
    assert served.returncode == EXIT_OK, served.stderr
    assert resident.status()["served"] == 1


@pytest.fixture
def silent_index() -> Iterator[str]:
    """A package index that takes connections and never answers: a scan waits on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/simple/"


def _waiting_scan(resident: Resident, tmp_path: Path, index: str) -> subprocess.Popen[str]:
    files = {".maintainer.yml": "enabled: [dependency-update]\n", "requirements.txt": "six==1.0\n"}
    repo = make_repo(tmp_path / "deps", files=files)
    resident.run(*SCAN, str(make_repo(tmp_path / "repo", files=FILES)))
    resident.wait_until(running=True)
    scan = subprocess.Popen(
        [*maintainer(), "scan", "--only", "dependency-update", "--index-url", index, str(repo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=resident.env,
    )
    deadline = time.monotonic() + 60
    while resident.status()["busy"] != 1:
        assert time.monotonic() < deadline and scan.poll() is None, scan.communicate()
        time.sleep(0.1)
    return scan


def test_ctrl_c_reaches_the_command_run_by_the_resident_process(
    resident: Resident, tmp_path: Path, silent_index: str
) -> None:
    scan = _waiting_scan(resident, tmp_path, silent_index)
    started = time.monotonic()
    scan.send_signal(signal.SIGINT)
    _, stderr = scan.communicate(timeout=30)
    assert scan.returncode == 1  # click's "Aborted!", as in a scan run in its own process
    assert "Aborted" in stderr
    assert time.monotonic() - started < 15  # not the index client's 20 s timeout
    assert resident.status()["busy"] == 0


def test_a_client_that_goes_away_takes_its_command_with_it(
    resident: Resident, tmp_path: Path, silent_index: str
) -> None:
    scan = _waiting_scan(resident, tmp_path, silent_index)
    scan.kill()
    scan.communicate()
    deadline = time.monotonic() + 15
    while resident.status()["busy"] != 0:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    log = next(resident.folder.glob("*.log")).read_text()
    assert "went away: ending it" in log


def test_the_cache_files_a_scan_read_are_kept_loaded_for_the_next(
    resident: Resident, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    here = resident.run(*SCAN, str(repo))
    resident.wait_until(running=True)
    first = resident.run(*SCAN, str(repo))
    deadline = time.monotonic() + 30
    while resident.status()["kept_files"] != 2:  # the pack and the edges, loaded after it
        assert time.monotonic() < deadline, resident.status()
        time.sleep(0.1)
    (repo / "app/more.py").write_text("def more():\n    return 3\n")
    second = resident.run(*SCAN, str(repo))
    assert here.stdout == first.stdout
    assert "more" in json.dumps(json.loads(second.stdout)["proposals"])
    alone = resident.run(*SCAN, str(repo), MAINTAINER_RESIDENT="off")
    assert second.stdout == alone.stdout
    assert resident.status()["served"] == 2


def test_a_keep_request_names_known_loaders_only(resident: Resident, tmp_path: Path) -> None:
    resident.run(*SCAN, str(make_repo(tmp_path / "repo", files=FILES)))
    resident.wait_until(running=True)
    time.sleep(1.0)  # what the first scan handed over is loaded by now
    before = resident.status()["kept_files"]
    assert isinstance(before, int)
    other = tmp_path / "other-cache"
    resident.run(
        *SCAN,
        str(make_repo(tmp_path / "other", files=FILES)),
        MAINTAINER_RESIDENT="off",
        XDG_CACHE_HOME=str(other),
    )
    path = next(resident.folder.glob("*.sock"))
    pack = str(next(other.rglob("packs/*.bin")))
    for files, answer in (
        ([["dead-code-pack", pack]], "keeping"),
        ([["run-this", pack]], "refused"),
        ([["dead-code-pack", "relative.bin"]], "refused"),
    ):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(str(path))
            protocol.send(connection, {"command": "keep", "files": files})
            reply, _ = protocol.receive(connection)
        assert answer in reply, (files, reply)
    time.sleep(0.5)
    assert resident.status()["kept_files"] == before + 1  # the other repository's pack
