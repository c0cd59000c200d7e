"""`maintainer scan --only deprecation` on Django 5.2.8 beside pyupgrade, as whole processes.

The user waits for the command: every figure is one process started and waited for. Per round,
on a git repository holding the Django package (883 files):

- pyupgrade ``--py311-plus`` over the same files, on a fresh copy (it rewrites in place),
- ours cold: an empty cache (``--cache-dir`` and ``XDG_CACHE_HOME`` point at a fresh folder)
  and no resident process yet (a fresh ``MAINTAINER_RESIDENT_DIR``): this first scan starts one,
- ours warm: the same cache after an ordinary edit of the largest file, run as a user's shell
  runs it: by the resident process (`app.resident`, on by default outside CI),
- ours warm, worst case: that file gains a deprecated call, so libcst has to parse and fix it
  (the resident process again),

in alternating order. Reported: medians, the cold ratio to pyupgrade (target <= 0.3x; no file
needs a fix), the warm times (target <= 1 s) and peak resident memory (the process or its
workers, the larger).

    .venv/bin/python -m benchmarks.deprecation_scan [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.django_source import DJANGO_VERSION, django_source
from benchmarks.processes import (
    Run,
    alternate,
    checked,
    git_repository,
    maintainer,
    resident_env,
    served,
    stop_resident,
    timed,
    timings,
)

ORDINARY_EDIT = "\n# an ordinary edit\n"
DEPRECATED_CALL = (
    "\n\ndef _stamp():\n    import datetime\n\n    return datetime.datetime.utcnow()\n"
)
COLD_TARGET = 0.3
WARM_TARGET = 1.0


def run(rounds: int) -> dict[str, Any]:
    results: dict[str, list[Run]] = {"pyupgrade": [], "cold": [], "warm": [], "worst": []}
    source = django_source()
    with tempfile.TemporaryDirectory(prefix="deprecation-bench-") as scratch:
        work = Path(scratch)
        root = git_repository(source, work / "repo")
        paths = sorted(p.relative_to(root).as_posix() for p in (root / "django").rglob("*.py"))
        largest = max(paths, key=lambda p: (root / p).stat().st_size)
        pristine = (root / largest).read_text(encoding="utf-8")

        def ours(number: int) -> None:
            cache = work / f"cache-{number}"
            env = {
                **os.environ,
                "XDG_CACHE_HOME": str(cache),
                "MAINTAINER_CACHE_DIR": str(cache),
                **resident_env(work / f"resident-{number}"),
            }
            scan = [*maintainer(), "scan", str(root), "--only", "deprecation", "--format", "json"]
            scan += ["--cache-dir", str(cache)]
            (root / largest).write_text(pristine, encoding="utf-8")
            results["cold"].append(checked(timed(scan, root, env), "maintainer scan"))
            (root / largest).write_text(pristine + ORDINARY_EDIT, encoding="utf-8")
            warm = checked(timed(scan, root, env), "maintainer scan")
            results["warm"].append(served(warm, env, 1))
            (root / largest).write_text(pristine + ORDINARY_EDIT + DEPRECATED_CALL, "utf-8")
            worst = checked(timed(scan, root, env), "maintainer scan")
            results["worst"].append(served(worst, env, 2))
            stop_resident(env)

        def theirs(number: int) -> None:
            copy = work / "pyupgrade"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(source, copy / "django")
            command = [sys.executable, "-m", "pyupgrade", "--py311-plus", *paths]
            results["pyupgrade"].append(checked(timed(command, copy), "pyupgrade"))

        alternate(rounds, theirs, ours)
        (root / largest).write_text(pristine, encoding="utf-8")
    return summarize(results, len(paths), largest)


def summarize(results: dict[str, list[Run]], files: int, largest: str) -> dict[str, Any]:
    measured = timings(results)
    median = measured["seconds"]
    worst = json.loads(results["worst"][-1].stdout)
    return {
        "django": DJANGO_VERSION,
        "files": files,
        "changed_file": largest,
        "rounds": len(results["pyupgrade"]),
        **measured,
        "cold_ratio": median["cold"] / median["pyupgrade"],
        "cold_target_met": median["cold"] <= COLD_TARGET * median["pyupgrade"],
        "warm_target_met": max(median["warm"], median["worst"]) <= WARM_TARGET,
        "worst_case_proposals": len(worst["proposals"]),
    }


def report(summary: dict[str, Any]) -> str:
    seconds, memory = summary["seconds"], summary["peak_mib"]
    return "\n".join(
        [
            f"`maintainer scan --only deprecation` on Django {summary['django']} "
            f"({summary['files']} files), whole processes ({summary['cpus']} CPUs, load "
            f"{summary['load_average']:.1f}, median of {summary['rounds']} alternating rounds)",
            f"  pyupgrade     {seconds['pyupgrade']:6.2f} s  peak {memory['pyupgrade']:5.0f} MiB",
            f"  ours, cold    {seconds['cold']:6.2f} s  peak {memory['cold']:5.0f} MiB  "
            f"{summary['cold_ratio']:.2f}x pyupgrade (target <= {COLD_TARGET}x)",
            f"  ours, warm    {seconds['warm']:6.2f} s  peak {memory['warm']:5.0f} MiB  "
            f"(an ordinary edit of {summary['changed_file']}; target <= {WARM_TARGET} s)",
            f"  ours, worst   {seconds['worst']:6.2f} s  peak {memory['worst']:5.0f} MiB  "
            f"(that file gains a deprecated call: {summary['worst_case_proposals']} proposal(s))",
            f"  every run: {summary['all_seconds']}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    summary = run(arguments.rounds)
    print(json.dumps(summary, indent=2) if arguments.json else report(summary))


if __name__ == "__main__":
    main()
