"""The adapter's GitHub Actions calls against the emulator: runs, attempts, artifacts, and the
artifact download that follows the redirect without our Authorization header, bounded."""

from __future__ import annotations

import githubkit.webhooks
import httpx
import pytest

from app.emulator import deliveries
from app.github import ArtifactTooLarge, NotFound, ServerError
from tests.support.artifacts import add_run, zip_of
from tests.support.harness import INSTALLATION_ID, REPO, Harness


def test_runs_attempts_and_artifacts(harness: Harness) -> None:
    run = add_run(harness, REPO, {"junit": zip_of({"r.xml": "x"})}, conclusion="failure")
    add_run(harness, REPO, {"junit-again": zip_of({"r.xml": "y"})}, run_id=int(str(run["id"])))
    other = add_run(harness, REPO, {}, name="Docs", conclusion="success")
    with harness.github() as github:
        gh = github.installation(INSTALLATION_ID)
        runs = gh.workflow_runs(REPO)
        assert [r.id for r in runs] == [other["id"], run["id"]]
        assert runs[1].run_attempt == 2 and runs[1].conclusion == "success"
        assert [r.name for r in gh.workflow_runs(REPO, status="success")] == ["Docs", "CI"]
        assert gh.workflow_runs(REPO, head_sha="f" * 40) == []
        first = gh.workflow_run(REPO, int(str(run["id"])), attempt=1)
        assert (first.run_attempt, first.conclusion) == (1, "failure")
        assert gh.workflow_run(REPO, int(str(run["id"]))).run_attempt == 2
        artifacts = gh.run_artifacts(REPO, int(str(run["id"])))
        assert [a.name for a in artifacts] == ["junit-again", "junit"]
        assert gh.artifact(REPO, artifacts[0].id).run_id == run["id"]
        with pytest.raises(NotFound):
            gh.workflow_run(REPO, 999_999)


def test_download_follows_the_redirect_without_the_token(harness: Harness) -> None:
    """The emulator's blob route refuses a request carrying an Authorization header (as blob
    storage does): a download that works proves the token stayed home."""
    archive = zip_of({"junit/report.xml": "<testsuite/>" * 100})
    run = add_run(harness, REPO, {"junit": archive})
    with harness.github() as github:
        gh = github.installation(INSTALLATION_ID)
        [artifact] = gh.run_artifacts(REPO, int(str(run["id"])))
        assert gh.download_artifact(REPO, artifact.id) == archive
        with pytest.raises(ArtifactTooLarge):
            gh.download_artifact(REPO, artifact.id, max_bytes=len(archive) - 1)
    log = harness.admin("GET", "/requests").json()
    blobs = [r for r in log if r["path"].startswith("/_blobs/")]
    assert [r["status"] for r in blobs] == [200, 200]
    zips = [r for r in log if r["path"].endswith(f"/artifacts/{artifact.id}/zip")]
    assert [r["status"] for r in zips] == [302, 302]


def test_the_workflow_run_delivery_is_a_valid_github_payload(harness: Harness) -> None:
    run = add_run(harness, REPO, {}, conclusion="failure")
    run = add_run(harness, REPO, {}, conclusion="success", run_id=int(str(run["id"])))
    repository = harness.admin("GET", f"/repos/{REPO}").json()
    payload = deliveries.workflow_run(INSTALLATION_ID, repository, run)
    assert payload["action"] == "completed"
    assert payload["workflow_run"]["run_attempt"] == 2
    assert payload["workflow_run"]["head_sha"] == repository["head"]
    assert payload["workflow_run"]["conclusion"] == "success"
    assert payload["workflow"]["name"] == "CI"
    assert payload["installation"]["id"] == INSTALLATION_ID
    assert payload["repository"]["full_name"] == REPO
    event = githubkit.webhooks.parse_obj("workflow_run", payload)
    assert event.workflow_run.id == run["id"]
    assert httpx.URL(payload["workflow_run"]["url"]).path.endswith(f"/runs/{run['id']}")


def test_an_expired_signed_url_is_a_retryable_failure(harness: Harness) -> None:
    """The signed URL died before it was fetched: the job fails retryably and its next attempt
    asks GitHub for a new URL."""
    archive = zip_of({"r.xml": "1"})
    run = add_run(harness, REPO, {"junit": archive})
    harness.admin("POST", "/settings", {"download_ttl": 0})
    with harness.github() as github:
        gh = github.installation(INSTALLATION_ID)
        [artifact] = gh.run_artifacts(REPO, int(str(run["id"])))
        with pytest.raises(ServerError) as caught:
            gh.download_artifact(REPO, artifact.id)
        assert caught.value.retryable and "403" in str(caught.value)
        harness.admin("POST", "/settings", {"download_ttl": 60})
        assert gh.download_artifact(REPO, artifact.id) == archive
