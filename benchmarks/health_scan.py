"""`maintainer health` as the user waits for it: whole processes, the rival in the same run.

1. `maintainer health --history 0` of Django 5.2.8 (a git repository of the released tree)
   against `radon cc -s -j` over the same files. Target: at most 1.0x radon's wall time.
2. A 26-week history backfill against one sample, on a repository whose 26 weekly commits each
   change a few of Django's files (what real weeks look like). Target: at most 3x.
3. The same backfill beside `wily build` over the same 26 revisions (cyclomatic complexity and
   raw line counts, what our samples hold of the code). wily pins an older radon than the bench
   extra, so it runs from its own virtual environment under `benchmarks/.cache/` (made on the
   first run, from the package index).

Runs alternate (ours, theirs, ours, ...) so a change in machine load hits both; each figure is
the median of several runs; our sample store is empty every run (cold).

    .venv/bin/python -m benchmarks.health_scan [--runs 5]
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.django_source import django_source
from benchmarks.processes import GIT_ENV, alternate, checked, maintainer, timed

RADON = Path(sys.executable).with_name("radon")
WILY_VERSION = "1.25.0"
WILY_VENV = Path(__file__).resolve().parent / ".cache" / f"wily-{WILY_VERSION}"
RATIO_TARGET = 1.0
HISTORY_TARGET = 3.0
WEEKS = 26


def commit(root: Path, message: str, when: datetime) -> None:
    stamp = when.isoformat()
    env = {**os.environ, **GIT_ENV}
    env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run(["git", "-C", str(root), "add", "-A"], env=env, check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", message], env=env, check=True)


def weekly_repo(source: Path, target: Path, now: datetime) -> Path:
    """Django's tree, then one commit a week touching a few files (26 distinct samples)."""
    shutil.copytree(source, target / "django")
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    commit(target, "django", now - timedelta(weeks=WEEKS + 1))
    files = sorted((target / "django").rglob("*.py"))
    for week in range(WEEKS, 0, -1):
        for path in files[week * 7 : week * 7 + 5]:
            with path.open("a", encoding="utf-8") as stream:
                stream.write(f"\n\ndef added_in_week_{week}(x):\n    return x if x else -x\n")
        commit(target, f"week {week}", now - timedelta(weeks=week) + timedelta(hours=1))
    return target


def wily() -> Path:
    """The `wily` command, installed into its own virtual environment on first use."""
    command = WILY_VENV / "bin" / "wily"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", str(WILY_VENV)], check=True)
        pip = [str(WILY_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, f"wily=={WILY_VERSION}"], check=True)
    return command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S")
    source = django_source()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        repo = weekly_repo(source, work / "django-repo", now)
        files = sorted(str(p) for p in (repo / "django").rglob("*.py"))
        times: dict[str, list[float]] = {
            "ours": [],
            "radon": [],
            "single": [],
            "backfill": [],
            "backfill_vs_wily": [],
            "wily": [],
        }
        wily_command = wily()

        def health(weeks: int, into: str) -> Callable[[int], None]:
            def run(number: int) -> None:
                cache = work / f"cache-{into}-{number}"  # cold: an empty sample store every run
                command = [*maintainer(), "health", str(repo), "--format", "json"]
                options = ["--history", str(weeks), "--cache-dir", str(cache), "--now", stamp]
                times[into].append(checked(timed([*command, *options]), "maintainer").seconds)

            return run

        def radon(_: int) -> None:
            command = [str(RADON), "cc", "-s", "-j", *files]
            times["radon"].append(checked(timed(command), "radon", (0,)).seconds)

        def wily_build(number: int) -> None:
            cache = work / f"wily-{number}"  # cold, as our sample store is
            command = [str(wily_command), "--cache", str(cache), "-p", str(repo), "build"]
            command += ["django", "-n", str(WEEKS), "-o", "cyclomatic,raw"]
            times["wily"].append(checked(timed(command), "wily").seconds)

        alternate(runs, health(0, "ours"), radon)
        alternate(runs, health(0, "single"), health(WEEKS, "backfill"))
        alternate(runs, health(WEEKS, "backfill_vs_wily"), wily_build)
        ours, theirs, single, backfill = (times[k] for k in ("ours", "radon", "single", "backfill"))
        check = subprocess.run(
            [
                *maintainer(),
                "health",
                str(repo),
                "--format",
                "json",
                "--history",
                str(WEEKS),
                "--cache-dir",
                str(work / "check"),
                "--now",
                stamp,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        points = len(json.loads(check.stdout)["history"])

    ours_median, radon_median = statistics.median(ours), statistics.median(theirs)
    single_median, backfill_median = statistics.median(single), statistics.median(backfill)
    result = {
        "runs": runs,
        "load_average": os.getloadavg(),
        "django_files": len(files),
        "health_median_s": round(ours_median, 3),
        "radon_median_s": round(radon_median, 3),
        "health_runs_s": [round(t, 3) for t in ours],
        "radon_runs_s": [round(t, 3) for t in theirs],
        "ratio": round(ours_median / radon_median, 3),
        "ratio_target_met": ours_median <= RATIO_TARGET * radon_median,
        "history_points": points,
        "one_sample_median_s": round(single_median, 3),
        "backfill_median_s": round(backfill_median, 3),
        "backfill_ratio": round(backfill_median / single_median, 3),
        "backfill_target_met": backfill_median <= HISTORY_TARGET * single_median,
        "backfill_beside_wily_median_s": round(statistics.median(times["backfill_vs_wily"]), 3),
        "wily_build_median_s": round(statistics.median(times["wily"]), 3),
        "wily_runs_s": [round(t, 3) for t in times["wily"]],
        "backfill_to_wily_ratio": round(
            statistics.median(times["backfill_vs_wily"]) / statistics.median(times["wily"]), 3
        ),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
