"""Start-up as the user waits for it: `maintainer --version` beside `python -c pass`.

Both are whole processes, alternating; each figure is the median of several runs. Target: at
most 0.3 s for `maintainer --version` (the lazy command group imports no analyzer). The
deprecation scan's own benchmark is `benchmarks/deprecation_scan.py`.

    .venv/bin/python -m benchmarks.cli_startup [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

from benchmarks.processes import alternate, checked, maintainer, timed

VERSION_TARGET = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {"python -c pass": [], "maintainer --version": []}

    def interpreter(_: int) -> None:
        command = [sys.executable, "-c", "pass"]
        times["python -c pass"].append(checked(timed(command), "python").seconds)

    def version(_: int) -> None:
        command = [*maintainer(), "--version"]
        times["maintainer --version"].append(checked(timed(command), "maintainer").seconds)

    alternate(runs, interpreter, version)
    medians = {name: statistics.median(values) for name, values in times.items()}
    result = {
        "runs": runs,
        "load_average": os.getloadavg()[0],
        "median_s": {name: round(value, 3) for name, value in medians.items()},
        "all_s": {name: [round(v, 3) for v in values] for name, values in times.items()},
        "version_target_met": medians["maintainer --version"] <= VERSION_TARGET,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
