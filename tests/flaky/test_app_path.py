"""The App path of flaky-test detection, on the emulator: `workflow_run` deliveries through the
real webhook server and queue, artifacts downloaded through the signed redirect, results
stored, the test that failed and passed on one commit quarantined by a draft PR."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.config import FlakySettings
from app.emulator import deliveries
from app.emulator.server import ServerThread
from app.flaky.collect import weekly_flake_rate
from app.github.pull_workflow import mark_ready, merge
from app.server import create_app
from app.service.wiring import Services, build_services
from app.settings import Settings
from app.store import JobStatus
from tests.support import FIXTURES
from tests.support.artifacts import add_run, junit, zip_of
from tests.support.harness import (
    APP_ID,
    INSTALLATION_ID,
    REPO,
    Harness,
    app_keys,
    running_emulator,
)

SECRET = "flaky-hook-secret"
STABLE = [
    ("tests.test_stable", "test_total_adds_counts"),
    ("tests.test_stable", "test_restock_adds_to_an_item"),
    ("tests.test_stable", "test_restock_creates_a_missing_item"),
]
PICK = ("tests.test_pick", "test_pick_is_ok")


def report(pick: str) -> bytes:
    cases = [(c, n, "passed") for c, n in STABLE] + [(*PICK, pick)]
    return zip_of({"reports/junit.xml": junit(cases), "reports/coverage.xml": "<coverage/>"})


@pytest.fixture
def flaky_repo(tmp_path: Path) -> Iterator[Harness]:
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "flaky-repo", tree)
    (tree / ".maintainer.yml").write_text("version: 1\nenabled: [flaky-test]\n")
    with running_emulator(tmp_path / "emulator") as harness:
        harness.seed(REPO, tree)
        yield harness


@pytest.fixture
def app(flaky_repo: Harness, tmp_path: Path) -> Iterator[tuple[Services, str]]:
    settings = Settings(
        app_id=APP_ID,
        private_key=SecretStr(app_keys().private_pem),
        github_url=flaky_repo.url,
        data_dir=tmp_path / "bot",
        webhook_secret=SecretStr(SECRET),
    )
    services = build_services(settings)
    server = create_app(SecretStr(SECRET), services.queue)
    with ServerThread(server) as running:
        yield services, running.url
    services.github.close()
    services.store.engine.dispose()


def deliver(harness: Harness, services: Services, url: str, run: dict[str, object]) -> None:
    """GitHub sends `workflow_run.completed`; the worker runs every job it causes."""
    repository = harness.admin("GET", f"/repos/{REPO}").json()
    payload = deliveries.workflow_run(INSTALLATION_ID, repository, run)
    response = deliveries.send(url, SECRET, deliveries.delivery("workflow_run", payload))
    assert response.status_code == 202
    for _ in range(10):
        queued = services.store.jobs(JobStatus.QUEUED)
        if not queued:
            break
        for job in queued:
            services.queue.run_job(job.id)
    failed = services.store.jobs(JobStatus.FAILED)
    assert not failed, [job.error for job in failed]


def test_two_attempts_on_one_commit_quarantine_the_flaky_test(
    flaky_repo: Harness, app: tuple[Services, str]
) -> None:
    services, url = app
    store = services.store
    first = add_run(
        flaky_repo,
        REPO,
        {"junit-3.11": report("failed"), "broken-upload": b"this is no zip"},
        conclusion="failure",
    )
    deliver(flaky_repo, services, url, first)
    repository = store.repository(REPO)
    assert repository is not None
    artifacts = {a.name: a for a in store.ci_artifacts(repository.id)}
    assert artifacts["junit-3.11"].status == "read" and artifacts["junit-3.11"].reports == 1
    assert artifacts["broken-upload"].status == "corrupt"
    assert "not a readable zip archive" in (artifacts["broken-upload"].reason or "")
    with flaky_repo.github() as github:
        assert github.installation(INSTALLATION_ID).pulls(REPO) == []  # one failure: no flake

    second = add_run(
        flaky_repo, REPO, {"junit-3.11-retry": report("passed")}, run_id=int(str(first["id"]))
    )
    assert second["run_attempt"] == 2
    deliver(flaky_repo, services, url, second)
    runs = store.ci_runs(repository.id)
    assert [(r.run_id, r.attempt, r.conclusion) for r in runs] == [
        (first["id"], 1, "failure"),
        (first["id"], 2, "success"),
    ]
    with flaky_repo.github() as github:
        gh = github.installation(INSTALLATION_ID)
        [pull] = gh.pulls(REPO)
        assert pull.draft and pull.head_ref.startswith("maintainer/flaky-test/")
        head = str(first["head_sha"])
        assert "passed and failed on the same commit" in pull.body.lower()
        assert head[:12] in pull.body
        assert "Flip rate 100 %" in pull.body and "randomness" in pull.body
        edited = gh.file_text(REPO, "tests/test_pick.py", pull.head_ref)
        [issue] = gh.issues(REPO, state="all")
    assert issue.title == "Flaky test: test_pick_is_ok" and issue.open
    assert f"quarantined by #{pull.number}" in issue.body and head[:12] in issue.body
    assert "randomness" in issue.body and "flaky-test" in issue.labels
    assert edited is not None and "@pytest.mark.xfail(strict=False" in edited
    assert "import pytest" in edited
    [proposal] = store.proposals(repository.id)
    assert proposal.kind == "flaky-test" and proposal.pr_number == pull.number
    assert proposal.subject == "tests.test_pick::test_pick_is_ok"

    deliver(flaky_repo, services, url, second)  # redelivered: nothing new
    assert len(store.ci_artifacts(repository.id)) == 3
    with flaky_repo.github() as github:
        gh = github.installation(INSTALLATION_ID)
        assert len(gh.pulls(REPO, state="all")) == 1
        assert len(gh.issues(REPO, state="all")) == 1

    trend = weekly_flake_rate(store, repository.id, FlakySettings())
    assert [t["flake_rate"] for t in trend] == [0.5]


def test_a_missing_or_expired_artifact_is_recorded_with_its_reason(
    flaky_repo: Harness, app: tuple[Services, str]
) -> None:
    services, url = app
    run = add_run(flaky_repo, REPO, {"junit-old": report("passed"), "empty": zip_of({})})
    state = flaky_repo.emulator.state.repo(REPO)
    assert state is not None
    old = next(a for a in state.artifacts.values() if a.name == "junit-old")
    flaky_repo.admin("POST", f"/repos/{REPO}/actions/artifacts/{old.id}/expire")
    deliver(flaky_repo, services, url, run)
    repository = services.store.repository(REPO)
    assert repository is not None
    recorded = {a.name: a for a in services.store.ci_artifacts(repository.id)}
    assert recorded["junit-old"].status == "missing"
    assert recorded["junit-old"].reason == "the artifact has expired"
    assert recorded["empty"].status == "empty"
    assert services.store.test_reports(repository.id) == []


@pytest.fixture
def quick_release(tmp_path: Path) -> Iterator[Harness]:
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "flaky-repo", tree)
    config = "version: 1\nenabled: [flaky-test]\nflaky: {release_passes: 3}\n"
    (tree / ".maintainer.yml").write_text(config)
    with running_emulator(tmp_path / "emulator") as harness:
        harness.seed(REPO, tree)
        yield harness


def test_a_merged_quarantine_is_released_by_pr_after_its_passes_in_a_row(
    quick_release: Harness, tmp_path: Path
) -> None:
    harness = quick_release
    settings = Settings(
        app_id=APP_ID,
        private_key=SecretStr(app_keys().private_pem),
        github_url=harness.url,
        data_dir=tmp_path / "bot",
        webhook_secret=SecretStr(SECRET),
    )
    services = build_services(settings)
    try:
        with ServerThread(create_app(SecretStr(SECRET), services.queue)) as running:
            url = running.url
            first = add_run(harness, REPO, {"junit": report("failed")}, conclusion="failure")
            deliver(harness, services, url, first)
            again = add_run(
                harness, REPO, {"junit": report("passed")}, run_id=int(str(first["id"]))
            )
            deliver(harness, services, url, again)
            with harness.github() as github:
                gh = github.installation(INSTALLATION_ID)
                [quarantine] = gh.pulls(REPO)
                mark_ready(gh, REPO, quarantine.number)  # a maintainer approves it
                merge(gh, REPO, quarantine.number, sha=quarantine.head_sha, method="squash")
            repository = services.store.repository(REPO)
            assert repository is not None
            services.store.record_pr_outcome(repository.id, quarantine.number, merged=True)
            counts = []
            # The retried attempt passed on the quarantine's day (results count by day): with
            # two more passes it makes the three in a row that release it, not before.
            for _ in range(2):
                deliver(harness, services, url, add_run(harness, REPO, {"junit": report("passed")}))
                with harness.github() as github:
                    open_pulls = github.installation(INSTALLATION_ID).pulls(REPO)
                counts.append(len(open_pulls))
            assert counts == [0, 1]
            [release] = open_pulls
            assert release.title == "Release quarantined test test_pick_is_ok"
            assert release.head_ref.startswith("maintainer/flaky-test/release-")
            with harness.github() as github:
                text = github.installation(INSTALLATION_ID).file_text(
                    REPO, "tests/test_pick.py", release.head_ref
                )
            assert text is not None and "pytest.mark.xfail" not in text
            deliver(harness, services, url, add_run(harness, REPO, {"junit": report("passed")}))
            with harness.github() as github:
                assert len(github.installation(INSTALLATION_ID).pulls(REPO)) == 1  # no second
    finally:
        services.github.close()
        services.store.engine.dispose()
