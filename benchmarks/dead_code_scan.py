"""Dead-code detection on Django 5.2.8: our index versus vulture, in one run.

Measures, over a private copy of the Django package (from ``django_source()``):

- cold: our detection with an empty facts cache (parallel extraction),
- warm: our detection again after one file changed (cache hits for every other file),
- vulture over the same source (``Vulture.scavenge`` + ``get_unused_code``),

each in a fresh child process, so peak memory (RSS, ``ru_maxrss``) belongs to one tool. Wall
times are measured inside the child around the work itself (interpreter start-up excluded for
both tools). Candidate counts are at each tool's default threshold: vulture reports everything
at 60% confidence and above; we count candidates at or above ``dead_code.threshold`` (80).

    python -m benchmarks.dead_code_scan [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.django_source import DJANGO_VERSION, django_source

CHANGED_FILE = "django/utils/text.py"
DEFAULT_THRESHOLD = 80


def _peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child (worker), in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def child_ours(root: Path, cache_dir: Path, library: bool) -> dict[str, Any]:
    from app.deadcode.cache import FactsCache
    from app.deadcode.detect import detect
    from app.deadcode.guards import GuardSettings

    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    started = time.perf_counter()
    detection = detect(
        root, files, GuardSettings(library_public_api=library), cache=FactsCache(cache_dir)
    )
    seconds = time.perf_counter() - started
    own, workers = _peak_rss_mb()
    candidates = detection.candidates
    return {
        "seconds": seconds,
        "candidates": len(candidates),
        "over_threshold": sum(1 for c in candidates if c.confidence >= DEFAULT_THRESHOLD),
        "files_read": len(detection.index.parsed),
        "python_files": len(detection.index.python),
        "rss_mb": own,
        "workers_rss_mb": workers,
    }


def child_vulture(root: Path) -> dict[str, Any]:
    import vulture

    started = time.perf_counter()
    scanner = vulture.Vulture(verbose=False)
    scanner.scavenge([str(root / "django")])
    items = scanner.get_unused_code(min_confidence=0)
    seconds = time.perf_counter() - started
    own, workers = _peak_rss_mb()
    return {
        "seconds": seconds,
        "candidates": len(items),
        "rss_mb": own,
        "workers_rss_mb": workers,
    }


def _spawn(*args: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.dead_code_scan", "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _change_one_file(root: Path, round_number: int) -> None:
    path = root / CHANGED_FILE
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n\ndef _benchmark_added_{round_number}():\n    return {round_number}\n")


def run(repeat: int) -> dict[str, Any]:
    source = django_source()
    rounds: list[dict[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="dead-code-bench-") as scratch:
        root = Path(scratch) / "src"
        shutil.copytree(source, root / "django")
        for number in range(repeat):
            cache = Path(scratch) / f"cache-{number}"
            cold = _spawn("ours", str(root), str(cache), "0")
            _change_one_file(root, number)
            warm = _spawn("ours", str(root), str(cache), "0")
            library = _spawn("ours", str(root), str(cache), "1")
            vulture_run = _spawn("vulture", str(root))
            rounds.append({"cold": cold, "warm": warm, "library": library, "vulture": vulture_run})
    return summarize(rounds)


def summarize(rounds: list[dict[str, dict[str, Any]]]) -> dict[str, Any]:
    def median(tool: str, key: str) -> float:
        return float(statistics.median(r[tool][key] for r in rounds))

    vulture_seconds = median("vulture", "seconds")
    last = rounds[-1]
    return {
        "django": DJANGO_VERSION,
        "rounds": len(rounds),
        "cpus": os.cpu_count(),
        "vulture_seconds": vulture_seconds,
        "cold_seconds": median("cold", "seconds"),
        "warm_seconds": median("warm", "seconds"),
        "cold_ratio": median("cold", "seconds") / vulture_seconds,
        "warm_ratio": median("warm", "seconds") / vulture_seconds,
        "warm_files_read": last["warm"]["files_read"],
        "python_files": last["cold"]["python_files"],
        "vulture_candidates": last["vulture"]["candidates"],
        "our_candidates": last["cold"]["candidates"],
        "our_candidates_over_threshold": last["cold"]["over_threshold"],
        "our_candidates_library_mode": last["library"]["candidates"],
        "our_candidates_library_mode_over_threshold": last["library"]["over_threshold"],
        "peak_rss_mb": {
            "vulture": max(r["vulture"]["rss_mb"] for r in rounds),
            "ours_cold_main": max(r["cold"]["rss_mb"] for r in rounds),
            "ours_cold_worker": max(r["cold"]["workers_rss_mb"] for r in rounds),
            "ours_warm": max(r["warm"]["rss_mb"] for r in rounds),
        },
    }


def report(summary: dict[str, Any]) -> str:
    memory = summary["peak_rss_mb"]
    lines = [
        f"Dead-code detection over Django {summary['django']} "
        f"({summary['python_files']} Python files, {summary['cpus']} CPUs, "
        f"median of {summary['rounds']} rounds)",
        f"  vulture           {summary['vulture_seconds']:6.2f} s",
        f"  ours, cold        {summary['cold_seconds']:6.2f} s  "
        f"({summary['cold_ratio']:.2f}x vulture; target <= 1.0x)",
        f"  ours, warm        {summary['warm_seconds']:6.2f} s  "
        f"({summary['warm_ratio']:.2f}x vulture; target <= 0.15x; "
        f"{summary['warm_files_read']} file(s) read)",
        "Candidates at default thresholds",
        f"  vulture (>= 60%)  {summary['vulture_candidates']}",
        f"  ours (>= {DEFAULT_THRESHOLD}%)     {summary['our_candidates_over_threshold']} "
        f"of {summary['our_candidates']} (application mode); "
        f"{summary['our_candidates_library_mode_over_threshold']} "
        f"of {summary['our_candidates_library_mode']} with library_public_api",
        "Peak memory (RSS)",
        f"  vulture           {memory['vulture']:6.0f} MiB",
        f"  ours, cold        {memory['ours_cold_main']:6.0f} MiB main, "
        f"{memory['ours_cold_worker']:.0f} MiB per worker",
        f"  ours, warm        {memory['ours_warm']:6.0f} MiB",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        tool, *rest = arguments.child
        if tool == "ours":
            result = child_ours(Path(rest[0]), Path(rest[1]), rest[2] == "1")
        else:
            result = child_vulture(Path(rest[0]))
        print(json.dumps(result))
        return
    summary = run(arguments.repeat)
    print(json.dumps(summary, indent=2) if arguments.json else report(summary))


if __name__ == "__main__":
    main()
