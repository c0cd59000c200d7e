"""`ScanJob`: token → workspace → the real pipeline → the GitHub composer, against the emulator
and a local package index, recording proposals and PRs in a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from app.analyzers.base import Adapters
from app.caches import DEAD_CODE, DEPRECATIONS
from app.index.client import SimpleIndex
from app.metrics import Metrics
from app.model import Kind
from app.queue import RetryPolicy, transient
from app.service.scan_job import ScanJob, ScanReport, ScanRequest
from app.service.wiring import connect
from app.store import ProposalStatus, Store, open_store
from app.workspace import WorkspaceError
from tests.support import NOW, IndexServer
from tests.support.harness import (
    DEMO_TREE,
    INSTALLATION_ID,
    REPO,
    Harness,
    register,
    settings_for,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield store
    store.engine.dispose()


@pytest.fixture
def either_store(database_url: str) -> Iterator[Store]:
    """SQLite, then PostgreSQL: the whole round trip runs on both (the other scans, which
    exercise the same store calls, only on SQLite, to keep the suite's time down)."""
    store = open_store(database_url)
    yield store
    store.engine.dispose()


def scan_once(
    harness: Harness,
    tmp_path: Path,
    index: IndexServer,
    store: Store,
    paced: bool = False,
    telemetry: Metrics | None = None,
) -> ScanReport:
    """One scan job; `paced` goes through the wiring's `connect(settings)` (1 s between
    writes)."""
    settings = settings_for(harness, tmp_path)
    github = connect(settings) if paced else harness.github()
    repository = store.repository(REPO)
    assert repository is not None
    try:
        job = ScanJob(
            settings,
            store,
            github.installation,
            lambda: Adapters(index=SimpleIndex(index.url)),
            clock=lambda: NOW,
            telemetry=telemetry,
        )
        return job.scan(repository)
    finally:
        github.close()


def test_scan_opens_draft_prs_with_the_four_sections_and_records_them(
    harness: Harness, tmp_path: Path, index: IndexServer, either_store: Store
) -> None:
    store = either_store
    repo_id = register(harness, store)
    telemetry = Metrics(CollectorRegistry())
    report = scan_once(harness, tmp_path, index, store, paced=True, telemetry=telemetry)
    assert report.config_error is None and report.pull_requests
    with harness.github() as gh:
        pulls = gh.installation(INSTALLATION_ID).pulls(REPO)
    assert {p.number for p in pulls} == set(report.pull_requests)
    for pull in pulls:
        assert pull.draft and pull.head_ref.startswith("maintainer/")
        for section in ("What changes", "Why", "Risk", "Rollback"):
            assert f"## {section}" in pull.body, (section, pull.body[:400])
    recorded = store.proposals(repo_id, [ProposalStatus.OPEN])
    assert {r.pr_number for r in recorded} == set(report.pull_requests)
    assert all(r.head_sha for r in recorded)

    count = telemetry.registry.get_sample_value
    opened = count("maintainer_pull_requests_total", {"event": "opened"})
    assert opened == len(report.pull_requests)
    made = [count("maintainer_proposals_total", {"kind": k.value}) or 0 for k in Kind]
    assert sum(made) >= len(report.pull_requests)

    again = scan_once(harness, tmp_path, index, store, telemetry=telemetry)
    assert count("maintainer_pull_requests_total", {"event": "opened"}) == opened  # none new
    assert sorted(again.pull_requests) == sorted(report.pull_requests)
    assert {c.action for c in again.composed} == {"unchanged"}
    with harness.github() as gh:
        assert len(gh.installation(INSTALLATION_ID).pulls(REPO, state="all")) == len(pulls)


def test_invalid_config_fails_the_check_and_keeps_the_last_valid_one(
    harness: Harness, tmp_path: Path, index: IndexServer, store: Store
) -> None:
    repo_id = register(harness, store)
    scan_once(harness, tmp_path, index, store)
    good = store.last_valid_config(repo_id)
    assert good is not None and good.open_pr_limit == 10
    broken = "enabled: [dependency-update]\nopen_pr_limit: many\n"
    bad_sha = harness.human_push(REPO, "main", {".maintainer.yml": broken}, tmp_path)
    report = scan_once(harness, tmp_path, index, store)
    assert report.config_error is not None and "open_pr_limit" in report.config_error
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        [failing] = inst.check_runs(REPO, bad_sha, name="maintainer/config")
        assert failing.conclusion == "failure" and "line 2" in (failing.summary or "")
        assert store.last_valid_config(repo_id) == good
        fixed = harness.human_push(
            REPO, "main", {".maintainer.yml": "open_pr_limit: 3\n"}, tmp_path
        )
        assert scan_once(harness, tmp_path, index, store).config_error is None
        [passing] = inst.check_runs(REPO, fixed, name="maintainer/config")
        assert passing.conclusion == "success"


def test_a_ci_failure_on_the_head_shows_in_the_refreshed_risk_section(
    harness: Harness, tmp_path: Path, index: IndexServer, store: Store
) -> None:
    repo_id = register(harness, store)
    scan_once(harness, tmp_path, index, store)
    [first, *_] = store.proposals(repo_id, [ProposalStatus.OPEN])
    assert first.head_sha is not None
    store.record_ci_result(repo_id, first.head_sha, "failure")
    scan_once(harness, tmp_path, index, store)
    with harness.github() as gh:
        pulls = {p.number: p for p in gh.installation(INSTALLATION_ID).pulls(REPO)}
    body = pulls[first.pr_number or 0].body
    risk = body.split("## Risk")[1].split("## Rollback")[0]
    assert "**High** risk." in risk
    assert "CI failure on this branch: check it before merging" in risk
    others = [p for n, p in pulls.items() if n != first.pr_number]
    assert all("CI failure" not in p.body for p in others)


def test_at_the_open_pr_limit_a_conflicting_push_still_rebuilds_the_open_prs(
    harness: Harness, tmp_path: Path, index: IndexServer, store: Store
) -> None:
    register(harness, store)
    demo = (DEMO_TREE / ".maintainer.yml").read_text().replace("open_pr_limit: 10", "")
    config = demo + "open_pr_limit: 2\nhourly_pr_limit: 20\n"
    harness.human_push(REPO, "main", {".maintainer.yml": config}, tmp_path)
    first = scan_once(harness, tmp_path, index, store)
    assert len(first.pull_requests) == 2  # at the limit now
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        pulls = inst.pulls(REPO)
        requirements = inst.file_text(REPO, "requirements.txt", "main")
        assert requirements is not None
        edited = [
            p for p in pulls if inst.file_text(REPO, "requirements.txt", p.head_ref) != requirements
        ]
        assert edited, [p.head_ref for p in pulls]
        # someone changes the file the PRs edit: their branches now conflict with main
        main = harness.human_push(
            REPO, "main", {"requirements.txt": "# reviewed by ops\n" + requirements}, tmp_path
        )
        again = scan_once(harness, tmp_path, index, store)
        assert sorted(again.pull_requests) == sorted(first.pull_requests)
        for pull in edited:
            [commit] = inst.pull_commits(REPO, pull.number)
            assert commit.parents == (main,), pull.head_ref
            text = inst.file_text(REPO, "requirements.txt", pull.head_ref)
            assert text is not None and text.startswith("# reviewed by ops\n")
        assert len(inst.pulls(REPO, state="all")) == 2  # and no PR beyond the limit


def fail_pushes(harness: Harness, status: int, count: int) -> None:
    """The next `count` pushes (git smart HTTP) are answered `status`."""
    receive_pack = f"/{REPO}.git/git-receive-pack"
    fault = {"path": receive_pack, "method": "POST", "count": count, "status": status}
    harness.admin("POST", "/faults", fault)


def test_a_transient_push_failure_fails_the_job_and_its_retry_opens_every_pr(
    harness: Harness, tmp_path: Path, index: IndexServer, store: Store
) -> None:
    register(harness, store)
    fail_pushes(harness, 500, count=1)
    with pytest.raises(WorkspaceError) as caught:
        scan_once(harness, tmp_path, index, store)
    # the queue retries it, like a GitHub 5xx
    assert transient(caught.value) and RetryPolicy().delay(caught.value, 1) is not None
    retried = scan_once(harness, tmp_path, index, store)
    assert {c.action for c in retried.composed} == {"created"}
    assert retried.errors == ()
    with harness.github() as gh:
        pulls = gh.installation(INSTALLATION_ID).pulls(REPO)
    assert len(pulls) == len(retried.composed) == len(retried.pull_requests)


def test_a_push_refused_for_good_is_an_error_of_the_job_not_a_success(
    harness: Harness, tmp_path: Path, index: IndexServer, store: Store
) -> None:
    register(harness, store)
    fail_pushes(harness, 403, count=100)
    report = scan_once(harness, tmp_path, index, store)
    assert report.pull_requests == ()
    assert report.errors and all("cannot push" in e for e in report.errors)
    assert len(report.errors) == len(report.composed)


def test_the_app_keeps_its_caches_in_its_data_dir(
    harness: Harness, tmp_path: Path, index: IndexServer, store: Store
) -> None:
    register(harness, store)
    settings = settings_for(harness, tmp_path)
    repository = store.repository(REPO)
    assert repository is not None
    with harness.github() as github:
        job = ScanJob(
            settings,
            store,
            github.installation,
            lambda: Adapters(index=SimpleIndex(index.url)),
            clock=lambda: NOW,
        )
        job.scan(repository, ScanRequest(only=(Kind.DEPRECATION, Kind.DEAD_CODE)))
    cache = tmp_path / "data" / "cache"
    assert settings.cache_root() == cache
    for folder in (DEAD_CODE, DEPRECATIONS):
        assert any(p.is_file() for p in (cache / folder).rglob("*")), folder
    checkouts = settings.workspace()
    assert not [p for p in checkouts.rglob("*") if "cache" in p.name.lower()]


def test_a_rescan_of_an_unchanged_repository_costs_no_counted_github_call(
    harness: Harness, tmp_path: Path, index: IndexServer, store: Store
) -> None:
    """The worker's client keeps GET answers: scanning again what did not change is answered
    `304 Not Modified` throughout, which GitHub does not count against the rate limit. (The
    second scan still reads the repository, the listings and the check runs the first one
    changed by opening its PRs; the third finds nothing changed.)"""
    register(harness, store)
    settings = settings_for(harness, tmp_path)
    repository = store.repository(REPO)
    assert repository is not None
    with harness.github() as github:
        job = ScanJob(
            settings,
            store,
            github.installation,
            lambda: Adapters(index=SimpleIndex(index.url)),
            clock=lambda: NOW,
        )
        first = job.scan(repository)
        assert first.pull_requests
        job.scan(repository)
        before = len(harness.admin("GET", "/requests").json())
        again = job.scan(repository)
    assert {c.action for c in again.composed} == {"unchanged"}
    rest = [
        (r["method"], r["path"], r["status"])
        for r in harness.admin("GET", "/requests").json()[before:]
        if ".git/" not in r["path"] and not r["path"].startswith(("/simple", "/files"))
    ]
    assert rest and all(method == "GET" for method, _, _ in rest)
    assert [(m, path, status) for m, path, status in rest if status != 304] == []
