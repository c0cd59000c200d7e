"""Stored health samples: the CLI's SQLite time series under the cache dir (schema versioned).

One row per repository and sample date; a new sample of the same date replaces the old one,
so running twice a day keeps one point for that day.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

SCHEMA_VERSION = 1
FILENAME = "health.sqlite"


class SampleStoreError(Exception):
    """The sample database cannot be used (newer schema, damaged file)."""


@dataclass(frozen=True)
class StoredSample:
    commit: str
    day: date
    score: int
    metrics: Mapping[str, Any]
    components: Mapping[str, int]
    violations: tuple[tuple[str, str], ...]
    items: Mapping[str, float]
    """Item id → points it took from the score."""

    def history_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "date": self.day.isoformat(),
            "score": self.score,
            "metrics": dict(self.metrics),
        }


class SampleSeries(Protocol):
    """Where a repository's samples are kept: the CLI's `SampleStore`, or the App's store
    (`app.service.report_job.StoreSamples`)."""

    def samples(self, repository: str, since: date | None = None) -> list[StoredSample]:
        """Oldest first."""
        ...

    def put(self, repository: str, sample: StoredSample) -> None: ...


class SampleStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise SampleStoreError(f"{path}: {exc}") from exc
        self.path = path

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SampleStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS schema (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT version FROM schema").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise SampleStoreError(
                    f"schema version {version} is newer than this program's {SCHEMA_VERSION}"
                )
            if version < 1:
                self._db.execute(
                    """CREATE TABLE samples (
                        repository TEXT NOT NULL,
                        day TEXT NOT NULL,
                        commit_sha TEXT NOT NULL,
                        score INTEGER NOT NULL,
                        metrics TEXT NOT NULL,
                        components TEXT NOT NULL,
                        violations TEXT NOT NULL,
                        items TEXT NOT NULL,
                        PRIMARY KEY (repository, day)
                    )"""
                )
                self._db.execute("DELETE FROM schema")
                self._db.execute("INSERT INTO schema VALUES (?)", (SCHEMA_VERSION,))

    def put(self, repository: str, sample: StoredSample) -> None:
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    repository,
                    sample.day.isoformat(),
                    sample.commit,
                    sample.score,
                    json.dumps(dict(sample.metrics), sort_keys=True),
                    json.dumps(dict(sample.components), sort_keys=True),
                    json.dumps([list(v) for v in sample.violations]),
                    json.dumps(dict(sample.items), sort_keys=True),
                ),
            )

    def samples(self, repository: str, since: date | None = None) -> list[StoredSample]:
        """Oldest first."""
        rows = self._db.execute(
            "SELECT commit_sha, day, score, metrics, components, violations, items "
            "FROM samples WHERE repository = ? AND day >= ? ORDER BY day",
            (repository, (since or date.min).isoformat()),
        ).fetchall()
        return [_sample(row) for row in rows]


def _sample(row: Sequence[Any]) -> StoredSample:
    commit, day, score, metrics, components, violations, items = row
    return StoredSample(
        commit=commit,
        day=date.fromisoformat(day),
        score=int(score),
        metrics=json.loads(metrics),
        components=json.loads(components),
        violations=tuple((str(a), str(b)) for a, b in json.loads(violations)),
        items=json.loads(items),
    )
