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
  (``MAINTAINER_NO_API_DIFF=1``), the cost of a scan before this feature;
* assessment alone: one process (``--assess``) that loads the repository and assesses the 20
  updates (each pin to the newest release): API diff, call sites, migration, release notes.

No rival is timed: neither Dependabot nor Renovate compares APIs. Target: the assessment of
the 20 updates, warm, <= 10 s.
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
        str(cache / "maintainer-bot"),
    ]
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"scan failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return elapsed, json.loads(completed.stdout)


def assess_only(repo: Path, cache: Path) -> None:
    """Run in its own process: the 20 updates' assessment, printing what it found."""
    from packaging.version import Version

    from app.apidiff.callsites import ReferenceIndex
    from app.apidiff.distributions import Distributions
    from app.apidiff.impact import ImpactAssessor
    from app.index.cache import HttpCache
    from app.index.client import SimpleIndex
    from app.index.model import Project
    from app.snapshot import snapshot_of

    snapshot = snapshot_of(repo)
    paths = list(snapshot.python_files())
    projects = SimpleIndex(cache=HttpCache(cache / "maintainer-bot" / "index")).fetch(list(PINS))
    assessor = ImpactAssessor(
        Distributions(cache_dir=cache / "maintainer-bot" / "distributions"),
        snapshot.root,
        ReferenceIndex(snapshot, paths),
        paths,
    )
    breaking = compared = 0
    for name, pinned in PINS.items():
        project = projects[name]
        assert isinstance(project, Project)
        stable = [r.version for r in project.releases if not r.version.is_prerelease]
        newest = max(v for v in stable if v > Version(pinned))
        impact = assessor.assess(name, pinned, str(newest))
        breaking += len(impact.breaking)
        compared += impact.uncompared is None
    print(f"{len(PINS)} updates, {compared} compared, {breaking} breaking changes with call sites")


def timed_assessment(repo: Path, cache: Path) -> tuple[float, str]:
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    command = [sys.executable, __file__, "--assess", str(repo), str(cache)]
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, completed.stdout.strip()


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
    parser.add_argument("--assess", nargs=2, metavar=("REPO", "CACHE"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.assess:
        assess_only(Path(arguments.assess[0]), Path(arguments.assess[1]))
        return
    runs = arguments.runs
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
        cold_assessment, found = timed_assessment(repo, base / "assess-cache")
        print(f"assessment alone, cold (empty caches): {cold_assessment:.2f} s; {found}")
        cold, document = scan(repo, cache)
        print(f"scan, cold (empty caches): {cold:.2f} s; {summary(document)}")
        assessments: list[float] = []
        warm_runs: list[float] = []
        fresh_runs: list[float] = []
        baseline_runs: list[float] = []
        diffs = cache / "maintainer-bot" / "distributions" / "diffs"
        for _ in range(runs):  # alternate the variants so load changes hit them alike
            assessments.append(timed_assessment(repo, base / "assess-cache")[0])
            baseline_runs.append(scan(repo, cache, no_api_diff=True)[0])
            warm_runs.append(scan(repo, cache)[0])
            shutil.rmtree(diffs, ignore_errors=True)
            fresh_runs.append(scan(repo, cache)[0])
        assessment = statistics.median(assessments)
        warm = statistics.median(warm_runs)
        fresh = statistics.median(fresh_runs)
        baseline = statistics.median(baseline_runs)
        print(
            f"assessment alone, warm (median of {runs}): {assessment:.2f} s "
            f"(target <= {TARGET_SECONDS:.0f} s); cold / warm {cold_assessment / assessment:.1f}x"
        )
        print(f"scan, warm (median of {runs}): {warm:.2f} s")
        print(f"scan, warm distributions, API diffs recomputed: {fresh:.2f} s")
        print(f"scan without impact assessment: {baseline:.2f} s")
        print(f"scan cold / warm: {cold / warm:.1f}x; warm / without: {warm / baseline:.2f}x")
        if assessment > TARGET_SECONDS:
            raise SystemExit(f"{assessment:.2f} s is over the {TARGET_SECONDS:.0f} s target")


if __name__ == "__main__":
    main()
