"""CI runs collected from `workflow_run` deliveries: each attempt, its artifacts (read, or the
reason they were not), the JUnit reports inside and every test's result."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.store.engine import StoreArea
from app.store.models import CiArtifactRow, CiReportRow, CiResultRow, CiRunRow
from app.store.records import (
    CiArtifactRecord,
    CiRunRecord,
    NewCiRun,
    StoredReport,
    StoredResult,
)


class CiRuns(StoreArea):
    def record_ci_run(self, repository_id: int, run: NewCiRun) -> CiRunRecord:
        """The stored attempt (created on first sight; a redelivery finds the same row)."""
        with Session(self.engine) as session, session.begin():
            row = session.scalar(
                select(CiRunRow).where(
                    CiRunRow.repository_id == repository_id,
                    CiRunRow.run_id == run.run_id,
                    CiRunRow.attempt == run.attempt,
                )
            )
            if row is None:
                row = CiRunRow(
                    repository_id=repository_id,
                    run_id=run.run_id,
                    attempt=run.attempt,
                    workflow=run.workflow[:255],
                    head_sha=run.head_sha,
                    head_branch=run.head_branch,
                    event=run.event,
                    conclusion=run.conclusion,
                    started_at=run.started_at,
                    collected_at=self._clock(),
                )
                session.add(row)
                session.flush()
            return _run(row)

    def collected_artifact_ids(self, repository_id: int) -> set[int]:
        """Artifacts already recorded (read or not): a later attempt lists them again."""
        with Session(self.engine) as session:
            query = select(CiArtifactRow.artifact_id).where(
                CiArtifactRow.repository_id == repository_id
            )
            return set(session.scalars(query))

    def record_artifact(
        self,
        repository_id: int,
        ci_run_id: int,
        artifact_id: int,
        name: str,
        *,
        status: str,
        reason: str | None = None,
        reports: Sequence[tuple[str, Iterable[StoredResult]]] = (),
    ) -> CiArtifactRecord:
        """An artifact and the reports read from it, in one transaction (all or nothing)."""
        with Session(self.engine) as session, session.begin():
            row = CiArtifactRow(
                repository_id=repository_id,
                ci_run_id=ci_run_id,
                artifact_id=artifact_id,
                name=name[:255],
                status=status,
                reason=reason,
                reports=len(reports),
            )
            session.add(row)
            session.flush()
            for member, results in reports:
                listed = list(results)
                report = CiReportRow(
                    ci_artifact_id=row.id,
                    member=member,
                    tests=len(listed),
                    failures=sum(1 for r in listed if r.outcome in ("failed", "error")),
                )
                session.add(report)
                session.flush()
                if listed:
                    session.execute(
                        insert(CiResultRow),
                        [
                            {
                                "report_id": report.id,
                                "test_id": r.id,
                                "file": r.file,
                                "line": r.line,
                                "outcome": str(r.outcome),
                                "duration": r.duration,
                                "message": r.message,
                            }
                            for r in listed
                        ],
                    )
            return _artifact(row)

    def ci_artifacts(self, repository_id: int) -> list[CiArtifactRecord]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(CiArtifactRow)
                .where(CiArtifactRow.repository_id == repository_id)
                .order_by(CiArtifactRow.id)
            )
            return [_artifact(row) for row in rows]

    def ci_runs(self, repository_id: int) -> list[CiRunRecord]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(CiRunRow)
                .where(CiRunRow.repository_id == repository_id)
                .order_by(CiRunRow.started_at, CiRunRow.id)
            )
            return [_run(row) for row in rows]

    def test_reports(self, repository_id: int, since: datetime | None = None) -> list[StoredReport]:
        """Every stored JUnit report of the repository's runs (from `since`), oldest first."""
        query = (
            select(CiRunRow, CiArtifactRow.name, CiReportRow)
            .join(CiArtifactRow, CiArtifactRow.ci_run_id == CiRunRow.id)
            .join(CiReportRow, CiReportRow.ci_artifact_id == CiArtifactRow.id)
            .where(CiRunRow.repository_id == repository_id)
            .order_by(CiRunRow.started_at, CiRunRow.id, CiReportRow.id)
        )
        if since is not None:
            query = query.where(CiRunRow.started_at >= since)
        with Session(self.engine) as session:
            found = [(run, name, report) for run, name, report in session.execute(query)]
            ids = [report.id for _, _, report in found]
            results: dict[int, list[StoredResult]] = {i: [] for i in ids}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = session.execute(
                    select(
                        CiResultRow.report_id,
                        CiResultRow.test_id,
                        CiResultRow.file,
                        CiResultRow.line,
                        CiResultRow.outcome,
                        CiResultRow.duration,
                        CiResultRow.message,
                    )
                    .where(CiResultRow.report_id.in_(chunk))
                    .order_by(CiResultRow.id)
                )
                for report_id, test_id, file, line, outcome, duration, message in rows:
                    results[report_id].append(
                        StoredResult(test_id, file, line, outcome, duration, message)
                    )
            return [
                StoredReport(_run(run), name, report.member, tuple(results[report.id]))
                for run, name, report in found
            ]


def _run(row: CiRunRow) -> CiRunRecord:
    return CiRunRecord(
        id=row.id,
        repository_id=row.repository_id,
        run_id=row.run_id,
        attempt=row.attempt,
        workflow=row.workflow,
        head_sha=row.head_sha,
        head_branch=row.head_branch,
        event=row.event,
        conclusion=row.conclusion,
        started_at=row.started_at,
    )


def _artifact(row: CiArtifactRow) -> CiArtifactRecord:
    return CiArtifactRecord(
        id=row.id,
        ci_run_id=row.ci_run_id,
        artifact_id=row.artifact_id,
        name=row.name,
        status=row.status,
        reason=row.reason,
        reports=row.reports,
    )
