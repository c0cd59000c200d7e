"""Collection into a real store with a recording fake of GitHub: every artifact recorded, read
or with its reason; retryable failures propagate; stored runs feed the existing detection."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import FlakySettings
from app.flaky.collect import collect_run, detect_stored, weekly_flake_rate
from app.flaky.detect import State
from app.github import Artifact, ArtifactTooLarge, NotFound, ServerError
from app.store import NewCiRun, RepoRef, Store, open_store
from tests.support.artifacts import junit, zip_of

REPO_ID = 7
REPO = "octo/flaky"
MONDAY = datetime(2026, 11, 2, 9, tzinfo=UTC)


@dataclass
class FakeGitHub:
    artifacts: dict[int, list[Artifact]] = field(default_factory=dict)
    zips: dict[int, bytes | Exception] = field(default_factory=dict)
    downloads: list[int] = field(default_factory=list)

    def run_artifacts(self, full_name: str, run_id: int) -> list[Artifact]:
        return self.artifacts.get(run_id, [])

    def download_artifact(self, full_name: str, artifact_id: int, max_bytes: int = 0) -> bytes:
        self.downloads.append(artifact_id)
        found = self.zips[artifact_id]
        if isinstance(found, Exception):
            raise found
        return found

    def add(self, run_id: int, artifact_id: int, name: str, data: bytes | Exception) -> None:
        self.artifacts.setdefault(run_id, []).append(Artifact(artifact_id, name, 1, False, run_id))
        self.zips[artifact_id] = data


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    store.upsert_installation(1, "octo", "Organization")
    store.add_repositories(1, [RepoRef(REPO_ID, REPO)])
    yield store
    store.engine.dispose()


def run(run_id: int, attempt: int = 1, sha: str = "a" * 40, at: datetime = MONDAY) -> NewCiRun:
    return NewCiRun(run_id, attempt, "CI", sha, at, "main", "push", "success")


def outcome_zip(outcome: str) -> bytes:
    cases = [("tests.test_x", f"test_{i}", "passed") for i in range(3)]
    return zip_of({"junit.xml": junit([*cases, ("tests.test_x", "test_flip", outcome)])})


def test_each_artifact_is_recorded_with_its_reason(store: Store) -> None:
    gh = FakeGitHub()
    good = junit([("tests.test_x", "test_a", "passed")])
    gh.add(1, 11, "mixed", zip_of({"ok.xml": good, "bad.xml": "<testsuite><testcase"}))
    gh.add(1, 12, "huge", ArtifactTooLarge("GET ...: more than 10 bytes"))
    gh.add(1, 13, "gone", NotFound("GET ...: 404", 404))
    gh.add(1, 14, "only-bad", zip_of({"bad.xml": "<<<"}))
    collected = collect_run(gh, store, REPO_ID, REPO, run(1))
    by_name = {a.name: a for a in collected.artifacts}
    assert by_name["mixed"].status == "read" and by_name["mixed"].reports == 1
    assert "bad.xml" in (by_name["mixed"].reason or "")
    assert by_name["huge"].status == "refused" and "more than" in (by_name["huge"].reason or "")
    assert by_name["gone"].status == "missing"
    assert by_name["only-bad"].status == "corrupt"
    [stored] = store.test_reports(REPO_ID)
    assert stored.member == "ok.xml" and [r.id for r in stored.results] == ["tests.test_x::test_a"]

    again = collect_run(gh, store, REPO_ID, REPO, run(1))  # redelivered
    assert again.artifacts == () and gh.downloads.count(11) == 1


def test_a_retryable_failure_propagates_and_stores_nothing_of_that_artifact(store: Store) -> None:
    gh = FakeGitHub()
    gh.add(2, 21, "junit", ServerError("GET ...: the signed download answered 403", 403))
    with pytest.raises(ServerError):
        collect_run(gh, store, REPO_ID, REPO, run(2))
    assert store.ci_artifacts(REPO_ID) == []
    gh.zips[21] = outcome_zip("passed")  # the queue's retry gets a fresh signed URL
    assert collect_run(gh, store, REPO_ID, REPO, run(2)).reports == 1


def test_detection_and_trend_from_stored_runs(store: Store) -> None:
    """A flip-rate flake over distinct commits in week 1, a stable week 2."""
    gh = FakeGitHub()
    settings = FlakySettings(min_runs=6, window=10)
    week_one = ["failed", "passed"] * 4
    for i, outcome in enumerate(week_one):
        gh.add(100 + i, 1000 + i, "junit", outcome_zip(outcome))
        at = MONDAY + timedelta(hours=i)
        collect_run(gh, store, REPO_ID, REPO, run(100 + i, sha=f"{i:040x}", at=at))
    for i in range(4):
        gh.add(200 + i, 2000 + i, "junit", outcome_zip("passed"))
        at = MONDAY + timedelta(days=7, hours=i)
        collect_run(gh, store, REPO_ID, REPO, run(200 + i, sha=f"{100 + i:040x}", at=at))
    detection = detect_stored(store, REPO_ID, settings)
    [verdict] = detection.verdicts
    assert verdict.id == "tests.test_x::test_flip" and verdict.state is State.FLAKY
    assert verdict.runs == 12 and verdict.failures == 4
    assert weekly_flake_rate(store, REPO_ID, settings) == [
        {"week": "2026-W45", "flake_rate": 0.5},
        {"week": "2026-W46", "flake_rate": 0.0},
    ]
    since = weekly_flake_rate(store, REPO_ID, settings, since=MONDAY + timedelta(days=7))
    assert since == [{"week": "2026-W46", "flake_rate": 0.0}]
