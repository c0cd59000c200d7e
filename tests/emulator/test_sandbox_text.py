"""`maintainer sandbox` without options: the draft PRs as text, and only its logs left behind
(it says where they are)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support import ROOT


@pytest.mark.slow
def test_sandbox_prints_the_draft_prs_and_cleans_up() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="sandbox-text-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")}
    env["TMPDIR"] = str(scratch)
    completed = subprocess.run(
        [sys.executable, "-m", "app", "sandbox"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    out = completed.stdout
    assert "draft pull request(s) in octo-org/demo-shop" in out
    assert "#1 " in out and "branch: maintainer/" in out and "draft: True" in out
    for section in ("## What changes", "## Why", "## Risk", "## Rollback"):
        assert section in out
    assert "sent installation delivery" in completed.stderr
    # the temporary folder keeps only the logs, and the sandbox says where they are
    [root] = scratch.iterdir()
    logs = ["emulator.log", "server.log", "worker.log"]
    assert sorted(p.name for p in root.iterdir()) == logs
    assert f"(logs in {root})" in completed.stderr
    assert f"logs kept in {root}: {', '.join(logs)}" in completed.stderr
    assert all((root / name).stat().st_size > 0 for name in logs)
    shutil.rmtree(scratch)
