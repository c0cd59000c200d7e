"""`maintainer health` end to end: a real repository built from successive releases of `six`
(each commit dated as its release), the recorded index, the OSV fixture directory."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from tests.support import FIXTURES, INDEX_FILES, IndexServer, git, make_repo

NOW = "2024-12-20T12:00:00"
RELEASES = (("1.16.0", "2021-05-05T12:00:00"), ("1.17.0", "2024-12-04T12:00:00"))
REQUIREMENTS = "requests==2.28.0\nidna==3.4\n"


def six_source(version: str) -> str:
    with zipfile.ZipFile(INDEX_FILES / f"six-{version}-py2.py3-none-any.whl") as wheel:
        return wheel.read("six.py").decode("utf-8")


def release_history(root: Path) -> Path:
    """One commit per release of six, dated as the release."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for version, when in RELEASES:
        (root / "six.py").write_text(six_source(version), encoding="utf-8")
        (root / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
        git(root, "add", "-A")
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(
            ["git", "-C", str(root), "commit", "-q", "-m", f"six {version}"],
            env={
                **env,
                "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@e",
                "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@e",
            },
            check=True,
        )
    return root


def health(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "health", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/unused"},
        timeout=300,
        check=False,
    )


def recorded(repo: Path, index: IndexServer, cache: Path, *extra: str) -> list[str]:
    """`maintainer health` arguments against the recorded index and advisories, at `NOW`."""
    return [
        str(repo),
        "--index-url",
        index.url,
        "--cache-dir",
        str(cache),
        "--advisory-db",
        str(FIXTURES / "advisory-database"),
        "--now",
        NOW,
        *extra,
    ]


def health_json(repo: Path, index: IndexServer, cache: Path, *extra: str) -> dict[str, Any]:
    done = health(*recorded(repo, index, cache, "--format", "json", *extra))
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def test_backfills_26_weekly_points_then_appends_one(tmp_path: Path, index: IndexServer) -> None:
    repo = release_history(tmp_path / "six")
    cache = tmp_path / "cache"
    doc = health_json(repo, index, cache)

    history = doc["history"]
    assert len(history) == 26
    days = [date.fromisoformat(h["date"]) for h in history]
    assert days[-1] == date(2024, 12, 20)
    assert all(b - a == timedelta(weeks=1) for a, b in pairwise(days))
    head = git(repo, "rev-parse", "HEAD").strip()
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    assert doc["at"] == {"commit": head, "date": "2024-12-20"}
    # Weeks before the 1.17.0 commit measure the 1.16.0 commit, the last ones 1.17.0.
    assert {h["commit"] for h in history[:-3]} == {first}
    assert history[-1]["commit"] == head
    # idna 3.5 ... 3.10 were published during those weeks: staleness at each date grows.
    libyears = [h["metrics"]["libyears"] for h in history]
    assert libyears == sorted(libyears) and libyears[-1] > libyears[0]
    assert all(h["metrics"]["coverage_percent"] is None for h in history)
    assert all(h["metrics"]["lines"] > 500 for h in history)

    assert doc["dependencies"]["outdated"] == 2
    assert doc["dependencies"]["vulnerable"] >= 1
    assert doc["score"]["delta"] == doc["score"]["value"] - history[-2]["score"]
    components = doc["score"]["components"]
    assert "coverage" not in {c["name"] for c in components}  # unknown, not 0
    weighted = sum(c["value"] * c["weight"] for c in components) / sum(
        c["weight"] for c in components
    )
    assert abs(weighted - doc["score"]["value"]) <= 1
    assert all(m["coverage"] is None for m in doc["modules"])
    kinds = {item["kind"] for item in doc["items"]}
    assert {"outdated-dependency", "vulnerable-dependency"} <= kinds
    fixes = {item["fix"].get("branch") for item in doc["items"]}
    assert "maintainer/dependency-update/idna-3.10" in fixes or any(
        str(f).startswith("maintainer/dependency-update/idna-") for f in fixes
    )
    assert doc["forecasts"] == []  # libyears moved in two steps, then stayed flat: no trend

    again = health_json(repo, index, cache)
    assert [h["date"] for h in again["history"]] == [h["date"] for h in history]
    rows = sqlite3.connect(cache / "health" / "health.sqlite").execute(
        "SELECT COUNT(*) FROM samples"
    )
    assert rows.fetchone()[0] == 26


def test_table_names_score_components_and_items(tmp_path: Path, index: IndexServer) -> None:
    repo = release_history(tmp_path / "six")
    done = health(
        str(repo),
        "--history",
        "0",
        "--index-url",
        index.url,
        "--cache-dir",
        str(tmp_path / "c"),
        "--advisory-db",
        str(FIXTURES / "advisory-database"),
        "--now",
        NOW,
    )
    assert done.returncode == 0, done.stderr
    assert "health " in done.stdout and "/100 (grade " in done.stdout
    assert "coverage" in done.stdout and "unknown (no data), not scored" in done.stdout
    assert "requests" in done.stdout


def test_coverage_report_in_the_repository_is_read(tmp_path: Path, index: IndexServer) -> None:
    source = "def f(x):\n    if x:\n        return 1\n    return 2\n\n\ndef g():\n    return 3\n"
    report = {
        "meta": {"format": 3},
        "files": {
            "pkg/mod.py": {
                "executed_lines": [1, 2, 3, 7],
                "missing_lines": [4, 8],
                "summary": {"percent_covered": 66.67},
            }
        },
    }
    repo = make_repo(
        tmp_path / "r",
        files={"pkg/__init__.py": "", "pkg/mod.py": source, "coverage.json": json.dumps(report)},
    )
    doc = health_json(repo, index, tmp_path / "c", "--history", "0")
    module = next(m for m in doc["modules"] if m["path"] == "pkg/mod.py")
    assert module["coverage"] == 66.67
    coverage = next(c for c in doc["score"]["components"] if c["name"] == "coverage")
    assert coverage["value"] == 67  # 2 of 6 statements missing
    assert doc["history"] == []


def test_markdown_and_html_reports_from_the_command(tmp_path: Path, index: IndexServer) -> None:
    repo = release_history(tmp_path / "six")
    cache = tmp_path / "cache"
    markdown = tmp_path / "report.md"
    page = tmp_path / "report.html"
    for fmt, target in (("markdown", markdown), ("html", page)):
        done = health(*recorded(repo, index, cache, "--format", fmt, "--output", str(target)))
        assert done.returncode == 0, done.stderr
    text = markdown.read_text(encoding="utf-8")
    assert "xychart-beta" in text and "six.py" in text
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script" not in html


def test_bad_input_is_a_clear_error(tmp_path: Path, index: IndexServer) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    done = health(str(plain), "--cache-dir", str(tmp_path / "c"))
    assert done.returncode == 2 and "not a git repository" in done.stderr

    bad_config = make_repo(tmp_path / "cfg", files={".maintainer.yml": "health:\n  weights: 3\n"})
    done = health(str(bad_config), "--cache-dir", str(tmp_path / "c"))
    assert done.returncode == 2 and "health.weights" in done.stderr

    repo = make_repo(tmp_path / "ok", files={"a.py": "x = 1\n"})
    cache = tmp_path / "broken"
    (cache / "health").mkdir(parents=True)
    (cache / "health" / "health.sqlite").write_bytes(b"this is not a database" * 100)
    done = health(str(repo), "--cache-dir", str(cache), "--index-url", index.url)
    assert done.returncode == 2 and "health.sqlite" in done.stderr
    assert (cache / "health" / "health.sqlite").read_bytes().startswith(b"this is not")


def test_unparsable_python_is_a_warning_not_a_failure(tmp_path: Path, index: IndexServer) -> None:
    repo = make_repo(
        tmp_path / "r", files={"bad.py": "def (:\n", "good.py": "def f():\n    pass\n"}
    )
    done = health(
        str(repo),
        "--format",
        "json",
        "--history",
        "0",
        "--index-url",
        index.url,
        "--cache-dir",
        str(tmp_path / "c"),
        "--advisory-db",
        str(FIXTURES / "advisory-database"),
    )
    assert done.returncode == 0, done.stderr
    assert "bad.py: cannot parse" in done.stderr
    assert [m["path"] for m in json.loads(done.stdout)["modules"]] == ["good.py"]


CONTRACT_KEYS = {
    "repository",
    "at",
    "score",
    "modules",
    "dependencies",
    "architecture",
    "items",
    "history",
    "forecasts",
}


def test_json_has_exactly_the_contract_keys(tmp_path: Path, index: IndexServer) -> None:
    repo = release_history(tmp_path / "six")
    doc = health_json(repo, index, tmp_path / "c", "--history", "3")
    assert set(doc) == CONTRACT_KEYS
    assert set(doc["at"]) == {"commit", "date"}
    assert set(doc["score"]) == {"value", "grade", "delta", "components"}
    assert set(doc["score"]["components"][0]) == {"name", "value", "weight"}
    module = doc["modules"][0]
    assert set(module) == {"path", "lines", "complexity", "churn", "hotspot", "coverage"}
    assert set(module["complexity"]) == {"mean", "worst", "rank"}
    assert set(module["complexity"]["worst"]) == {"function", "value"}
    assert set(module["churn"]) == {"commits", "lines"}
    assert set(doc["dependencies"]) == {"libyears", "mean_days_behind", "outdated", "vulnerable"}
    item = doc["items"][0]
    assert set(item) == {"id", "kind", "subject", "evidence", "cost", "fix"}
    assert set(item["cost"]) == {"minutes", "risk"}
    assert set(item["fix"]) in ({"kind", "branch"}, {"kind", "suggestion"})
    assert set(doc["history"][0]) == {"commit", "date", "score", "metrics"}
    assert set(doc["history"][0]["metrics"]) == {
        "complexity_mean",
        "libyears",
        "coverage_percent",
        "lines",
        "dead_code_candidates",
        "deprecated_uses",
        "architecture_violations",
        "flake_rate",
    }


def test_delta_names_what_moved_the_score(tmp_path: Path, index: IndexServer) -> None:
    repo = make_repo(tmp_path / "r", files={"calm.py": "def calm():\n    return 1\n"})
    cache = tmp_path / "c"
    common = ("--history", "0", "--index-url", index.url, "--cache-dir", str(cache))
    assert health(str(repo), *common, "--now", "2026-01-01T00:00:00").returncode == 0
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(30))
    (repo / "knotty.py").write_text(f"def knotty(x):\n{branches}    return -1\n", "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "knot")
    done = health(str(repo), *common, "--now", "2026-01-08T00:00:00")
    assert done.returncode == 0, done.stderr
    assert "since the previous sample" in done.stdout
    assert "complexity down from 100" in done.stdout
    assert "new complexity:knotty.py:knotty" in done.stdout
