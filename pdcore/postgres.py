"""The PostgreSQL backend: a district's shared database, for several app processes at once.

`pdcore.db` selects it for a `postgresql://` address (PDCORE_DB or --db) and keeps DuckDB for
a path. The rest of pdcore sees the same small surface on both engines: a connection with
`cursor()`/`execute()`, cursors with `execute(sql, params)`, `fetchone/fetchall/fetchmany`,
`df()` and `register(name, frame)`, and `db.transaction(con)`. This module is that surface
over psycopg 3 and its pool; everything engine-specific lives here:

- SQL is written with `?` parameters, as DuckDB takes them; they become psycopg's `%s` here.
- A few DuckDB functions the shared SQL uses (`current_localtimestamp()` reading the one clock,
  `year()`, `month()`, `list_contains()`...) are defined as small SQL functions (`_COMPAT`).
- Write transactions serialize on one advisory lock in the database itself, so capacity
  checks ("join if fewer than 10") stay exact across processes, as the process lock does on
  DuckDB; each commit bumps a version row that every process's caches key on.
- A server that cannot be reached, or that restarts under a running app, raises
  `DatabaseUnavailable` with one sentence; the pool reconnects by itself when it is back.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlsplit

import pandas as pd
import psycopg
from psycopg import sql as pgsql
from psycopg.adapt import Loader
from psycopg_pool import ConnectionPool, PoolTimeout

from pdcore import clock
from pdcore.db_errors import DatabaseBusy, DatabaseUnavailable

# Keys of the database-wide advisory locks this app takes (any fixed 64-bit numbers).
WRITE_LOCK_KEY = 7_310_001  # every write transaction (the DuckDB process lock's counterpart)
MIGRATE_LOCK_KEY = 7_310_002  # schema migrations: one process applies them
SYNC_LOCK_KEY = 7_310_003  # the scheduled Sheets sync: one process of the district runs it

# Connections each process keeps at most (N processes need N x this under max_connections).
POOL_ENV = "PDCORE_PG_POOL"
POOL_DEFAULT = 10
# How long a write waits for the write lock before saying the database is busy.
WRITE_WAIT_SECONDS = 30
# How long a request waits for a pooled connection before saying the server is not answering.
POOL_WAIT_SECONDS = 5.0
# How long a process trusts the data version it last read (a cross-process cache key).
VERSION_TTL_SECONDS = 1.0

_COMPAT = """
CREATE TABLE IF NOT EXISTS pdcore_data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
INSERT INTO pdcore_data_version VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION current_localtimestamp() RETURNS timestamp LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('pdcore.now', true), '')::timestamp,
                     localtimestamp) $$;
CREATE OR REPLACE FUNCTION year(d timestamp) RETURNS integer LANGUAGE sql IMMUTABLE AS
  $$ SELECT extract(year FROM d)::integer $$;
CREATE OR REPLACE FUNCTION month(d timestamp) RETURNS integer LANGUAGE sql IMMUTABLE AS
  $$ SELECT extract(month FROM d)::integer $$;
CREATE OR REPLACE FUNCTION list_contains(a anyarray, x anyelement) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS $$ SELECT x = ANY(a) $$;
CREATE OR REPLACE FUNCTION round(x double precision, digits integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE AS $$ SELECT round(x::numeric, digits)::double precision $$;
"""


def where(url: str) -> str:
    """The server and database of an address, without its password (for messages)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    name = parts.path.lstrip("/") or "postgres"
    return f"{host}{port}/{name}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    # psycopg prefixes "connection failed: connection to server at ... failed: <reason>"
    return first.rsplit("failed: ", 1)[-1].strip() or first


def _unavailable(url: str, exc: BaseException, doing: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"The PostgreSQL database at {where(url)} {doing}: {_reason(exc)}. Check that the "
        "server is running and that PDCORE_DB (or --db) names the right host, port, database "
        "and user (a running app retries by itself once the server answers)."
    )


# ---- SQL: DuckDB's parameters as psycopg's --------------------------------------------------

# Quoted text and comments (kept as they are), then the parameters: `?`, `$name`, `$1`; a
# parameter tested with IS [NOT] NULL gets a type (`::text`), since PostgreSQL cannot infer
# one for a NULL there; every literal `%` is doubled for psycopg.
_TOKENS = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\$\$.*?\$\$"
    r"|(?P<param>\?|\$(?P<name>[A-Za-z_]\w*|\d+))(?P<null>\s+IS\s+(?:NOT\s+)?NULL\b)?|%",
    re.S | re.I,
)


@lru_cache(maxsize=4096)
def translate(query: str) -> str:
    """A DuckDB-style query (`?`, `$name`, `$1`) in psycopg's style (`%s`, `%(name)s`)."""

    def swap(match: re.Match) -> str:
        if match.group("param"):
            name = match.group("name") or ""
            key = f"_{name}" if name.isdigit() else name  # $1 -> %(_1)s, $school -> %(school)s
            placeholder = f"%({key})s" if key else "%s"
            null = match.group("null")
            return f"{placeholder}::text{null}" if null else placeholder
        return match.group(0).replace("%", "%%")  # psycopg reads % even inside quotes

    return _TOKENS.sub(swap, query)


def _prepare(query: str, params) -> tuple[str, object]:
    if params is None or (not params and "?" not in query and "$" not in query):
        return query, None  # no placeholders: psycopg sends it as is (several statements ok)
    if isinstance(params, dict):
        return translate(query), params
    values = list(params)
    if re.search(r"\$\d", query):  # DuckDB's numbered $1, $2: as names _1, _2
        return translate(query), {f"_{i}": v for i, v in enumerate(values, start=1)}
    return translate(query), values


class _NumericLoader(Loader):
    """NUMERIC as DuckDB hands sums and averages back: a whole number as int, else float."""

    def load(self, data):
        value = Decimal(bytes(data).decode())
        whole = value.as_tuple().exponent >= 0  # sum(bigint), count-like: no fraction digits
        return int(value) if whole else float(value)


_DATE_OIDS = {1082, 1114, 1184}  # date, timestamp, timestamptz: datetime64 columns, as DuckDB


def _frame(description, rows) -> pd.DataFrame:
    columns = [d.name for d in description]
    frame = (
        pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    )
    for d in description:
        if d.type_code in _DATE_OIDS:
            frame[d.name] = pd.to_datetime(frame[d.name])
    return frame


# ---- cursors --------------------------------------------------------------------------------


class Cursor:
    """A DuckDB-shaped cursor over one psycopg cursor (inside a transaction)."""

    def __init__(self, database: Database, raw: psycopg.Cursor):
        self._database = database
        self._raw = raw

    def execute(self, query: str, params=None) -> Cursor:
        text, values = _prepare(query, params)
        try:
            self._raw.execute(text, values)
        except psycopg.OperationalError as exc:
            raise _unavailable(self._database.url, exc, "stopped answering") from exc
        return self

    def executemany(self, query: str, rows) -> Cursor:
        self._raw.executemany(translate(query), [list(r) for r in rows])
        return self

    @property
    def description(self):
        return self._raw.description

    def fetchone(self):
        return self._raw.fetchone()

    def fetchall(self):
        return self._raw.fetchall()

    def fetchmany(self, size: int):
        return self._raw.fetchmany(size)

    def df(self) -> pd.DataFrame:
        return _frame(self._raw.description, self._raw.fetchall())

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make `frame` a table called `name` for this transaction (a bulk load by COPY)."""
        columns = pgsql.SQL(", ").join(
            pgsql.SQL("{} {}").format(pgsql.Identifier(str(c)), pgsql.SQL(_pg_type(frame[c])))
            for c in frame.columns
        )
        self._raw.execute(
            pgsql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
                pgsql.Identifier(name), columns
            )
        )
        copy_sql = pgsql.SQL("COPY {} FROM STDIN").format(pgsql.Identifier(name))
        with self._raw.copy(copy_sql) as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row([None if _missing(v) else v for v in row])

    def unregister(self, name: str) -> None:
        self._raw.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(pgsql.Identifier(name)))

    def close(self) -> None:
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array cell
        return False


def _pg_type(column: pd.Series) -> str:
    kind = column.dtype.kind
    if kind == "b":
        return "BOOLEAN"
    if kind in "iu":
        return "BIGINT"
    if kind == "f":
        return "DOUBLE PRECISION"
    if kind == "M":
        return "TIMESTAMP"
    sample = column.dropna()
    first = sample.iloc[0] if len(sample) else None
    if isinstance(first, bool):
        return "BOOLEAN"
    if isinstance(first, int):
        return "BIGINT"
    if isinstance(first, float):
        return "DOUBLE PRECISION"
    if hasattr(first, "isoformat") and hasattr(first, "hour"):
        return "TIMESTAMP"
    if hasattr(first, "isoformat"):
        return "DATE"
    return "TEXT"


class ReadCursor:
    """A cursor for reads outside a transaction: each statement borrows a pooled connection
    (autocommit), reads its whole result, and gives the connection back."""

    def __init__(self, database: Database):
        self._database = database
        self._description = None
        self._rows: list = []
        self._at = 0

    def execute(self, query: str, params=None) -> ReadCursor:
        text, values = _prepare(query, params)
        with self._database.connection() as conn:
            cur = conn.execute(text, values)
            self._description = cur.description
            self._rows = cur.fetchall() if cur.description else []
        self._at = 0
        return self

    def executemany(self, query: str, rows) -> ReadCursor:
        with self._database.connection() as conn:
            conn.cursor().executemany(translate(query), [list(r) for r in rows])
        return self

    @property
    def description(self):
        return self._description

    def fetchone(self):
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchall(self):
        rows, self._at = self._rows[self._at :], len(self._rows)
        return rows

    def fetchmany(self, size: int):
        rows = self._rows[self._at : self._at + size]
        self._at += len(rows)
        return rows

    def df(self) -> pd.DataFrame:
        return _frame(self._description, self.fetchall())

    def close(self) -> None:
        self._rows = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---- the database ---------------------------------------------------------------------------


class Database:
    """One PostgreSQL database, shared by every thread (and every process) of the app."""

    def __init__(self, url: str, max_size: int | None = None):
        self.url = url
        self._check(url)
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size or int(os.environ.get(POOL_ENV) or POOL_DEFAULT),
            kwargs={"autocommit": True, "connect_timeout": 5},
            configure=_configure,
            check=ConnectionPool.check_connection,
            open=False,
            name="pdcore",
        )
        self._pool.open(wait=True, timeout=10)
        self._version = (0, -1.0)  # (version, when read, monotonic)
        self._version_lock = threading.Lock()
        self._writing = threading.local()  # this thread is inside transaction()

    @staticmethod
    def _check(url: str) -> None:
        """Connect once, directly, so a wrong address fails with its own reason."""
        try:
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.Error as exc:
            raise _unavailable(url, exc, "cannot be reached") from exc

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection(timeout=POOL_WAIT_SECONDS) as conn:
                yield conn
        except PoolTimeout as exc:
            waited = RuntimeError(f"no connection within {POOL_WAIT_SECONDS:g} seconds")
            raise _unavailable(self.url, waited, "is not answering") from exc
        except psycopg.OperationalError as exc:
            raise _unavailable(self.url, exc, "is not answering") from exc

    def cursor(self) -> ReadCursor:
        return ReadCursor(self)

    def execute(self, query: str, params=None) -> ReadCursor:
        return ReadCursor(self).execute(query, params)

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """One write unit of work under the database-wide write lock (see the module doc)."""
        if getattr(self._writing, "active", False):
            # DuckDB's process lock lets a thread nest; here the inner transaction would wait
            # for the outer one's lock forever, so say so at once.
            raise RuntimeError("A write transaction cannot open another one (PostgreSQL).")
        self._writing.active = True
        try:
            with self.connection() as conn, conn.transaction():
                raw = conn.cursor()
                try:
                    raw.execute(
                        "SELECT set_config('lock_timeout', %s, true),"
                        " set_config('pdcore.now', %s, true), pg_advisory_xact_lock(%s)",
                        [f"{WRITE_WAIT_SECONDS}s", clock.now().isoformat(sep=" "), WRITE_LOCK_KEY],
                    )
                except psycopg.errors.LockNotAvailable as exc:
                    raise DatabaseBusy(
                        f"The database at {where(self.url)} is busy with a long change (another "
                        f"one waited {WRITE_WAIT_SECONDS} s for it): try again in a minute."
                    ) from exc
                yield Cursor(self, raw)
                raw.execute("UPDATE pdcore_data_version SET version = version + 1")
        finally:
            self._writing.active = False
        with self._version_lock:
            self._version = (self._version[0], -1.0)  # our own write shows at once

    def data_version(self) -> int:
        """The district-wide write counter, re-read at most once a second."""
        with self._version_lock:
            version, read_at = self._version
            if time.monotonic() - read_at < VERSION_TTL_SECONDS:
                return version
        row = self.execute("SELECT version FROM pdcore_data_version").fetchone()
        with self._version_lock:
            self._version = (row[0], time.monotonic())
        return row[0]

    @contextmanager
    def session_lock(self, key: int, wait: bool = True) -> Iterator[bool]:
        """A database-wide advisory lock held for the block; yields False when `wait` is off
        and another process holds it."""
        with self.connection() as conn:
            if wait:
                conn.execute("SELECT pg_advisory_lock(%s)", [key])
                got = True
            else:
                got = conn.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]
            try:
                yield got
            finally:
                if got:
                    conn.execute("SELECT pg_advisory_unlock(%s)", [key])

    def close(self) -> None:
        self._pool.close()


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("numeric", _NumericLoader)
    # PostgreSQL's JIT spends ~1 s compiling the watchlist's plan on every call (measured by
    # benchmarks/pg_queries.py); a dashboard's queries are short: off for the app's sessions.
    conn.execute("SET jit = off")


def connect(url: str) -> Database:
    """Open the database at `url` (no schema work: `pdcore.db.connect` migrates it)."""
    return Database(url)


def migrate(database: Database, migrations: list[tuple[int, str]]) -> int:
    """Apply the migrations newer than the database's version, one process at a time: the
    others wait on the lock, then find nothing left to do."""
    with database.session_lock(MIGRATE_LOCK_KEY), database.connection() as conn:
        with conn.transaction():
            conn.execute(_COMPAT)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                " applied_at TIMESTAMP DEFAULT current_localtimestamp())"
            )
        current = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        for version, text in migrations:
            if version <= current:
                continue
            with conn.transaction():
                conn.execute(
                    "SELECT set_config('pdcore.now', %s, true)",
                    [clock.now().isoformat(sep=" ")],
                )
                conn.execute(text)
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", [version])
            current = version
    return current
