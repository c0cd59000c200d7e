"""What a dependency PR knows about breakage: API diff + call-site search for 20 popular
packages, timed as the user waits for it (one ``maintainer scan`` process each run).

Usage: python benchmarks/dependency_impact.py [--runs N]

Uses the live index (PyPI, or PIP_INDEX_URL): the benchmark is the only place that does. A
repository pins 20 popular packages at old releases and uses them in a module; the scan runs
with ``--only dependency-update``. Figures:

* cold: empty index and distribution caches (downloads, unpacking, griffe, call sites);
* warm: distributions and API diffs cached (the state of every scan after the first);
* warm, no diff cache: distributions cached but every API diff recomputed with griffe;
* baseline: the same scan with the index cache warm and the impact assessment switched off
  (``MAINTAINER_NO_API_DIFF=1``), the cost of a scan before this feature.

No rival is timed: neither Dependabot nor Renovate compares APIs. Target: warm <= 10 s.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import make_repo  # noqa: E402

PINS = {
    "requests": "2.25.1",
    "urllib3": "1.26.5",
    "click": "7.1.2",
    "flask": "1.1.4",
    "jinja2": "2.11.3",
    "werkzeug": "1.0.1",
    "itsdangerous": "1.1.0",
    "markupsafe": "1.1.1",
    "attrs": "20.3.0",
    "six": "1.15.0",
    "idna": "2.10",
    "certifi": "2020.12.5",
    "chardet": "3.0.4",
    "packaging": "20.9",
    "pyparsing": "2.4.7",
    "python-dateutil": "2.8.1",
    "pytz": "2021.1",
    "toml": "0.10.1",
    "tomli": "1.2.3",
    "colorama": "0.4.4",
}
USES = """\
import attr
import click
import flask
import jinja2
import requests
import six
import toml
from dateutil import parser
from itsdangerous import TimedJSONWebSignatureSerializer
from markupsafe import Markup, soft_unicode
from packaging.version import LegacyVersion
from werkzeug.security import safe_str_cmp


@click.command()
def main():
    env = jinja2.Environment()
    env.compile_templates("out", py_compile=True)
    flask.Markup(jinja2.escape("x"))
    requests.get("https://example.invalid", timeout=1)
    six.moves.urllib.parse.quote("x")
    parser.parse("2020-01-01")
    toml.loads("a = 1")
    return attr.s, safe_str_cmp, TimedJSONWebSignatureSerializer, Markup, soft_unicode

"""
TARGET_SECONDS = 10.0


def scan(repo: Path, cache: Path, *, no_api_diff: bool = False) -> tuple[float, dict[str, object]]:
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    if no_api_diff:
        environment["MAINTAINER_NO_API_DIFF"] = "1"
    command = [
        sys.executable,
        "-m",
        "app",
        "scan",
        str(repo),
        "--only",
        "dependency-update",
        "--format",
        "json",
        "--cache-dir",
        str(cache / "index"),
    ]
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"scan failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return elapsed, json.loads(completed.stdout)


def summary(document: dict[str, object]) -> str:
    proposals = document.get("proposals", [])
    assert isinstance(proposals, list)
    breaking = sum(len(p.get("breaking", [])) for p in proposals)
    uncompared = sum(1 for p in proposals if p.get("api_compared") is False)
    return (
        f"{len(proposals)} proposals, {breaking} breaking changes with call sites, "
        f"{uncompared} not compared"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        requirements = "".join(f"{name}=={version}\n" for name, version in PINS.items())
        repo = make_repo(
            base / "repo",
            files={
                "requirements.txt": requirements,
                "service.py": USES,
                ".maintainer.yml": "open_pr_limit: 100\nmin_release_age_days: 0\n",
            },
        )
        cache = base / "cache"
        cold, document = scan(repo, cache)
        print(f"cold (empty caches): {cold:.2f} s; {summary(document)}")
        warm_runs: list[float] = []
        fresh_runs: list[float] = []
        baseline_runs: list[float] = []
        diffs = cache / "maintainer-bot" / "distributions" / "diffs"
        for _ in range(runs):  # alternate the variants so load changes hit them alike
            baseline_runs.append(scan(repo, cache, no_api_diff=True)[0])
            warm_runs.append(scan(repo, cache)[0])
            shutil.rmtree(diffs, ignore_errors=True)
            fresh_runs.append(scan(repo, cache)[0])
        warm = statistics.median(warm_runs)
        fresh = statistics.median(fresh_runs)
        baseline = statistics.median(baseline_runs)
        print(f"warm (median of {runs}): {warm:.2f} s (target <= {TARGET_SECONDS:.0f} s)")
        print(f"warm distributions, API diffs recomputed: {fresh:.2f} s")
        print(f"baseline without impact assessment: {baseline:.2f} s")
        print(f"cold / warm: {cold / warm:.1f}x; warm / baseline: {warm / baseline:.2f}x")
        if warm > TARGET_SECONDS:
            raise SystemExit(f"warm {warm:.2f} s is over the {TARGET_SECONDS:.0f} s target")


if __name__ == "__main__":
    main()
