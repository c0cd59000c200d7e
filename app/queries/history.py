"""Snapshots of statement mean times and table sizes, and the forecasts drawn from them.

The CLI keeps them in SQLite under the cache dir (``queries/queries.sqlite``), one value per
database, day, series; a second run on the same day replaces that day's value. Forecasts come
from the one engine (`app.forecast`): a statement's mean time crossing
``queries.mean_ms_threshold``, a table's row count doubling.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.forecast import Forecast, NoForecast, forecast
from app.queries.evidence import Statement, Table

SCHEMA_VERSION = 1
FILENAME = "queries.sqlite"
FOLDER = "queries"


class HistoryError(Exception):
    pass


@dataclass(frozen=True)
class Trend:
    series: str
    """``statement:<queryid>`` or ``table:<name>``."""
    points: tuple[tuple[date, float], ...]
    threshold: float
    outlook: Forecast | NoForecast


class History:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path)
            with self._db:
                self._db.execute("CREATE TABLE IF NOT EXISTS schema (version INTEGER NOT NULL)")
                row = self._db.execute("SELECT version FROM schema").fetchone()
                if row and row[0] > SCHEMA_VERSION:
                    raise HistoryError(f"{path}: schema version {row[0]} is newer than ours")
                if not row:
                    self._db.execute(
                        "CREATE TABLE samples (database TEXT NOT NULL, day TEXT NOT NULL, "
                        "series TEXT NOT NULL, value REAL NOT NULL, "
                        "PRIMARY KEY (database, series, day))"
                    )
                    self._db.execute("INSERT INTO schema VALUES (?)", (SCHEMA_VERSION,))
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{path}: {exc}") from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(
        self, database: str, day: date, statements: Iterable[Statement], tables: Iterable[Table]
    ) -> None:
        rows = [
            (database, day.isoformat(), f"statement:{s.queryid}", s.mean_ms) for s in statements
        ]
        rows += [(database, day.isoformat(), f"table:{t.name}", float(t.rows)) for t in tables]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?)", rows)

    def series(self, database: str, series: str) -> tuple[tuple[date, float], ...]:
        rows = self._db.execute(
            "SELECT day, value FROM samples WHERE database = ? AND series = ? ORDER BY day",
            (database, series),
        ).fetchall()
        return tuple((date.fromisoformat(day), float(value)) for day, value in rows)


def trends(
    history: History,
    database: str,
    statements: Iterable[Statement],
    tables: Mapping[str, Table],
    mean_ms_threshold: float,
) -> dict[str, Trend]:
    found: dict[str, Trend] = {}
    for statement in statements:
        key = f"statement:{statement.queryid}"
        points = history.series(database, key)
        if len(points) >= 2:
            outlook = forecast(points, mean_ms_threshold, direction="above")
            found[key] = Trend(key, points, mean_ms_threshold, outlook)
    for table in tables.values():
        key = f"table:{table.name}"
        points = history.series(database, key)
        if len(points) >= 2 and points[-1][1] > 0:
            threshold = 2.0 * points[-1][1]
            found[key] = Trend(
                key, points, threshold, forecast(points, threshold, direction="above")
            )
    return found


def describe(trend: Trend, unit: str) -> str:
    """``mean 320 ms, +40 ms/week, crosses 500 ms in 4 weeks (3–6)`` or the reason there is none."""
    last = trend.points[-1][1]
    outlook = trend.outlook
    if isinstance(outlook, NoForecast):
        return f"{last:,.0f} {unit} now; no forecast: {outlook.reason}"
    eta = outlook.eta_weeks
    return (
        f"{last:,.0f} {unit} now, {outlook.slope_per_week:+,.1f} {unit}/week, crosses "
        f"{trend.threshold:,.0f} {unit} in {eta.mid:.0f} weeks ({eta.low:.0f}–{eta.high:.0f})"
    )
