"""A worker SIGKILLed in the middle of a scan (branch pushed, PR creation in flight): after a
restart the job runs again and every proposal has exactly one pull request."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from app.cli.sandbox import REPOSITORY, Sandbox
from app.store import JobStatus


def bot_branches(root: Path) -> list[str]:
    bare = root / "github" / "repos" / f"{REPOSITORY}.git"
    listed = subprocess.run(
        ["git", "--git-dir", str(bare), "for-each-ref", "--format=%(refname)", "refs/heads/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ref for ref in listed if ref.startswith("refs/heads/maintainer/")]


@pytest.mark.slow
def test_killed_worker_job_is_rerun_and_opens_one_pr_per_branch(tmp_path: Path) -> None:
    box = Sandbox(tmp_path)
    try:
        box.start()
        slow = {
            "path": f"/repos/{REPOSITORY}/pulls",
            "method": "POST",
            "kind": "delay",
            "seconds": 6,
            "count": 1,
        }
        httpx.post(f"{box.github_url}/_emulator/faults", json=slow).raise_for_status()
        box.seed()
        deadline = time.monotonic() + 120
        while not bot_branches(tmp_path):  # pushed; its PR is being created (slowly)
            assert time.monotonic() < deadline, box.child("worker").tail()
            time.sleep(0.05)
        worker = box.child("worker")
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
        box.children.remove(worker)
        box.start_worker()
        jobs = box.wait_for_jobs()
        scans = [j for j in jobs if j.kind == "scan"]
        assert all(j.status == JobStatus.SUCCEEDED for j in jobs)
        assert max(j.attempts for j in scans) >= 2  # the killed attempt, then the rerun
        time.sleep(7)  # let the killed worker's slow request land too
        pulls = box.pulls()
        heads = [p.head_ref for p in pulls]
        assert pulls and len(heads) == len(set(heads))
        assert {f"refs/heads/{h}" for h in heads} <= set(bot_branches(tmp_path))
        assert len(box.pulls()) == len(pulls)
    finally:
        box.stop()
