"""Incidents: one per alert group occurrence, updated in place by repeated notifications.

Alertmanager re-sends a group's notification while it fires (``repeat_interval``) and sends it
again when alerts join or resolve; all of these land on the same open incident (same
``groupKey``). A group that fires again after it resolved is a new incident.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.incidents.alertmanager import AlertGroup
from app.store.engine import StoreArea
from app.store.models import IncidentEventRow, IncidentRow, StepClaimRow
from app.store.records import IncidentEvent, IncidentRecord

FIRING = "firing"
RESOLVED = "resolved"


class Incidents(StoreArea):
    def record_alerts(self, group: AlertGroup) -> tuple[IncidentRecord | None, str]:
        """Apply one notification: (the incident it opened or updated, what happened).

        What happened is ``opened``, ``updated`` (new alerts joined), ``repeated`` (nothing
        new: a re-send), ``resolved``, or ``ignored`` (resolved with no open incident)."""
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.scalar(
                select(IncidentRow)
                .where(IncidentRow.group_key == group.group_key, IncidentRow.status == FIRING)
                .order_by(IncidentRow.id.desc())
                .limit(1)
            )
            fingerprints = sorted(group.fingerprints)
            starts = min(alert.starts_at for alert in group.alerts)
            if row is None:
                if group.status == RESOLVED:
                    return None, "ignored"
                row = IncidentRow(
                    group_key=group.group_key,
                    alertname=group.alertname[:255],
                    status=FIRING,
                    labels=json.dumps(dict(group.common_labels)),
                    annotations=json.dumps(dict(group.common_annotations)),
                    fingerprints=json.dumps(fingerprints),
                    started_at=starts,
                    detected_at=now,
                )
                session.add(row)
                session.flush()
                _event(session, row.id, now, "firing", _summary(group))
                return _incident(row), "opened"
            known = set(json.loads(row.fingerprints))
            joined = sorted(set(fingerprints) - known)
            if joined:
                row.fingerprints = json.dumps(sorted(known | set(joined)))
                row.started_at = min(row.started_at, starts)
            if group.status == RESOLVED:
                ends = [alert.ends_at for alert in group.alerts if alert.ends_at is not None]
                row.status = RESOLVED
                row.resolved_at = max(ends) if ends else now
                _event(session, row.id, now, "resolved", _summary(group))
                return _incident(row), "resolved"
            if joined:
                _event(session, row.id, now, "update", {**_summary(group), "joined": joined})
                return _incident(row), "updated"
            return _incident(row), "repeated"

    def set_incident_issue(self, incident_id: int, repository: str, number: int) -> None:
        """The incident's issue lives at `repository`#`number`."""
        with Session(self.engine) as session, session.begin():
            row = session.get(IncidentRow, incident_id)
            if row is not None:
                row.repository, row.issue_number = repository, number

    def add_incident_event(self, incident_id: int, kind: str, detail: dict[str, Any]) -> None:
        with Session(self.engine) as session, session.begin():
            _event(session, incident_id, self._clock(), kind, detail)

    def incident(self, incident_id: int) -> IncidentRecord | None:
        with Session(self.engine) as session:
            row = session.get(IncidentRow, incident_id)
            return _incident(row) if row is not None else None

    def incident_by_issue(self, repository: str, number: int) -> IncidentRecord | None:
        """The incident whose issue is `repository`#`number` (the latest, should two be)."""
        with Session(self.engine) as session:
            row = session.scalar(
                select(IncidentRow)
                .where(IncidentRow.repository == repository, IncidentRow.issue_number == number)
                .order_by(IncidentRow.id.desc())
                .limit(1)
            )
            return _incident(row) if row is not None else None

    def incidents(self, status: str | None = None) -> list[IncidentRecord]:
        query = select(IncidentRow).order_by(IncidentRow.id)
        if status is not None:
            query = query.where(IncidentRow.status == status)
        with Session(self.engine) as session:
            return [_incident(row) for row in session.scalars(query)]

    def incident_timeline(self, incident_id: int) -> list[IncidentEvent]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(IncidentEventRow)
                .where(IncidentEventRow.incident_id == incident_id)
                .order_by(IncidentEventRow.at, IncidentEventRow.id)
            )
            return [IncidentEvent(row.at, row.kind, json.loads(row.detail)) for row in rows]

    def claim_step(self, incident_id: int, step: str, trigger: str) -> bool:
        """Claim the run of ``step`` of the incident for ``trigger`` (``auto``, or the comment
        that asked for it) before running it: True for the one claimer whose row went in,
        False for every other (the unique row is the lock, on SQLite and PostgreSQL alike)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(StepClaimRow).values(
                        incident_id=incident_id,
                        step=step[:64],
                        trigger=trigger[:64],
                        claimed_at=self._clock(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def release_step(self, incident_id: int, step: str, trigger: str) -> None:
        """Give a claim back: the run did not happen (it failed before doing anything and the
        job will be retried)."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(StepClaimRow).where(
                    StepClaimRow.incident_id == incident_id,
                    StepClaimRow.step == step[:64],
                    StepClaimRow.trigger == trigger[:64],
                )
            )


def _summary(group: AlertGroup) -> dict[str, Any]:
    return {
        "status": group.status,
        "firing": len(group.firing),
        "alerts": len(group.alerts),
        "receiver": group.receiver,
    }


def _event(session: Session, incident_id: int, at: datetime, kind: str, detail: Any) -> None:
    session.add(
        IncidentEventRow(incident_id=incident_id, at=at, kind=kind, detail=json.dumps(detail))
    )


def _incident(row: IncidentRow) -> IncidentRecord:
    return IncidentRecord(
        id=row.id,
        group_key=row.group_key,
        alertname=row.alertname,
        status=row.status,
        labels=json.loads(row.labels),
        annotations=json.loads(row.annotations),
        fingerprints=tuple(json.loads(row.fingerprints)),
        started_at=row.started_at,
        detected_at=row.detected_at,
        resolved_at=row.resolved_at,
        repository=row.repository,
        issue_number=row.issue_number,
    )
