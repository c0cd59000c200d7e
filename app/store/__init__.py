"""Service state: SQLAlchemy 2 tables, Alembic migrations, and the `Store` API."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from app.store.engine import Clock, make_engine, utcnow
from app.store.records import (
    CiArtifactRecord,
    CiRunRecord,
    DeliveryRecord,
    IgnoreRecord,
    InstallationRecord,
    JobKind,
    JobRecord,
    JobStatus,
    MergeRequest,
    NewCiRun,
    NewDelivery,
    NewJob,
    Outcome,
    ProposalRecord,
    ProposalStatus,
    QueueState,
    RepoRef,
    RepositoryRecord,
    StoredReport,
    StoredResult,
)
from app.store.store import Store

MIGRATIONS = Path(__file__).parent / "migrations"

__all__ = [
    "CiArtifactRecord",
    "CiRunRecord",
    "Clock",
    "DeliveryRecord",
    "IgnoreRecord",
    "InstallationRecord",
    "JobKind",
    "JobRecord",
    "JobStatus",
    "MergeRequest",
    "NewCiRun",
    "NewDelivery",
    "NewJob",
    "Outcome",
    "ProposalRecord",
    "ProposalStatus",
    "QueueState",
    "RepoRef",
    "RepositoryRecord",
    "Store",
    "StoredReport",
    "StoredResult",
    "alembic_config",
    "make_engine",
    "migrate",
    "open_store",
    "utcnow",
]


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic `upgrade`), in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def open_store(url: str, clock: Clock = utcnow) -> Store:
    """Connect, create the SQLite file's folder if needed, migrate to head."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    migrate(engine)
    return Store(engine, clock)
