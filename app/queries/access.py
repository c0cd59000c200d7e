"""The database adapter: one read-only psycopg connection, and checks naming what is missing.

Everything the advisor does goes through `Database`; nothing here creates a real object in the
user's database: the session is read-only (``default_transaction_read_only``), and HypoPG's
hypothetical indexes live only in this backend's memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

CONNECT_TIMEOUT_SECONDS = 10
STATEMENT_TIMEOUT_MS = 30_000
"""No single catalogue query or EXPLAIN may run longer than this."""


class QueriesError(Exception):
    """The database cannot be analysed; the message names what is missing (never a password)."""


@dataclass(frozen=True)
class Capabilities:
    qualstats: bool
    """pg_qualstats is installed and loaded: parameters come from real constants."""


def describe_dsn(dsn: str) -> str:
    """``user@host:port/dbname`` of a DSN, without its password (for messages and history)."""
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "the given database URL"
    user = str(parts.get("user") or "")
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    name = parts.get("dbname") or user
    return f"{user + '@' if user else ''}{host}:{port}/{name}"


class Database:
    def __init__(self, connection: psycopg.Connection[Any], where: str) -> None:
        self._connection = connection
        self.where = where

    @classmethod
    def connect(cls, dsn: str) -> Database:
        where = describe_dsn(dsn)
        try:
            conninfo_to_dict(dsn)
        except psycopg.ProgrammingError:
            raise QueriesError("the database URL is not a PostgreSQL URL or DSN") from None
        try:
            connection = psycopg.connect(
                dsn,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                options=(
                    "-c default_transaction_read_only=on"
                    f" -c statement_timeout={STATEMENT_TIMEOUT_MS}"
                    " -c plan_cache_mode=force_custom_plan"
                ),
            )
        except psycopg.OperationalError as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "refused"
            raise QueriesError(
                f"cannot connect to {where}: {without_secrets(reason, dsn)}"
            ) from None
        return cls(connection, where)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(query.encode(), params or None)
                return list(cursor.fetchall()) if cursor.description else []
        except psycopg.errors.InsufficientPrivilege as exc:
            raise QueriesError(
                f"{self.where}: permission denied: {exc.diag.message_primary}"
            ) from None

    def run(self, query: str) -> None:
        with self._connection.cursor() as cursor:
            cursor.execute(query.encode())

    def explain(self, query: str) -> Any:
        """The JSON plan of ``query`` (EXPLAIN without ANALYZE: nothing runs)."""
        with self._connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {query}".encode())
            row = cursor.fetchone()
        assert row is not None
        return row[0][0]["Plan"]

    def check(self) -> Capabilities:
        """Raise `QueriesError` naming the missing extension, preload or privilege."""
        installed = {name for (name,) in self.rows("SELECT extname FROM pg_extension")}
        if "pg_stat_statements" not in installed:
            raise QueriesError(
                f"{self.where}: the extension pg_stat_statements is not installed in this "
                "database (CREATE EXTENSION pg_stat_statements, as a superuser)"
            )
        if "hypopg" not in installed:
            raise QueriesError(
                f"{self.where}: the extension hypopg is not installed in this database "
                "(Debian: postgresql-15-hypopg; then CREATE EXTENSION hypopg)"
            )
        [(reads_all,)] = self.rows(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'member') "
            "FROM pg_roles WHERE rolname = current_user"
        )
        if not reads_all:
            raise QueriesError(
                f"{self.where}: the role cannot read other roles' statements in "
                "pg_stat_statements (GRANT pg_read_all_stats TO <role>)"
            )
        if not self._works("SELECT 1 FROM pg_stat_statements LIMIT 1"):
            raise QueriesError(
                f"{self.where}: pg_stat_statements is not in shared_preload_libraries "
                "(add it and restart PostgreSQL)"
            )
        [(hypo,)] = self.rows(
            "SELECT has_function_privilege('hypopg_create_index(text)', 'EXECUTE')"
        )
        if not hypo:
            raise QueriesError(
                f"{self.where}: permission denied for function hypopg_create_index "
                "(GRANT EXECUTE ON FUNCTION hypopg_create_index(text) TO <role>)"
            )
        qualstats = "pg_qualstats" in installed and self._works(
            "SELECT 1 FROM pg_qualstats() LIMIT 1"
        )
        return Capabilities(qualstats=qualstats)

    def _works(self, query: str) -> bool:
        """Whether ``query`` runs (an extension not preloaded, or not allowed, fails it)."""
        try:
            self.rows(query)
        except (psycopg.Error, QueriesError):
            return False
        return True


def without_secrets(text: str, dsn: str) -> str:
    """``text`` with the DSN's password (if any) replaced by ``***``."""
    try:
        password = conninfo_to_dict(dsn).get("password")
    except psycopg.ProgrammingError:
        password = None
    return text.replace(str(password), "***") if password else text
