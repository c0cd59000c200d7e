"""The App's half of flaky-test detection: a run attempt's JUnit results collected from its
artifacts into the store, and the stored runs turned back into `Run` values for `detect`.

On `workflow_run.completed` (every attempt) the artifacts not collected yet are listed,
downloaded (`Installation.download_artifact` follows GitHub's redirect, bounded) and read with
`app.artifacts` (bounded zip) and `app.flaky.junit` (bounded JUnit). A missing, expired,
oversized or corrupt artifact is recorded with its reason; a JUnit file that cannot be read is
named in its artifact's reason and the other files still count. GitHub failures worth retrying
(`GitHubError.retryable`) propagate so the queue runs the job again; nothing is half-stored
(each artifact and its reports are one transaction).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.artifacts import ArtifactError, read_members
from app.config import FlakySettings
from app.flaky.detect import Detection, History, detect
from app.flaky.junit import CaseResult, JUnitError, Outcome, Run, parse_junit
from app.github import Artifact, ArtifactTooLarge, GitHubError, NotFound
from app.store import CiArtifactRecord, NewCiRun, Store, StoredReport, StoredResult

MAX_ARTIFACT_BYTES = 256 * 1024 * 1024
MAX_REASON_CHARS = 2_000

READ = "read"
MISSING = "missing"
CORRUPT = "corrupt"
REFUSED = "refused"
EMPTY = "empty"


class ArtifactSource(Protocol):
    """What collection needs of GitHub (an `app.github.Installation` is one)."""

    def run_artifacts(self, full_name: str, run_id: int) -> list[Artifact]: ...

    def download_artifact(
        self, full_name: str, artifact_id: int, max_bytes: int = ...
    ) -> bytes: ...


@dataclass(frozen=True)
class Collected:
    run_id: int
    attempt: int
    artifacts: tuple[CiArtifactRecord, ...]

    @property
    def reports(self) -> int:
        return sum(a.reports for a in self.artifacts)


def collect_run(
    gh: ArtifactSource,
    store: Store,
    repository_id: int,
    full_name: str,
    run: NewCiRun,
    max_bytes: int = MAX_ARTIFACT_BYTES,
) -> Collected:
    """Store one run attempt and the test reports of its artifacts not collected before."""
    stored = store.record_ci_run(repository_id, run)
    known = store.collected_artifact_ids(repository_id)
    recorded: list[CiArtifactRecord] = []
    for artifact in gh.run_artifacts(full_name, run.run_id):
        if artifact.id in known:
            continue
        status, reason, reports = _read_artifact(gh, full_name, artifact, max_bytes)
        recorded.append(
            store.record_artifact(
                repository_id,
                stored.id,
                artifact.id,
                artifact.name,
                status=status,
                reason=reason[:MAX_REASON_CHARS] if reason else None,
                reports=reports,
            )
        )
    return Collected(run.run_id, run.attempt, tuple(recorded))


def _read_artifact(
    gh: ArtifactSource, full_name: str, artifact: Artifact, max_bytes: int
) -> tuple[str, str | None, list[tuple[str, list[StoredResult]]]]:
    if artifact.expired:
        return MISSING, "the artifact has expired", []
    try:
        data = gh.download_artifact(full_name, artifact.id, max_bytes)
    except ArtifactTooLarge as exc:
        return REFUSED, str(exc), []
    except NotFound:
        return MISSING, "the artifact is gone (404)", []
    except GitHubError as exc:
        if exc.retryable:
            raise
        return MISSING, str(exc), []
    try:
        members = read_members(data, lambda name: name.lower().endswith(".xml"))
    except ArtifactError as exc:
        return (CORRUPT if exc.corrupt else REFUSED), exc.reason, []
    reports: list[tuple[str, list[StoredResult]]] = []
    problems: list[str] = []
    for member in members:
        try:
            parsed = parse_junit(io.BytesIO(member.data), member.name)
        except JUnitError as exc:
            problems.append(f"{member.name}: {exc.reason}")
            continue
        if not parsed.cases:
            continue  # another XML file (coverage.xml, a config): not a test report
        reports.append((member.name, [StoredResult(*r) for r in parsed.results]))
    reason = "; ".join(problems) or None
    if reports:
        return READ, reason, reports
    if problems:
        return CORRUPT, reason, []
    return EMPTY, "no JUnit report in the artifact", []


def stored_runs(reports: Iterable[StoredReport]) -> list[Run]:
    """Each stored report as a `Run` (commit, workflow, attempt and time from its CI run)."""
    return [
        Run.of(
            f"run {report.run.run_id} attempt {report.run.attempt}: "
            f"{report.artifact}/{report.member}",
            report.run.head_sha,
            report.run.workflow,
            report.run.attempt,
            report.run.started_at,
            (
                CaseResult(r.id, r.file, r.line, Outcome(r.outcome), r.duration, r.message)
                for r in report.results
            ),
        )
        for report in reports
    ]


def detect_stored(
    store: Store,
    repository_id: int,
    settings: FlakySettings,
    since: datetime | None = None,
) -> Detection:
    """`app.flaky.detect` over the repository's stored runs."""
    history = History(settings)
    for run in stored_runs(store.test_reports(repository_id, since)):
        history.add(run)
    return detect(history)


def weekly_flake_rate(
    store: Store, repository_id: int, settings: FlakySettings, since: datetime | None = None
) -> list[dict[str, str | float]]:
    """The trend for the health memory and the weekly report: [{week, flake_rate}] (ISO
    weeks, flaky runs ÷ runs), from the stored runs."""
    detection = detect_stored(store, repository_id, settings, since)
    return [{"week": w.week, "flake_rate": round(w.flake_rate, 4)} for w in detection.trend]
