"""End to end: `maintainer sandbox --keep --format json` (emulator + server + worker on
loopback), then driven with further signed deliveries like GitHub would send them."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.emulator import deliveries
from app.github import AppCredentials, GitHub, Installation
from app.store import JobStatus, Store, open_store
from tests.support import ROOT, git

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT = 240.0
JOB_TIMEOUT = 120.0


@dataclass
class Running:
    info: dict[str, Any]
    root: Path
    process: subprocess.Popen[bytes]
    store: Store
    gh: GitHub

    @property
    def repo(self) -> str:
        return str(self.info["repository"])

    def installation(self) -> Installation:
        return self.gh.installation(int(self.info["installation_id"]))

    def send(self, event: str, payload: dict[str, Any], delivery_id: str | None = None) -> int:
        item = deliveries.delivery(event, payload, delivery_id)
        response = deliveries.send(self.info["server_url"], self.info["webhook_secret"], item)
        return response.status_code

    def settle(self) -> None:
        """Wait until the queue has nothing queued or running (for a couple of polls)."""
        deadline = time.monotonic() + JOB_TIMEOUT
        quiet = 0
        while time.monotonic() < deadline:
            busy = self.store.job_count(JobStatus.QUEUED) + self.store.job_count(JobStatus.RUNNING)
            quiet = quiet + 1 if busy == 0 else 0
            if quiet >= 3:
                return
            time.sleep(0.3)
        raise AssertionError("jobs did not finish")

    def push_main(self, files: dict[str, str], work: Path) -> str:
        """A person commits `files` to the default branch; GitHub sends the push event."""
        head = self.commit(files, "main", work)
        admin = f"{self.info['github_url']}/_emulator/repos/{self.repo}"
        before = git(work, "rev-parse", "HEAD^").strip()
        commits = httpx.get(f"{admin}/pushed", params={"before": before, "after": head}).json()
        repository = httpx.get(admin).json()
        payload = deliveries.push(self.info["installation_id"], repository, before, head, commits)
        assert self.send("push", payload) == 202
        self.settle()
        return head

    def commit(self, files: dict[str, str], branch: str, work: Path) -> str:
        bare = self.root / "github" / "repos" / f"{self.repo}.git"
        if not work.exists():
            git(work.parent, "clone", "-q", str(bare), str(work))
        git(work, "fetch", "-q", "origin")
        git(work, "checkout", "-q", "-B", branch, f"origin/{branch}")
        for relative, text in files.items():
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            (work / relative).write_text(text)
        git(work, "add", "-A")
        git(work, "commit", "-q", "-m", f"A human change on {branch}")
        git(work, "push", "-q", "origin", f"HEAD:refs/heads/{branch}")
        return git(work, "rev-parse", "HEAD").strip()


def _first_line(process: subprocess.Popen[bytes], timeout: float) -> bytes:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        raise AssertionError("the sandbox printed nothing in time")
    return process.stdout.readline()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("sandbox")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "sandbox", "--keep", "--format", "json", "--data", str(root)],
        stdout=subprocess.PIPE,
        stderr=(root / "sandbox.err").open("wb"),
        env=env,
        cwd=ROOT,
    )
    try:
        line = _first_line(process, STARTUP_TIMEOUT)
        assert line, (root / "sandbox.err").read_text()
        info = json.loads(line)
        key = SecretStr((root / "app-key.pem").read_text())
        store = open_store(f"sqlite:///{root / 'bot' / 'maintainer.db'}")
        with GitHub(info["github_url"], AppCredentials(1, key)) as gh:
            yield Running(info, root, process, store, gh)
        store.engine.dispose()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_sandbox_prints_one_json_line_and_draft_prs_exist(sandbox: Running) -> None:
    info = sandbox.info
    assert set(info) == {
        "github_url",
        "server_url",
        "webhook_secret",
        "installation_id",
        "repository",
        "pull_requests",
    }
    assert info["repository"] == "octo-org/demo-shop" and info["pull_requests"]
    pulls = sandbox.installation().pulls(sandbox.repo)
    assert sorted(p.number for p in pulls) == sorted(info["pull_requests"])
    for pull in pulls:
        assert pull.draft and pull.user_login == "maintainer-bot[bot]"
        for section in ("What changes", "Why", "Risk", "Rollback"):
            assert f"## {section}" in pull.body


def test_wrong_signature_is_refused(sandbox: Running) -> None:
    item = deliveries.delivery("ping", {"zen": "hi"})
    response = deliveries.send(sandbox.info["server_url"], "not-the-secret", item)
    assert response.status_code == 401


def test_redelivery_opens_no_second_pr(sandbox: Running, tmp_path: Path) -> None:
    before = sorted(p.number for p in sandbox.installation().pulls(sandbox.repo, state="all"))
    admin = f"{sandbox.info['github_url']}/_emulator/repos/{sandbox.repo}"
    repository = httpx.get(admin).json()
    head = repository["head"]
    commits = httpx.get(f"{admin}/pushed", params={"after": head}).json()
    payload = deliveries.push(sandbox.info["installation_id"], repository, "0" * 40, head, commits)
    assert sandbox.send("push", payload, "redelivered-push-1") == 202
    assert sandbox.send("push", payload, "redelivered-push-1") == 200
    sandbox.settle()
    after = sorted(p.number for p in sandbox.installation().pulls(sandbox.repo, state="all"))
    assert after == before


def test_human_commit_on_bot_branch_stops_updates_with_one_comment(
    sandbox: Running, tmp_path: Path
) -> None:
    gh = sandbox.installation()
    pull = gh.pulls(sandbox.repo)[0]
    work = tmp_path / "work"
    human = sandbox.commit({"NOTES.md": "reviewed\n"}, pull.head_ref, work)
    sandbox.push_main({"src/extra_one.py": "VALUE = 1\n"}, work)
    sandbox.push_main({"src/extra_two.py": "VALUE = 2\n"}, work)
    stopped = [c for c in gh.comments(sandbox.repo, pull.number) if "stopped updating" in c.body]
    assert len(stopped) == 1
    assert gh.pull(sandbox.repo, pull.number).head_sha == human
    others = [p for p in gh.pulls(sandbox.repo) if p.number != pull.number]
    for other in others:  # the PRs nobody touched: still one bot commit, not stopped
        [commit] = gh.pull_commits(sandbox.repo, other.number)
        assert commit.author_login == "maintainer-bot[bot]"
        notes = gh.comments(sandbox.repo, other.number)
        assert not any("stopped updating" in c.body for c in notes)


def test_invalid_config_fails_the_check_then_a_fix_passes(sandbox: Running, tmp_path: Path) -> None:
    gh = sandbox.installation()
    work = tmp_path / "work"
    bad = sandbox.push_main({".maintainer.yml": "open_pr_limit: plenty\n"}, work)
    [failing] = gh.check_runs(sandbox.repo, bad, name="maintainer/config")
    assert failing.conclusion == "failure"
    assert "line 1" in (failing.summary or "") and "open_pr_limit" in (failing.summary or "")
    good = sandbox.push_main({".maintainer.yml": "open_pr_limit: 3\nlabels: [deps]\n"}, work)
    [passing] = gh.check_runs(sandbox.repo, good, name="maintainer/config")
    assert passing.conclusion == "success"


def test_no_token_key_or_secret_in_any_log(sandbox: Running) -> None:
    tokens = httpx.get(f"{sandbox.info['github_url']}/_emulator/tokens").json()
    assert tokens  # the bot did authenticate as its installation
    key_lines = (sandbox.root / "app-key.pem").read_text().splitlines()[1:-1]
    secrets = [*tokens, *key_lines, sandbox.info["webhook_secret"]]
    logs = {p.name: p.read_text(errors="replace") for p in sandbox.root.glob("*.log")}
    assert {"server.log", "worker.log", "emulator.log"} <= set(logs)
    assert "HTTP Request" in logs["worker.log"] + logs["server.log"]  # logging was on
    for name, text in logs.items():
        for secret in secrets:
            assert secret not in text, name


def _latest_scan(sandbox: Running) -> Any:
    return next(j for j in sandbox.store.jobs(limit=200) if j.kind == "scan")


def test_help_command_is_answered(sandbox: Running) -> None:
    gh = sandbox.installation()
    pull = gh.pulls(sandbox.repo)[0]
    admin = f"{sandbox.info['github_url']}/_emulator/repos/{sandbox.repo}"
    comment = httpx.post(
        f"{admin}/issues/{pull.number}/comments",
        json={"user": "octocat", "body": "/maintainer help"},
    ).json()
    pull_json = gh.request("GET", f"/repos/{sandbox.repo}/pulls/{pull.number}")
    repository = httpx.get(admin).json()
    payload = deliveries.issue_comment(
        sandbox.info["installation_id"], repository, pull_json, comment
    )
    assert sandbox.send("issue_comment", payload) == 202
    sandbox.settle()
    replies = [
        c
        for c in gh.comments(sandbox.repo, pull.number)
        if c.user_login == "maintainer-bot[bot]" and "Commands I understand" in c.body
    ]
    assert len(replies) == 1


def test_transient_server_errors_are_retried(sandbox: Running, tmp_path: Path) -> None:
    fault = {"path": f"/repos/{sandbox.repo}", "count": 2, "kind": "error", "status": 500}
    httpx.post(f"{sandbox.info['github_url']}/_emulator/faults", json=fault).raise_for_status()
    sandbox.push_main({"src/retry_me.py": "X = 1\n"}, tmp_path / "work")
    job = _latest_scan(sandbox)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 3


def test_persistent_secondary_rate_limit_fails_with_the_reason(
    sandbox: Running, tmp_path: Path
) -> None:
    faults = f"{sandbox.info['github_url']}/_emulator/faults"
    fault = {"path": f"/repos/{sandbox.repo}", "count": 1000, "kind": "secondary", "retry_after": 1}
    httpx.post(faults, json=fault).raise_for_status()
    try:
        sandbox.push_main({"src/limited.py": "Y = 2\n"}, tmp_path / "work")
    finally:
        httpx.delete(faults).raise_for_status()
    job = _latest_scan(sandbox)
    assert job.status == JobStatus.FAILED and job.attempts > 1
    assert "RateLimited" in (job.error or "") and "secondary rate limit" in (job.error or "")
