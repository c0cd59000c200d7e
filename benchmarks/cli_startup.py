"""Start-up and the deprecation scan as the user waits for them: whole processes.

1. `maintainer --version`, against `python -c pass` (the interpreter's own start-up).
   Target: at most 0.3 s.
2. `maintainer scan --only deprecation` of Django 5.2.8 (883 files, no hit: every rule is
   checked and nothing needs a fix) against `pyupgrade --py311-plus` over the same files,
   each a cold whole process (our result cache is empty every run, pyupgrade's copy is fresh).
   Target: at most 0.3x pyupgrade's wall time.

Runs alternate (ours, theirs, ours, ...) so a change in machine load hits both; each figure
is the median of several runs.

    .venv/bin/python benchmarks/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.django_source import django_source  # noqa: E402

MAINTAINER = Path(sys.executable).with_name("maintainer")
VERSION_TARGET = 0.3
RATIO_TARGET = 0.3
GIT = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b"}


def timed(
    command: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> float:
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        raise SystemExit(
            f"{command[0]} failed ({completed.returncode}): {completed.stderr[-500:]!r}"
        )
    return elapsed


def alternate(runs: int, *contenders: Callable[[], float]) -> list[list[float]]:
    times: list[list[float]] = [[] for _ in contenders]
    for _ in range(runs):
        for index, contender in enumerate(contenders):
            times[index].append(contender())
    return times


def git_repo(source: Path, target: Path) -> Path:
    shutil.copytree(source, target / "django")
    environment = {**os.environ, **GIT, "GIT_COMMITTER_EMAIL": "b@b"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "django"]):
        subprocess.run(["git", "-C", str(target), *command], env=environment, check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    interpreter, version = alternate(
        runs,
        lambda: timed([sys.executable, "-c", "pass"]),
        lambda: timed([str(MAINTAINER), "--version"]),
    )

    source = django_source()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        ours = git_repo(source, work / "ours")
        paths = sorted(p.relative_to(ours).as_posix() for p in (ours / "django").rglob("*.py"))
        counter = iter(range(10_000))

        def scan() -> float:
            cache = work / f"cache-{next(counter)}"  # cold: an empty result cache every run
            environment = {**os.environ, "MAINTAINER_CACHE_DIR": str(cache)}
            command = [str(MAINTAINER), "scan", str(ours), "--only", "deprecation"]
            return timed([*command, "--format", "json"], env=environment)

        def pyupgrade() -> float:
            theirs = work / "theirs"
            shutil.rmtree(theirs, ignore_errors=True)
            shutil.copytree(source, theirs / "django")
            return timed([sys.executable, "-m", "pyupgrade", "--py311-plus", *paths], cwd=theirs)

        ours_times, theirs_times = alternate(runs, scan, pyupgrade)
        check = subprocess.run(
            [str(MAINTAINER), "scan", str(ours), "--only", "deprecation", "--format", "json"],
            capture_output=True,
            text=True,
            env={**os.environ, "MAINTAINER_CACHE_DIR": str(work / "cache-check")},
            check=False,
        )
        document = json.loads(check.stdout)

    scan_median = statistics.median(ours_times)
    pyupgrade_median = statistics.median(theirs_times)
    version_median = statistics.median(version)
    result = {
        "runs": runs,
        "load_average": os.getloadavg(),
        "python_pass_median_s": round(statistics.median(interpreter), 3),
        "version_median_s": round(version_median, 3),
        "version_target_met": version_median <= VERSION_TARGET,
        "django_files": len(paths),
        "scan_proposals": len(document["proposals"]),
        "scan_notes": document["notes"],
        "scan_median_s": round(scan_median, 3),
        "pyupgrade_median_s": round(pyupgrade_median, 3),
        "scan_runs_s": [round(t, 3) for t in ours_times],
        "pyupgrade_runs_s": [round(t, 3) for t in theirs_times],
        "ratio": round(scan_median / pyupgrade_median, 3),
        "ratio_target_met": scan_median <= RATIO_TARGET * pyupgrade_median,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
