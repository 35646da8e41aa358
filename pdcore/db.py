"""The database: its schema migrations, transactions, the write lock and the data version.

Two engines run the same schema and the same SQL: a DuckDB file (the default, `make run`, a
single school) and PostgreSQL (`PDCORE_DB=postgresql://...`, a district on several app
processes; `pdcore.postgres` is that seam). On DuckDB, one process owns the file read-write;
it keeps one connection and every unit of work takes its own cursor (a connection is not
thread-safe, Streamlit sessions are threads). Snapshot
isolation does not stop write skew ("join if fewer than 10" over-admits under concurrent
joins), so every write transaction holds one process-wide lock. A new database file is built
beside its path and moved into place whole, so a crash never leaves half a database there; a
file that cannot be opened raises DatabaseUnreadable with one sentence saying what to do.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from pdcore import clock
from pdcore.db_errors import (  # noqa: F401  (the names callers catch: db.DatabaseProblem...)
    DatabaseBusy,
    DatabaseProblem,
    DatabaseUnavailable,
    DatabaseUnreadable,
)

DEFAULT_PATH = "data/pd.duckdb"
URL_PREFIXES = ("postgresql://", "postgres://")
MEMORY = ":memory:"

# Serializes write transactions across every thread of this process (see module docstring).
WRITE_LOCK = threading.RLock()
# Bumped after every committed write: cached reads key on it, so a write invalidates them.
_data_version = 0


def default_path() -> str:
    """The database: the PDCORE_DB environment variable (a DuckDB path or a postgresql://
    address), else data/pd.duckdb."""
    return os.environ.get("PDCORE_DB") or DEFAULT_PATH


def describe(target) -> str:
    """The database for a message: a file path, or a server's host/port/name (no password)."""
    if not is_url(target):
        return str(target)
    from pdcore import postgres

    return f"PostgreSQL {postgres.where(str(target))}"


def is_url(target) -> bool:
    """True for a PostgreSQL address (postgresql://... or postgres://...), not a file path."""
    return str(target).startswith(URL_PREFIXES)


def _on_postgres(con) -> bool:
    """True when `con` is a PostgreSQL database. pdcore.postgres (and psycopg, ~90 ms of a
    cold start) is imported only once an address asks for it, so DuckDB never loads it."""
    postgres = sys.modules.get("pdcore.postgres")
    return postgres is not None and isinstance(con, postgres.Database)


def migrations() -> list[tuple[int, str]]:
    """The schema migrations shipped in pdcore/sql, as (version, sql), in order."""
    found = []
    for entry in resources.files("pdcore.sql").iterdir():
        match = re.fullmatch(r"(\d+)_.*\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def schema_version(con) -> int:
    """The highest migration applied to this database (0 for a new one)."""
    cur = con.cursor()
    exists = cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con) -> int:
    """Apply every migration newer than the database's version; returns the new version.

    Each migration runs in its own transaction with its version row, so a failed migration
    leaves the database at the previous version with its data intact. On PostgreSQL one
    process applies them while any other waits (an advisory lock).
    """
    if _on_postgres(con):
        from pdcore import postgres

        return postgres.migrate(con, migrations())
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


def connect(path: str | os.PathLike | None = None):
    """Open (creating if needed) the database at `path` (a file, or a postgresql:// address)
    and bring its schema up to date.

    Raises DatabaseBusy, with a sentence a person can act on, when another process holds
    the file, and DatabaseUnavailable when a PostgreSQL server cannot be reached.
    """
    path = str(path or default_path())
    if is_url(path):
        from pdcore import postgres

        database = postgres.connect(path)
        migrate(database)
        return database
    if path != MEMORY:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if not Path(path).exists():
            _create_whole(Path(path))
    try:
        con = duckdb.connect(path)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusy(
                f"The database {path} is in use by another process (probably the running app): "
                "stop the app, or run this from the app's admin pages instead."
            ) from exc
        raise _unreadable(path) from exc
    except duckdb.Error as exc:  # not a DuckDB file, a truncated header, a newer format
        raise _unreadable(path) from exc
    # One worker thread per query: an app process already runs many sessions at once on few
    # cores, and each DuckDB thread keeps memory of its own (50,000 staff: ~26 MB less peak
    # for the app, no slower; benchmarks/README.md).
    con.execute("SET threads = 1")
    migrate(con)
    return con


def _unreadable(path: str) -> DatabaseUnreadable:
    return DatabaseUnreadable(
        f"The file {path} is not a PD Cohorts database this app can open (it may be damaged, "
        "half-written or another kind of file): move it aside and restore your latest backup "
        "copy in its place, or point PDCORE_DB at another path to start an empty school."
    )


def _create_whole(path: Path) -> None:
    """Build a new database beside `path`, then move it into place in one step, so the path
    never holds half a database (a crash while building leaves only the side file)."""
    side = path.with_name(f".{path.name}.creating-{os.getpid()}")
    for stale in (side, side.with_name(side.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(side))
    try:
        migrate(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    side.with_name(side.name + ".wal").unlink(missing_ok=True)  # checkpointed: empty
    try:
        os.link(side, path)  # fails if another process created the file meanwhile: keep theirs
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links
        os.replace(side, path)
    finally:
        side.unlink(missing_ok=True)


@contextmanager
def transaction(con) -> Iterator:
    """One write unit of work: a fresh cursor in a transaction, under the write lock (this
    process's on DuckDB, the database's own on PostgreSQL).

    Commits when the block ends, rolls back (and re-raises) on any exception, so a failure
    leaves nothing half-written.
    """
    if _on_postgres(con):
        with con.transaction() as cur:
            yield cur
        _bump_data_version()
        return
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
    with WRITE_LOCK:
        _data_version += 1


def data_version(con) -> tuple[int, ...]:
    """A cache key that changes after every committed write to `con`'s database: in this
    process, and on PostgreSQL in any process sharing it (re-read at most once a second)."""
    if _on_postgres(con):
        return (_data_version, con.data_version())
    return (_data_version,)


def read(con):
    """A cursor for reads (a snapshot); cheap, one per unit of work."""
    return con.cursor()


def audit(
    cur,
    actor_id: int | None,
    action: str,
    entity: str = "",
    entity_id: int | None = None,
    detail: str = "{}",
    subject_id: int | None = None,
) -> None:
    """Record who did what in the audit log (inside the caller's transaction).

    `actor_id` is who asked (0 for the command line), `subject_id` the person acted on when
    that is someone else (placed, moved, assigned a coach, followed up).
    """
    cur.execute(
        "INSERT INTO audit_log (actor_id, action, entity, entity_id, detail, subject_staff_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [actor_id, action, entity, entity_id, detail, subject_id],
    )
