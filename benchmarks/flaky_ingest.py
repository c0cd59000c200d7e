"""`maintainer flaky --junit DIR` on a CI history beside junitparser reading it, whole processes.

The history: 1,000 JUnit files (500 commits, two attempts each, one hour apart) of 2,000 tests
each, pytest-shaped, generated into a temporary folder: 20 tests fail a third of their runs
(flaky), one test is broken from run 800 on, the others pass.

Per round, alternating which goes first, three processes are timed:

- ours: ``maintainer flaky DIR --junit DIR --format json`` (read, detect, causes, report);
- junitparser reading the results: ``JUnitXml.fromfile`` of each file, then each test case's
  classname, name, time and result: what any analysis needs, no analysis done (the target
  compares with this: ours <= 0.5x);
- junitparser parsing only: ``JUnitXml.fromfile`` of each file and nothing else (the XML parse
  alone, for reference).

Reported: median wall time of each, the ratios, and each process's peak resident memory
(``wait4``'s ``ru_maxrss``).

    .venv/bin/python -m benchmarks.flaky_ingest [--rounds 3] [--files 1000] [--tests 2000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.processes import Run, maintainer, timed, timings

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.5
FLAKY_TESTS = 20
BROKEN_FROM = 0.8

JUNITPARSER_RESULTS = """
import sys
from pathlib import Path
from junitparser import JUnitXml

count = 0
for path in sorted(Path(sys.argv[1]).rglob("*.xml")):
    for suite in JUnitXml.fromfile(str(path)):
        for case in suite:
            case.classname, case.name, case.time, case.result
            count += 1
print(count)
"""

JUNITPARSER_PARSE = """
import sys
from pathlib import Path
from junitparser import JUnitXml

files = 0
for path in sorted(Path(sys.argv[1]).rglob("*.xml")):
    JUnitXml.fromfile(str(path))
    files += 1
print(files)
"""


def generate(folder: Path, files: int, tests: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 9, 7, tzinfo=UTC)
    names = [(f"tests.test_module_{i // 25:03d}", f"test_case_{i:05d}") for i in range(tests)]
    flaky = set(rng.sample(range(tests), FLAKY_TESTS))
    broken = rng.randrange(tests)
    for index in range(files):
        commit = f"{index // 2:040x}"
        when = start + timedelta(hours=index)
        parts = [
            '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
            f'<testsuite name="pytest" errors="0" failures="0" skipped="0" tests="{tests}" '
            f'time="{tests * 0.01:.3f}" timestamp="{when.isoformat()}" hostname="ci">'
        ]
        for number, (classname, name) in enumerate(names):
            chance = 0.33 if number in flaky else 0.0
            fails = rng.random() < chance or (number == broken and index >= files * BROKEN_FROM)
            parts.append(
                f'<testcase classname="{classname}" name="{name}" time="{rng.random():.3f}"'
            )
            if fails:
                parts.append(
                    f'><failure message="AssertionError: assert {rng.randrange(100)} == 3">'
                    "def test():\n&gt;       assert value == 3\nE       AssertionError"
                    "</failure></testcase>"
                )
            else:
                parts.append(" />")
        parts.append("</testsuite></testsuites>")
        path = folder / commit / f"attempt-{index % 2 + 1}" / "junit.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(parts), encoding="utf-8")


def run(rounds: int, files: int, tests: int) -> dict[str, Any]:
    results: dict[str, list[Run]] = {"ours": [], "junitparser": [], "junitparser_parse": []}
    with tempfile.TemporaryDirectory(prefix="flaky-bench-") as scratch:
        history = Path(scratch) / "history"
        generate(history, files, tests)
        env = dict(os.environ)
        ours = [*maintainer(), "flaky", str(history), "--junit", str(history), "--format", "json"]
        reading = [sys.executable, "-c", JUNITPARSER_RESULTS, str(history)]
        parsing = [sys.executable, "-c", JUNITPARSER_PARSE, str(history)]
        for number in range(rounds):

            def mine() -> None:
                results["ours"].append(timed(ours, ROOT, env))

            def theirs() -> None:
                results["junitparser"].append(timed(reading, ROOT, env))
                results["junitparser_parse"].append(timed(parsing, ROOT, env))

            for step in (theirs, mine) if number % 2 == 0 else (mine, theirs):
                step()
    return summarize(results, files, tests)


def summarize(results: dict[str, list[Run]], files: int, tests: int) -> dict[str, Any]:
    measured = timings(results)
    median = measured["seconds"]
    document = json.loads(results["ours"][-1].stdout)
    return {
        "files": files,
        "tests_per_file": tests,
        "rounds": len(results["ours"]),
        **measured,
        "ratio": median["ours"] / median["junitparser"],
        "ratio_to_parse_only": median["ours"] / median["junitparser_parse"],
        "cases_read_by_junitparser": int(results["junitparser"][-1].stdout.strip() or 0),
        "our_runs": document["runs"],
        "our_tests": document["tests"],
        "our_states": {
            state: sum(1 for f in document["flaky"] if f["state"] == state)
            for state in ("flaky", "broken")
        },
    }


def report(summary: dict[str, Any]) -> str:
    seconds, memory = summary["seconds"], summary["peak_mib"]
    return "\n".join(
        [
            f"`maintainer flaky --junit` on {summary['files']} JUnit files of "
            f"{summary['tests_per_file']} tests, whole processes ({summary['cpus']} CPUs, load "
            f"{summary['load_average']:.1f}, median of {summary['rounds']} alternating rounds)",
            f"  junitparser, reading results  {seconds['junitparser']:6.2f} s  "
            f"peak {memory['junitparser']:5.0f} MiB",
            f"  junitparser, parse only       {seconds['junitparser_parse']:6.2f} s  "
            f"peak {memory['junitparser_parse']:5.0f} MiB",
            f"  ours (read + detect + report) {seconds['ours']:6.2f} s  "
            f"peak {memory['ours']:5.0f} MiB  {summary['ratio']:.2f}x junitparser reading "
            f"(target <= {TARGET}x), {summary['ratio_to_parse_only']:.2f}x its parse alone",
            f"  every run: {summary['all_seconds']}",
            f"Output: {summary['our_runs']} runs, {summary['our_tests']} tests, "
            f"{summary['our_states']}; junitparser read {summary['cases_read_by_junitparser']} "
            "cases",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    summary = run(arguments.rounds, arguments.files, arguments.tests)
    print(json.dumps(summary, indent=2) if arguments.json else report(summary))


if __name__ == "__main__":
    main()
