"""`maintainer scan --only dead-code --format json` as a subprocess on the shop fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deadcode.support import SHOP, repo_from


@pytest.mark.slow
def test_json_proposals_carry_symbols(tmp_path: Path) -> None:
    repo = repo_from(SHOP, tmp_path / "shop")
    completed = subprocess.run(
        [sys.executable, "-m", "app", "scan", str(repo), "--only", "dead-code", "--format", "json"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "PIP_INDEX_URL": "http://127.0.0.1:9/unused",
        },
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert document["errors"] == []
    by_branch = {p["branch"]: p for p in document["proposals"]}
    assert set(by_branch) == {"maintainer/dead-code/shop", "maintainer/dead-code/tests"}
    symbols = by_branch["maintainer/dead-code/shop"]["symbols"]
    assert all(set(s) == {"name", "kind", "file", "line", "confidence"} for s in symbols)
    assert {"name": "shop.legacy_dashboard_v1", "kind": "module"}.items() <= next(
        s for s in symbols if s["kind"] == "module" and "dashboard" in s["name"]
    ).items()
    assert {s["kind"] for s in symbols} >= {"function", "method", "module", "constant"}
    assert document["reported"][0]["symbols"] == [
        {
            "name": "only_tested",
            "kind": "function",
            "file": "shop/helpers.py",
            "line": 18,
            "confidence": 85,
        }
    ]
    assert (tmp_path / "cache" / "maintainer-bot" / "deadcode").is_dir()
