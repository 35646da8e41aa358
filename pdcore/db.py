"""The database: one DuckDB file, its schema migrations, transactions and the write lock.

One process owns the file read-write; it keeps one connection and every unit of work takes
its own cursor (a connection is not thread-safe, Streamlit sessions are threads). Snapshot
isolation does not stop write skew ("join if fewer than 10" over-admits under concurrent
joins), so every write transaction holds one process-wide lock.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from pdcore import clock

DEFAULT_PATH = "data/pd.duckdb"
MEMORY = ":memory:"

# Serializes write transactions across every thread of this process (see module docstring).
WRITE_LOCK = threading.RLock()
# Bumped after every committed write: cached reads key on it, so a write invalidates them.
_data_version = 0


class DatabaseBusy(RuntimeError):
    """The database file is held by another process."""


def default_path() -> str:
    """The database path: the PDCORE_DB environment variable, else data/pd.duckdb."""
    return os.environ.get("PDCORE_DB") or DEFAULT_PATH


def migrations() -> list[tuple[int, str]]:
    """The schema migrations shipped in pdcore/sql, as (version, sql), in order."""
    found = []
    for entry in resources.files("pdcore.sql").iterdir():
        match = re.fullmatch(r"(\d+)_.*\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this database (0 for a new one)."""
    cur = con.cursor()
    exists = cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the database's version; returns the new version.

    Each migration runs in its own transaction with its version row, so a failed migration
    leaves the database at the previous version with its data intact.
    """
    cur = con.cursor()
    cur.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_localtimestamp())"
    )
    current = schema_version(con)
    with WRITE_LOCK:
        for version, sql in migrations():
            if version <= current:
                continue
            cur.execute("BEGIN TRANSACTION")
            try:
                _stamp_with_clock(cur)
                cur.execute(sql)
                cur.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise
            current = version
    return current


def connect(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database at `path` and bring its schema up to date.

    Raises DatabaseBusy, with a sentence a person can act on, when another process holds
    the file.
    """
    path = str(path or default_path())
    if path != MEMORY:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(path)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusy(
                f"The database {path} is in use by another process (probably the running app): "
                "stop the app, or run this from the app's admin pages instead."
            ) from exc
        raise
    migrate(con)
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One write unit of work: a fresh cursor in a transaction, under the write lock.

    Commits when the block ends, rolls back (and re-raises) on any exception, so a failure
    leaves nothing half-written.
    """
    with WRITE_LOCK:
        cur = con.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            _stamp_with_clock(cur)
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")
            _bump_data_version()
        finally:
            cur.close()


def _stamp_with_clock(cur: duckdb.DuckDBPyConnection) -> None:
    """Make this cursor's current_localtimestamp() (column defaults, stamps in SQL) read the
    one clock, so a test or a server started with PDCORE_TODAY writes the dates it lives in.
    A temporary macro shadows the built-in for this cursor only."""
    stamp = clock.now().isoformat(sep=" ")
    cur.execute(f"CREATE OR REPLACE TEMP MACRO current_localtimestamp() AS TIMESTAMP '{stamp}'")


def _bump_data_version() -> None:
    global _data_version
    _data_version += 1  # only ever called under WRITE_LOCK


def data_version() -> int:
    """A number that changes after every committed write in this process (a cache key)."""
    return _data_version


def read(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for reads (a snapshot); cheap, one per unit of work."""
    return con.cursor()


def audit(
    cur: duckdb.DuckDBPyConnection,
    actor_id: int | None,
    action: str,
    entity: str = "",
    entity_id: int | None = None,
    detail: str = "{}",
) -> None:
    """Record who did what in the audit log (inside the caller's transaction)."""
    cur.execute(
        "INSERT INTO audit_log (actor_id, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?)",
        [actor_id, action, entity, entity_id, detail],
    )
