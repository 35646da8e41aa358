"""Dashboard queries on PostgreSQL beside DuckDB: `python -m benchmarks.pg_queries`.

For each size (5,000 and 50,000 staff by default) the demo school of benchmarks/run.py (the
same DuckDB file, generated once under benchmarks/out/) is copied table by table into a
fresh PostgreSQL database on a throwaway server (127.0.0.1, started and stopped here, or
--pg URL), so both engines hold exactly the same rows. Then every dashboard query
benchmarks/run.py times (its QUERIES list and formation.preview, by its own
`measure_queries`: the pdcore function each page calls, one warm-up call, then the median
and max of --repeat calls, uncached) runs on each engine, and one table prints them side by
side.

    .venv/bin/python -m benchmarks.pg_queries                      # 5,000 and 50,000 staff
    .venv/bin/python -m benchmarks.pg_queries --sizes 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/pg_queries.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402
from psycopg import sql as pgsql  # noqa: E402

from benchmarks.machine import machine  # noqa: E402
from benchmarks.run import measure_queries, school_file  # noqa: E402
from pdcore import db  # noqa: E402

# Bookkeeping each engine keeps for itself (the migrations fill both the same way).
NOT_COPIED = {"schema_version", "pdcore_data_version"}
BATCH = 20_000


def copy_school(path: Path, url: str) -> dict[str, int]:
    """Copy every table of the DuckDB file at `path` into the (migrated, empty) PostgreSQL
    database at `url` by COPY, sequences included; returns rows per table."""
    database = db.connect(url)  # the schema, by the same migrations
    source = duckdb.connect(str(path), read_only=True)
    copied = {}
    try:
        tables = [
            r[0]
            for r in source.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
            ).fetchall()
            if r[0] not in NOT_COPIED
        ]
        with database.connection() as conn, conn.transaction():
            # A superuser's bulk load: foreign keys are checked by the source, not row by row.
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute(
                pgsql.SQL("TRUNCATE {}").format(
                    pgsql.SQL(", ").join(pgsql.Identifier(t) for t in tables)
                )
            )
            for table in tables:
                cur = source.execute(f'SELECT * FROM "{table}"')
                columns = [d[0] for d in cur.description]
                copy_sql = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
                    pgsql.Identifier(table),
                    pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns),
                )
                n = 0
                with conn.cursor().copy(copy_sql) as copy:
                    while rows := cur.fetchmany(BATCH):
                        for row in rows:
                            copy.write_row(row)
                        n += len(rows)
                copied[table] = n
            for name, value in source.execute(
                "SELECT sequence_name, last_value FROM duckdb_sequences()"
            ).fetchall():
                if value is not None:
                    conn.execute("SELECT setval(%s, %s)", [name, value])
        with database.connection() as conn:
            conn.execute("ANALYZE")  # what autovacuum would soon do on a real server
    finally:
        source.close()
        database.close()
    return copied


def compare(sizes: list[int], repeat: int, server: str) -> list[str]:
    from tests import pgserver

    results: dict[str, dict[str, str]] = {}
    columns = []
    for size in sizes:
        path, generated = school_file(size)
        if generated:
            print(f"   generated the {size:,} school in {generated:.1f} s", file=sys.stderr)
        url = pgserver.create(server, name=f"queries_{size}")
        started = time.perf_counter()
        copied = copy_school(path, url)
        print(
            f"   copied {sum(copied.values()):,} rows of {len(copied)} tables into PostgreSQL "
            f"in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        for engine, target in (("DuckDB", path), ("PostgreSQL", url)):
            column = f"{engine}, {size:,} staff"
            columns.append(column)
            for label, value in measure_queries(target, repeat):
                value = value.splitlines()[0].strip()  # an error's first line: one table cell
                results.setdefault(label, {})[column] = value
                print(f"   {column}: {label}: {value}", file=sys.stderr, flush=True)
        pgserver.drop(server, url)
    lines = [
        "| query | " + " | ".join(columns) + " |",
        "| --- |" + " --- |" * len(columns),
    ]
    for label, by_column in results.items():
        cells = [by_column.get(c, "") for c in columns]
        lines.append(f"| {label.removeprefix('query ')} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pg_queries", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="5000,50000", help="staff counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="calls per query (after one warm)")
    parser.add_argument("--pg", help="a PostgreSQL server URL to use (default: a throwaway one)")
    args = parser.parse_args(argv)
    from tests import pgserver

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(f"Query run {time.strftime('%Y-%m-%d %H:%M')} on {machine()}")
    print(f"(median (max) of {args.repeat} calls after one warm-up, uncached)\n")
    server, folder = (args.pg, None) if args.pg else pgserver.start()
    try:
        lines = compare(sizes, args.repeat, server)
    finally:
        if folder:
            pgserver.stop(folder)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
