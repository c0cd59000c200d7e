"""Deprecation scan speed on Django 5.2.8 (883 files) against `pyupgrade --py311-plus`.

In one run: copy the Django package into two temporary folders (nothing cached is modified),
time our cold scan (every rule, empty cache, worker processes), a warm scan after an ordinary
edit of the largest file, and the worst warm case: that file gains a deprecated call, so libcst
has to parse it, and pyupgrade over the same files; report peak memory. Targets: cold <= 0.5x
pyupgrade's wall time, warm <= 1 s.

    .venv/bin/python benchmarks/deprecation_scan.py
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.deprecations.cache import ResultCache  # noqa: E402
from app.deprecations.runner import Runner, RunReport  # noqa: E402
from benchmarks.django_source import django_source  # noqa: E402
from codemods.base import ProjectFacts, Rule  # noqa: E402
from codemods.registry import RULES  # noqa: E402

CHANGE = "\n\ndef _stamp():\n    import datetime\n\n    return datetime.datetime.utcnow()\n"
COLD_TARGET = 0.5
WARM_TARGET = 1.0


def families() -> dict[str, list[type[Rule]]]:
    batches: dict[str, list[type[Rule]]] = {}
    for rule in RULES:
        batches.setdefault(rule.info.family, []).append(rule)
    return batches


def timed_scan(root: Path, paths: list[str], cache: Path) -> tuple[float, RunReport]:
    runner = Runner(root, families(), facts=ProjectFacts(), cache=ResultCache(cache))
    start = time.perf_counter()
    report = runner.run(paths)
    return time.perf_counter() - start, report


def pyupgrade(root: Path, paths: list[str]) -> float:
    command = [sys.executable, "-m", "pyupgrade", "--py311-plus", *paths]
    start = time.perf_counter()
    subprocess.run(command, cwd=root, capture_output=True, check=False)
    return time.perf_counter() - start


def peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    source = django_source()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        ours, theirs, cache = work / "ours", work / "theirs", work / "cache"
        shutil.copytree(source, ours / "django")
        shutil.copytree(source, theirs / "django")
        paths = sorted(p.relative_to(ours).as_posix() for p in (ours / "django").rglob("*.py"))

        cold, report = timed_scan(ours, paths, cache)
        ours_children = peak_mib(resource.RUSAGE_CHILDREN)
        changed = max(paths, key=lambda p: (ours / p).stat().st_size)
        with (ours / changed).open("a", encoding="utf-8") as stream:
            stream.write("\n# an ordinary edit\n")
        warm, warm_report = timed_scan(ours, paths, cache)
        # The worst warm case: the largest file gains a deprecated call, so libcst must parse it.
        with (ours / changed).open("a", encoding="utf-8") as stream:
            stream.write(CHANGE)
        worst, worst_report = timed_scan(ours, paths, cache)
        ours_main = peak_mib(resource.RUSAGE_SELF)

        upgrade = pyupgrade(theirs, paths)
        result = {
            "files": len(paths),
            "rules": len(RULES),
            "workers": os.cpu_count(),
            "cold_seconds": round(cold, 3),
            "cold_stats": vars(report.stats),
            "findings": sum(len(r.hits) for r in report.results),
            "errors": len(report.errors),
            "warm_seconds": round(warm, 3),
            "warm_stats": vars(warm_report.stats),
            "warm_changed_file": changed,
            "warm_worst_seconds": round(worst, 3),
            "warm_worst_stats": vars(worst_report.stats),
            "warm_worst_findings": sum(len(r.hits) for r in worst_report.results),
            "pyupgrade_seconds": round(upgrade, 3),
            "cold_ratio": round(cold / upgrade, 3),
            "peak_rss_mib_main": round(ours_main, 1),
            "peak_rss_mib_workers": round(ours_children, 1),
            "cold_target_met": cold <= COLD_TARGET * upgrade,
            "warm_target_met": warm <= WARM_TARGET,
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
