"""Test coverage from CI (#13, the App): the newest successful workflow run that uploaded an
artifact whose name contains `coverage`; its coverage.json / coverage.xml is read with the
health coverage reader (`app.health.coverage`). The archive is read bounded (`app.artifacts`).

No such run or artifact, or one that cannot be read, means coverage is unknown (never 0 %):
the result says why.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from app.artifacts import ArtifactError, read_members
from app.github import Artifact, ArtifactTooLarge, GitHubError, WorkflowRun
from app.health.coverage import REPORT_NAMES, Coverage, CoverageError, find_report, parse_report

RUNS_LOOKED_AT = 20
MAX_ARTIFACT_BYTES = 64 * 1024 * 1024


class CoverageSource(Protocol):
    """What this needs of GitHub (an `app.github.Installation` is one)."""

    def workflow_runs(
        self,
        full_name: str,
        *,
        head_sha: str | None = None,
        status: str | None = None,
        event: str | None = None,
        limit: int = ...,
    ) -> list[WorkflowRun]: ...

    def run_artifacts(self, full_name: str, run_id: int) -> list[Artifact]: ...

    def download_artifact(
        self, full_name: str, artifact_id: int, max_bytes: int = ...
    ) -> bytes: ...


@dataclass(frozen=True)
class CiCoverage:
    coverage: Coverage | None
    """None: unknown (see `reason`)."""
    reason: str | None = None
    run_id: int | None = None
    head_sha: str | None = None
    artifact: str | None = None


def coverage_from_ci(
    gh: CoverageSource,
    full_name: str,
    known_files: Iterable[str],
    *,
    branch: str | None = None,
    runs: int = RUNS_LOOKED_AT,
    max_bytes: int = MAX_ARTIFACT_BYTES,
) -> CiCoverage:
    """Coverage from the newest successful run (on `branch`, when given) with a coverage
    artifact, matched to `known_files` (the repository's paths)."""
    for run in gh.workflow_runs(full_name, status="success", limit=runs):
        if branch is not None and run.head_branch != branch:
            continue
        found = [a for a in gh.run_artifacts(full_name, run.id) if "coverage" in a.name.lower()]
        if not found:
            continue
        artifact = found[0]

        def unknown(reason: str, run: WorkflowRun = run, name: str = artifact.name) -> CiCoverage:
            return CiCoverage(None, reason, run.id, run.head_sha, name)

        if artifact.expired:
            return unknown(f"artifact {artifact.name!r} has expired")
        try:
            data = gh.download_artifact(full_name, artifact.id, max_bytes)
            members = read_members(data, lambda n: posixpath.basename(n) in REPORT_NAMES)
            chosen = find_report([m.name for m in members])
            if chosen is None:
                reason = f"artifact {artifact.name!r} holds no {' / '.join(REPORT_NAMES)}"
                return unknown(reason)
            content = next(m.data for m in members if m.name == chosen)
            coverage = parse_report(chosen, content, known_files)
            return CiCoverage(coverage, None, run.id, run.head_sha, artifact.name)
        except ArtifactTooLarge as exc:
            return unknown(str(exc))
        except ArtifactError as exc:
            return unknown(f"artifact {artifact.name!r}: {exc.reason}")
        except CoverageError as exc:
            return unknown(f"artifact {artifact.name!r}: {exc}")
        except GitHubError as exc:
            if exc.retryable:
                raise
            return unknown(f"artifact {artifact.name!r}: {exc}")
    return CiCoverage(None, "no successful workflow run uploaded a coverage artifact")
