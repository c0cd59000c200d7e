"""`maintainer scan --only dead-code` on Django 5.2.8 beside vulture, as whole processes.

The user waits for the command, not for one function: each measurement is one process started
and waited for (interpreter start-up, imports, git, detection, the planner building the
admitted proposals, output). Per round, on a git repository holding the Django package:

- vulture over the package (``python -m vulture django``),
- ours cold: an empty facts cache (``XDG_CACHE_HOME`` points at a fresh folder) and no
  resident process yet (a fresh ``MAINTAINER_RESIDENT_DIR``); this first scan starts one,
- ours warm: the same cache after one file changed (a function appended to one module), run
  as a user's shell runs it: by the resident process that the cold scan started
  (`app.resident`, on by default outside CI), which must report having run it,
- ours warm, resident process off: the same after one more change, with
  ``MAINTAINER_RESIDENT=off`` (the scan imports its modules itself, as under CI),

in alternating order (even rounds vulture first, odd rounds ours first). Reported: the median
wall time of each, the ratios to vulture (targets: cold <= 1.0x, warm <= 0.15x) and the peak
resident memory of each process (``wait4``'s ``ru_maxrss``: the largest of the process and its
worker processes; for a command the resident process ran, the command's own peak, pages
shared with the resident process included). For reference, each round also times a process
that only imports the command's module (``python -c "import app.cli"``).

    .venv/bin/python -m benchmarks.dead_code_scan [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.django_source import DJANGO_VERSION, django_source
from benchmarks.processes import (
    Run,
    git_repository,
    maintainer,
    resident_env,
    resident_status,
    served,
    stop_resident,
    timed,
    timings,
)

ROOT = Path(__file__).resolve().parent.parent
CHANGED_FILE = "django/utils/text.py"
COLD_TARGET = 1.0
WARM_TARGET = 0.15


def make_repository(root: Path) -> None:
    git_repository(django_source(), root, {".maintainer.yml": "enabled: [dead-code]\n"})


def change_one_file(root: Path, number: int) -> None:
    with (root / CHANGED_FILE).open("a", encoding="utf-8") as handle:
        handle.write(f"\n\ndef _benchmark_added_{number}():\n    return {number}\n")


def run(rounds: int) -> dict[str, Any]:
    # Our modules' bytecode, as an installed package has it (pip compiles at install, as it did
    # vulture's): a source checkout run under PYTHONDONTWRITEBYTECODE would otherwise compile
    # its ~60 modules again in every timed process.
    compileall.compile_dir(ROOT / "app", quiet=1)
    results: dict[str, list[Run]] = {
        "vulture": [],
        "cold": [],
        "warm": [],
        "warm_alone": [],
        "startup": [],
    }
    resident_peaks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="dead-code-bench-") as scratch:
        root = Path(scratch) / "repo"
        make_repository(root)
        scan = [*maintainer(), "scan", "--only", "dead-code", "--format", "json", str(root)]
        vulture = [sys.executable, "-m", "vulture", "django"]
        for number in range(rounds):
            env = {
                **os.environ,
                "XDG_CACHE_HOME": str(Path(scratch) / f"cache-{number}"),
                **resident_env(Path(scratch) / f"resident-{number}"),
            }

            def ours(env: dict[str, str] = env, number: int = number) -> None:
                results["cold"].append(timed(scan, root, env))
                change_one_file(root, 2 * number)
                results["warm"].append(served(timed(scan, root, env), env, 1))
                resident_peaks.append(float(resident_status(env)["peak_mib"]))
                stop_resident(env)
                change_one_file(root, 2 * number + 1)
                alone = {**env, "MAINTAINER_RESIDENT": "off"}
                results["warm_alone"].append(timed(scan, root, alone))

            def theirs() -> None:
                results["vulture"].append(timed(vulture, root, dict(os.environ)))
                startup = [sys.executable, "-c", "import app.cli"]
                results["startup"].append(timed(startup, ROOT, dict(os.environ)))

            for step in (theirs, ours) if number % 2 == 0 else (ours, theirs):
                step()
    return {**summarize(results), "resident_peak_mib": max(resident_peaks)}


def summarize(results: dict[str, list[Run]]) -> dict[str, Any]:
    measured = timings(results)
    median = measured["seconds"]
    last = json.loads(results["cold"][-1].stdout)
    return {
        "django": DJANGO_VERSION,
        "rounds": len(results["vulture"]),
        **measured,
        "cold_ratio": median["cold"] / median["vulture"],
        "warm_ratio": median["warm"] / median["vulture"],
        "warm_alone_ratio": median["warm_alone"] / median["vulture"],
        "vulture_findings": len(results["vulture"][-1].stdout.splitlines()),
        "our_proposals": len(last["proposals"]),
        "our_reported_files": len(last["reported"]),
    }


def report(summary: dict[str, Any]) -> str:
    seconds, memory = summary["seconds"], summary["peak_mib"]
    return "\n".join(
        [
            f"`maintainer scan --only dead-code` on Django {summary['django']}, whole processes "
            f"({summary['cpus']} CPUs, load {summary['load_average']:.1f}, "
            f"median of {summary['rounds']} alternating rounds)",
            f"  vulture      {seconds['vulture']:6.2f} s  peak {memory['vulture']:5.0f} MiB",
            f"  ours, cold   {seconds['cold']:6.2f} s  peak {memory['cold']:5.0f} MiB  "
            f"{summary['cold_ratio']:.2f}x vulture (target <= {COLD_TARGET}x)",
            f"  ours, warm   {seconds['warm']:6.2f} s  peak {memory['warm']:5.0f} MiB  "
            f"{summary['warm_ratio']:.2f}x vulture (target <= {WARM_TARGET}x; one file changed; "
            "run by the resident process)",
            f"  ours, warm, resident process off {seconds['warm_alone']:6.2f} s  "
            f"peak {memory['warm_alone']:5.0f} MiB  {summary['warm_alone_ratio']:.2f}x vulture",
            f"  the resident process itself: peak {summary['resident_peak_mib']:.0f} MiB",
            f"  import of the command module alone: {seconds['startup']:.2f} s (part of each run)",
            f"  every run: {summary['all_seconds']}",
            f"Output: vulture {summary['vulture_findings']} lines; ours "
            f"{summary['our_proposals']} proposals (open_pr_limit), "
            f"{summary['our_reported_files']} files reported",
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
