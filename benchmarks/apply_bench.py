"""How long formation.apply holds the write lock (issue 13): apply a district's plan while a
second thread keeps writing, as a teacher joining a cohort would, and report the longest
transaction and the longest wait that writer saw.

    .venv/bin/python -m benchmarks.apply_bench --staff 50000
    .venv/bin/python -m benchmarks.apply_bench --staff 50000 --pg    # on a throwaway PostgreSQL
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
import time
from pathlib import Path

from pdcore import authz, db, demo, formation


@contextlib.contextmanager
def database(on_postgres: bool):
    """A new, empty database: a DuckDB file in a temp folder, or a throwaway PostgreSQL."""
    if not on_postgres:
        with tempfile.TemporaryDirectory() as tmp:
            yield Path(tmp) / "apply.duckdb"
        return
    from tests import pgserver

    server, folder = pgserver.start()
    try:
        yield pgserver.create(server)
    finally:
        pgserver.stop(folder)


def run(staff: int, on_postgres: bool = False) -> str:
    with database(on_postgres) as target:
        con = db.connect(target)
        start = time.perf_counter()
        demo.generate(con, staff=staff)
        built = time.perf_counter() - start
        plan = formation.preview(con)

        held: list[float] = []
        real = db.transaction

        @contextlib.contextmanager
        def timed(connection):
            with real(connection) as cur:
                t0 = time.perf_counter()
                try:
                    yield cur
                finally:
                    held.append(time.perf_counter() - t0)

        waits: list[float] = []
        stop = threading.Event()

        def writer():
            while not stop.is_set():
                t0 = time.perf_counter()
                with real(con) as cur:
                    cur.execute("SELECT 1")
                waits.append(time.perf_counter() - t0)
                time.sleep(0.02)

        thread = threading.Thread(target=writer)
        formation.db.transaction = timed
        thread.start()
        try:
            t0 = time.perf_counter()
            result = formation.apply(con, authz.COMMAND_LINE, plan)
            total = time.perf_counter() - t0
        finally:
            formation.db.transaction = real
            stop.set()
            thread.join()
        con.close()
    engine = "PostgreSQL" if on_postgres else "DuckDB"
    return (
        f"{engine}, {staff:,} staff (demo built in {built:.0f} s): {result.summary()} Apply took "
        f"{total:.1f} s in {len(held)} transactions (one per school); the longest held the "
        f"write lock {max(held):.2f} s; a writer running alongside waited at most "
        f"{max(waits):.2f} s ({len(waits)} writes)."
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=50_000)
    parser.add_argument("--pg", action="store_true", help="on a throwaway PostgreSQL server")
    args = parser.parse_args(argv)
    print(run(args.staff, args.pg))


if __name__ == "__main__":
    main()
