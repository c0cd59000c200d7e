"""Installations, their repositories, and each repository's last valid configuration."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.config import RepoConfig
from app.store.engine import StoreArea
from app.store.models import InstallationRow, RepositoryRow
from app.store.records import InstallationRecord, RepoRef, RepositoryRecord


class Repositories(StoreArea):
    # -- installations -------------------------------------------------------------------

    def upsert_installation(
        self, installation_id: int, account_login: str, account_type: str
    ) -> None:
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            row = session.get(InstallationRow, installation_id)
            if row is None:
                row = InstallationRow(
                    id=installation_id,
                    account_login=account_login,
                    account_type=account_type,
                    suspended=False,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
            else:
                row.account_login, row.account_type, row.updated_at = (
                    account_login,
                    account_type,
                    now,
                )

    def set_installation_suspended(self, installation_id: int, suspended: bool) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(InstallationRow)
                .where(InstallationRow.id == installation_id)
                .values(suspended=suspended, updated_at=self._clock())
            )
            return bool(result.rowcount)

    def delete_installation(self, installation_id: int) -> None:
        """Forget the installation; its repositories stay (with their history) but go inactive."""
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow)
                .where(RepositoryRow.installation_id == installation_id)
                .values(active=False, installation_id=None, updated_at=self._clock())
            )
            conn.execute(delete(InstallationRow).where(InstallationRow.id == installation_id))

    def installation(self, installation_id: int) -> InstallationRecord | None:
        with Session(self.engine) as session:
            row = session.get(InstallationRow, installation_id)
            return None if row is None else _installation(row)

    # -- repositories --------------------------------------------------------------------

    def add_repositories(self, installation_id: int, repos: Iterable[RepoRef]) -> None:
        now = self._clock()
        with Session(self.engine) as session, session.begin():
            for ref in repos:
                row = session.get(RepositoryRow, ref.id)
                if row is None:
                    _release_name(session, ref.full_name, ref.id)
                    row = RepositoryRow(id=ref.id, created_at=now, archived=False)
                    session.add(row)
                elif row.full_name != ref.full_name:
                    _release_name(session, ref.full_name, ref.id)
                row.installation_id = installation_id
                row.full_name = ref.full_name
                row.private = ref.private
                row.default_branch = ref.default_branch or row.default_branch or "main"
                row.active = True
                row.updated_at = now

    def remove_repositories(self, installation_id: int, repo_ids: Iterable[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow)
                .where(
                    RepositoryRow.installation_id == installation_id,
                    RepositoryRow.id.in_(list(repo_ids)),
                )
                .values(active=False, updated_at=self._clock())
            )

    def repository(self, full_name: str) -> RepositoryRecord | None:
        with Session(self.engine) as session:
            row = session.scalar(select(RepositoryRow).where(RepositoryRow.full_name == full_name))
            return None if row is None else _repository(row)

    def repository_by_id(self, repo_id: int) -> RepositoryRecord | None:
        with Session(self.engine) as session:
            row = session.get(RepositoryRow, repo_id)
            return None if row is None else _repository(row)

    def repositories(self, *, active_only: bool = True) -> list[RepositoryRecord]:
        """Repositories to work on: active, not archived, installation not suspended."""
        with Session(self.engine) as session:
            query = select(RepositoryRow).order_by(RepositoryRow.full_name)
            if active_only:
                query = (
                    query.join(InstallationRow)
                    .where(RepositoryRow.active.is_(True), RepositoryRow.archived.is_(False))
                    .where(InstallationRow.suspended.is_(False))
                )
            return [_repository(row) for row in session.scalars(query)]

    def update_repository(
        self,
        repo_id: int,
        *,
        full_name: str | None = None,
        default_branch: str | None = None,
        archived: bool | None = None,
        active: bool | None = None,
    ) -> bool:
        if full_name is not None:
            with Session(self.engine) as session, session.begin():
                _release_name(session, full_name, repo_id)
        values: dict[str, Any] = {"updated_at": self._clock()}
        for key, value in (
            ("full_name", full_name),
            ("default_branch", default_branch),
            ("archived", archived),
            ("active", active),
        ):
            if value is not None:
                values[key] = value
        with self.engine.begin() as conn:
            result = conn.execute(
                update(RepositoryRow).where(RepositoryRow.id == repo_id).values(**values)
            )
            return bool(result.rowcount)

    def mark_scanned(
        self, repo_id: int, at: datetime | None = None, *, security_only: bool = False
    ) -> None:
        """Remember a scan; a full scan also counts as the security scan."""
        moment = at or self._clock()
        values = {"last_security_scan_at": moment}
        if not security_only:
            values["last_scan_at"] = moment
        with self.engine.begin() as conn:
            conn.execute(update(RepositoryRow).where(RepositoryRow.id == repo_id).values(**values))

    def mark_trends_read(self, repo_id: int, at: datetime) -> None:
        """The repository's production trends (`monitors:`) were read and acted on at `at`."""
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow).where(RepositoryRow.id == repo_id).values(last_trends_at=at)
            )

    def last_trends_at(self, repo_id: int) -> datetime | None:
        with Session(self.engine) as session:
            return session.scalar(
                select(RepositoryRow.last_trends_at).where(RepositoryRow.id == repo_id)
            )

    def save_valid_config(self, repo_id: int, config: RepoConfig, sha: str | None) -> None:
        """Keep `config` as the last valid configuration and clear any recorded error."""
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow)
                .where(RepositoryRow.id == repo_id)
                .values(
                    config_json=config.model_dump_json(),
                    config_sha=sha,
                    config_error=None,
                    config_error_sha=None,
                )
            )

    def record_config_error(self, repo_id: int, message: str, sha: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(RepositoryRow)
                .where(RepositoryRow.id == repo_id)
                .values(config_error=message, config_error_sha=sha)
            )

    def last_valid_config(self, repo_id: int) -> RepoConfig | None:
        with Session(self.engine) as session:
            text = session.scalar(
                select(RepositoryRow.config_json).where(RepositoryRow.id == repo_id)
            )
            return None if text is None else RepoConfig.model_validate_json(text)


def _release_name(session: Session, full_name: str, new_id: int) -> None:
    """Another repository id now has this name (deleted and recreated, or renamed over):
    the old row keeps its history under a suffixed name and goes inactive."""
    row = session.scalar(select(RepositoryRow).where(RepositoryRow.full_name == full_name))
    if row is not None and row.id != new_id:
        row.full_name = f"{full_name}#{row.id}"
        row.active = False
        session.flush()


def _installation(row: InstallationRow) -> InstallationRecord:
    return InstallationRecord(row.id, row.account_login, row.account_type, row.suspended)


def _repository(row: RepositoryRow) -> RepositoryRecord:
    return RepositoryRecord(
        id=row.id,
        installation_id=row.installation_id,
        full_name=row.full_name,
        default_branch=row.default_branch,
        private=row.private,
        archived=row.archived,
        active=row.active,
        last_scan_at=row.last_scan_at,
        config_error=row.config_error,
        last_security_scan_at=row.last_security_scan_at,
    )
