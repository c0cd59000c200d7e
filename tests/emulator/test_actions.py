"""The emulator's GitHub Actions: workflow runs with filters and attempts, artifacts, and the
artifact download's 302 to a short-lived signed URL (expiry, and no second credential)."""

from __future__ import annotations

import time

import httpx
from githubkit_schemas.latest import models

from tests.emulator.test_shapes import valid
from tests.support.artifacts import add_run, zip_of
from tests.support.harness import INSTALLATION_ID, REPO, Harness


def token(harness: Harness) -> dict[str, str]:
    with harness.github() as gh:
        value = gh.installation(INSTALLATION_ID).token().get_secret_value()
    return {"Authorization": f"token {value}"}


def test_runs_are_listed_newest_first_and_filtered(harness: Harness) -> None:
    head = harness.admin("GET", f"/repos/{REPO}").json()["head"]
    first = add_run(harness, REPO, {}, name="CI", conclusion="failure")
    second = add_run(harness, REPO, {}, name="Lint", conclusion="success", event="pull_request")
    auth = token(harness)
    api = f"{harness.url}/repos/{REPO}/actions/runs"
    listed = httpx.get(api, headers=auth).json()
    assert listed["total_count"] == 2
    assert [r["id"] for r in listed["workflow_runs"]] == [second["id"], first["id"]]
    assert listed["workflow_runs"][1]["head_sha"] == head
    by_status = httpx.get(api, headers=auth, params={"status": "success"}).json()
    assert [r["name"] for r in by_status["workflow_runs"]] == ["Lint"]
    completed = httpx.get(api, headers=auth, params={"status": "completed"}).json()
    assert completed["total_count"] == 2
    by_event = httpx.get(api, headers=auth, params={"event": "pull_request"}).json()
    assert [r["id"] for r in by_event["workflow_runs"]] == [second["id"]]
    none = httpx.get(api, headers=auth, params={"head_sha": "0" * 40}).json()
    assert none == {"total_count": 0, "workflow_runs": []}
    assert httpx.get(api).status_code == 401


def test_a_rerun_is_a_new_attempt_each_readable_on_its_own(harness: Harness) -> None:
    run = add_run(harness, REPO, {"junit": zip_of({"a.xml": "1"})}, conclusion="failure")
    again = add_run(
        harness,
        REPO,
        {"junit-2": zip_of({"a.xml": "2"})},
        conclusion="success",
        run_id=int(str(run["id"])),
    )
    assert again["id"] == run["id"] and again["run_attempt"] == 2
    assert str(again["previous_attempt_url"]).endswith(f"/actions/runs/{run['id']}/attempts/1")
    auth = token(harness)
    api = f"{harness.url}/repos/{REPO}/actions/runs/{run['id']}"
    latest = httpx.get(api, headers=auth).json()
    assert (latest["run_attempt"], latest["conclusion"]) == (2, "success")
    one = httpx.get(f"{api}/attempts/1", headers=auth).json()
    assert (one["run_attempt"], one["conclusion"]) == (1, "failure")
    assert httpx.get(f"{api}/attempts/3", headers=auth).status_code == 404
    artifacts = httpx.get(f"{api}/artifacts", headers=auth).json()
    assert [a["name"] for a in artifacts["artifacts"]] == ["junit-2", "junit"]
    assert all(a["workflow_run"]["id"] == run["id"] for a in artifacts["artifacts"])
    named = httpx.get(f"{api}/artifacts", headers=auth, params={"name": "junit"}).json()
    assert named["total_count"] == 1


def test_the_download_redirects_to_a_signed_url_that_expires(harness: Harness) -> None:
    archive = zip_of({"report.xml": "<testsuite/>"})
    run = add_run(harness, REPO, {"junit": archive})
    auth = token(harness)
    listed = httpx.get(
        f"{harness.url}/repos/{REPO}/actions/runs/{run['id']}/artifacts", headers=auth
    ).json()
    [artifact] = listed["artifacts"]
    one = httpx.get(artifact["url"], headers=auth).json()
    assert one["size_in_bytes"] == len(archive) and one["expired"] is False

    harness.admin("POST", "/settings", {"download_ttl": 1.0})
    answer = httpx.get(artifact["archive_download_url"], headers=auth)
    assert answer.status_code == 302
    signed = answer.headers["location"]
    assert "/_blobs/artifacts/" in signed
    assert httpx.get(signed, headers=auth).status_code == 400  # two credentials: refused
    first = httpx.get(signed)
    assert first.status_code == 200 and first.content == archive
    time.sleep(1.2)
    late = httpx.get(signed)
    assert late.status_code == 403 and b"AuthenticationFailed" in late.content
    fresh = httpx.get(artifact["archive_download_url"], headers=auth).headers["location"]
    assert fresh != signed and httpx.get(fresh).content == archive
    assert httpx.get(artifact["archive_download_url"]).status_code == 401


def test_an_expired_artifact_is_gone(harness: Harness) -> None:
    run = add_run(harness, REPO, {"coverage": zip_of({"coverage.json": "{}"})})
    auth = token(harness)
    api = f"{harness.url}/repos/{REPO}/actions/runs/{run['id']}/artifacts"
    [artifact] = httpx.get(api, headers=auth).json()["artifacts"]
    harness.admin("POST", f"/repos/{REPO}/actions/artifacts/{artifact['id']}/expire")
    [listed] = httpx.get(api, headers=auth).json()["artifacts"]
    assert listed["expired"] is True
    assert httpx.get(artifact["archive_download_url"], headers=auth).status_code == 410


def test_runs_and_artifacts_match_githubs_schema(harness: Harness) -> None:
    run = add_run(harness, REPO, {"junit": zip_of({"a.xml": "1"})}, conclusion="failure")
    add_run(harness, REPO, {}, run_id=int(str(run["id"])))
    auth = token(harness)
    api = f"{harness.url}/repos/{REPO}/actions"
    valid(list[models.WorkflowRun], httpx.get(f"{api}/runs", headers=auth).json()["workflow_runs"])
    valid(models.WorkflowRun, httpx.get(f"{api}/runs/{run['id']}", headers=auth).json())
    valid(models.WorkflowRun, httpx.get(f"{api}/runs/{run['id']}/attempts/1", headers=auth).json())
    artifacts = httpx.get(f"{api}/runs/{run['id']}/artifacts", headers=auth).json()["artifacts"]
    valid(list[models.Artifact], artifacts)
    valid(models.Artifact, httpx.get(f"{api}/artifacts/{artifacts[0]['id']}", headers=auth).json())
