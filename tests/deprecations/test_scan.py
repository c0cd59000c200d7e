"""End to end: `maintainer scan --only deprecation` as a subprocess on a real git repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codemods.registry import BY_ID
from tests.support import FIXTURES, git, make_repo

BEFORE = FIXTURES / "deprecations" / "before"
EXPECTED = FIXTURES / "deprecations" / "expected"
FILES = {
    "requirements.txt": "numpy>=1.22,<2\njinja2==3.1.4\npydantic>=2.5\nrequests\n",
    ".maintainer.yml": "open_pr_limit: 30\nhourly_pr_limit: 30\n",
}


def scan(repo: Path, *extra: str) -> dict[str, Any]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "scan",
            str(repo),
            "--only",
            "deprecation",
            "--format",
            "json",
            *extra,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/unused"},
        timeout=300,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    document: dict[str, Any] = json.loads(completed.stdout)
    return document


@pytest.mark.slow
def test_table_lists_each_manual_fix_once_with_rule_location_and_what_to_do(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo", BEFORE, files=FILES)
    (repo / "app" / "inspecting.py").write_text(
        "import inspect\n\n\ndef f(g):\n    return inspect.getargspec(g)\n\n\n"
        "def h(g):\n    return inspect.formatargspec(g)\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "inspect")
    completed = subprocess.run(
        [sys.executable, "-m", "app", "scan", str(repo), "--only", "deprecation"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = completed.stdout
    assert "need a manual fix" not in out
    lines = [line.strip() for line in out.splitlines() if "app/inspecting.py:" in line]
    assert len(lines) == 2, out
    assert lines[0].startswith("- MB116 app/inspecting.py:5: inspect.getargspec(g) -- ")
    assert "inspect.getfullargspec" in lines[0]
    assert lines[1].startswith("- MB116 app/inspecting.py:9: inspect.formatargspec(g) -- ")
    assert "str(inspect.signature(" in lines[1]
    assert all(BY_ID["MB116"].info.link in line for line in lines)


@pytest.mark.slow
def test_scan_json_carries_rules_and_apply_makes_family_branches(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", BEFORE, files=FILES)
    document = scan(repo, "--apply")
    proposals = {p["branch"]: p for p in document["proposals"]}
    numpy = proposals["maintainer/deprecation/deprecations-numpy"]
    assert numpy["rules"] == [
        {
            "id": "MB201",
            "summary": BY_ID["MB201"].info.summary,
            "safety": "safe",
            "link": BY_ID["MB201"].info.link,
            "locations": [{"file": "app/service.py", "line": 34}],
        },
        {
            "id": "MB203",
            "summary": BY_ID["MB203"].info.summary,
            "safety": "safe",
            "link": BY_ID["MB203"].info.link,
            "locations": [{"file": "app/service.py", "line": 34}],
        },
    ]
    for section in ("## What changes", "## Why", "## Risk", "## Rollback"):
        assert section in numpy["body"]
    diff = git(repo, "diff", "main", numpy["branch"])
    assert "-    return np.asarray(values, dtype=np.float) * np.NaN\n" in diff
    assert "+    return np.asarray(values, dtype=float) * np.nan\n" in diff
    added = [line for line in diff.splitlines() if line.startswith("+") and line[1:2] != "+"]
    assert len(added) == 1  # only the numpy family's change is on this branch
    unittest = proposals["maintainer/deprecation/deprecations-unittest"]
    assert (
        git(repo, "show", f"{unittest['branch']}:tests/test_service.py")
        == (EXPECTED / "tests/test_service.py").read_text()
    )
    reported = [r for item in document["reported"] for r in item.get("rules", [])]
    assert {r["id"] for r in reported} == {"MB102", "MB116"}
    for item in document["reported"]:  # one place each: rule, file:line, what to do, why
        (rule,) = item["rules"]
        (place,) = rule["locations"]
        assert item["summary"].startswith(f"{rule['id']} {place['file']}:{place['line']}: ")
        assert place["todo"] and f" -- {place['todo']} (" in item["summary"]
        assert rule["link"] in item["summary"]
    assert {e["file"] for e in document["errors"]} == {"broken.py", "latin1.py", "generated_pb2.py"}
    assert git(repo, "status", "--porcelain") == ""


def test_a_fully_cached_scan_gives_the_same_document_without_importing_libcst(
    tmp_path: Path,
) -> None:
    """The rules' metadata and text pre-filters come from the cache's catalog snapshot, so
    the libcst import (most of a warm run's time) is paid only when some file needs work."""
    repo = make_repo(tmp_path / "repo", BEFORE, files=FILES)
    cache = tmp_path / "cache"

    command = [sys.executable, "-X", "importtime", "-m", "app", "scan", str(repo)]
    command += ["--only", "deprecation", "--format", "json", "--cache-dir", str(cache)]

    def run() -> tuple[dict[str, Any], str]:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/unused"},
            timeout=300,
            check=False,
        )
        assert completed.returncode in (0, 1), completed.stderr
        imported = {line.rsplit("|", 1)[-1].strip() for line in completed.stderr.splitlines()}
        return json.loads(completed.stdout), " ".join(sorted(imported))

    cold, cold_imports = run()
    warm, warm_imports = run()
    assert "libcst" in cold_imports.split()
    assert not [name for name in warm_imports.split() if name.startswith("libcst")]
    notes = [n for n in warm["notes"] if n.startswith("deprecation:")]
    assert notes and " 0 parsed" in notes[0] and " 0 cached" not in notes[0]
    assert cold["proposals"] == warm["proposals"] and cold["reported"] == warm["reported"]

    edited = repo / "app" / "service.py"  # a new deprecated use in an edited file is found
    edited.write_text(edited.read_text() + "\n\ndef later(values):\n    return np.float(1)\n")
    edited_run, edited_imports = run()
    assert "libcst" in edited_imports.split()
    numpy = next(p for p in edited_run["proposals"] if p["branch"].endswith("-numpy"))
    lines = [loc["line"] for rule in numpy["rules"] for loc in rule["locations"]]
    assert len(lines) > 1
