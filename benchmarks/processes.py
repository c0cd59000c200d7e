"""Whole-process timing shared by the benchmarks: the user waits for a command, not a function.

Each measurement starts one process and waits for it (interpreter start-up, imports, I/O and
edits included); contenders run in alternating order so a change in machine load hits both.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


@dataclass(frozen=True)
class Run:
    """One finished process: wall time, peak memory (its own or its workers'), exit, output."""

    seconds: float
    peak_mib: float
    returncode: int
    stdout: str


def timed(
    command: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Run:
    """Start ``command`` and wait for it (``wait4``: wall time and peak resident memory)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=output,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode, text)


def checked(run: Run, command: str, allowed: tuple[int, ...] = (0, 1)) -> Run:
    """``run`` when its exit status is one the benchmark expects; stop loudly otherwise."""
    if run.returncode not in allowed:
        raise SystemExit(f"{command} exited {run.returncode}: {run.stdout[-500:]!r}")
    return run


def alternate(rounds: int, *contenders: Callable[[int], None]) -> None:
    """Run every contender once per round, starting with a different one each round."""
    for number in range(rounds):
        shift = number % len(contenders)
        for contender in (*contenders[shift:], *contenders[:shift]):
            contender(number)


def maintainer() -> list[str]:
    """The installed console script when there is one, else the module."""
    script = Path(sys.executable).with_name("maintainer")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app"]


def resident_env(folder: Path) -> dict[str, str]:
    """A scan's environment as a user's shell has it: the resident process on (the default
    outside CI, stated here because benchmarks may run under CI), in ``folder``: a fresh
    folder has none yet, so the next scan is a first one."""
    return {"MAINTAINER_RESIDENT": "on", "MAINTAINER_RESIDENT_DIR": str(folder)}


def resident_status(env: Mapping[str, str]) -> dict[str, Any]:
    """``maintainer resident status`` as JSON (``running`` false when there is none)."""
    completed = subprocess.run(
        [*maintainer(), "resident", "status", "--format", "json"],
        capture_output=True,
        text=True,
        env=dict(env),
        check=True,
    )
    status: dict[str, Any] = json.loads(completed.stdout)
    return status


def served(run: Run, env: Mapping[str, str], count: int) -> Run:
    """``run`` as the resident process ran it: checked to be its ``count``-th command, with the
    command's own peak memory (shared pages included), not the client's few megabytes."""
    status = resident_status(env)
    if status.get("served") != count:
        raise SystemExit(f"the resident process did not run command {count}: {status}")
    peak = max(run.peak_mib, float(status["last_command"]["peak_mib"]))
    return Run(run.seconds, peak, run.returncode, run.stdout)


def stop_resident(env: Mapping[str, str]) -> None:
    subprocess.run([*maintainer(), "resident", "stop"], env=dict(env), capture_output=True)


def git_repository(package: Path, root: Path, files: Mapping[str, str] | None = None) -> Path:
    """A git repository at ``root`` holding a copy of ``package`` (and ``files``), one commit."""
    shutil.copytree(package, root / package.name)
    for name, text in (files or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "import"]):
        subprocess.run(["git", "-C", str(root), *args], env=env, check=True)
    return root


def timings(results: Mapping[str, Sequence[Run]]) -> dict[str, Any]:
    """What every report carries: the machine, each contender's median, every run, peak memory."""
    return {
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "seconds": {
            name: statistics.median(r.seconds for r in runs) for name, runs in results.items()
        },
        "all_seconds": {
            name: [round(r.seconds, 2) for r in runs] for name, runs in results.items()
        },
        "peak_mib": {name: max(r.peak_mib for r in runs) for name, runs in results.items()},
    }
