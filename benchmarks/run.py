"""Server-side speed at scale: `make bench` (or `python -m benchmarks.run`).

For each school size (260, 5,000 and 50,000 staff by default) it generates the demo school
with a full season of data (kept under benchmarks/out/ and reused unless --fresh), then
prints one table of:

* every page's warm server-side run time: one AppTest per page, signed in as the role the page
  is for, run once to warm it, then the median (and max) of --reruns reruns;
* every dashboard query (the pdcore function a page calls), median of a few calls;
* the matching engine on the whole school (pdcore.formation.preview);
* a roster sync of 5,000 rows, offline (benchmarks/sync_bench.py when present, else a CSV
  import of 5,000 roster rows through pdcore.imports);
* the database file's size and this process's peak resident memory.

    .venv/bin/python -m benchmarks.run                       # all sizes
    .venv/bin/python -m benchmarks.run --sizes 260,5000      # pick sizes
    .venv/bin/python -m benchmarks.run --sizes 260 --reruns 5 --out /tmp/bench.md

The numbers are written up in benchmarks/README.md. The real server under concurrent users,
cold start and the server's memory are measured by benchmarks/load.py.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import io
import os
import resource
import shutil
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import machine  # noqa: E402
from pdcore import authz, db, demo  # noqa: E402
from pdcore.model import Role  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "out"  # git-ignored
SIZES = (260, 5_000, 50_000)
ROLE_EMAIL = {
    Role.TEACHER: "ana.ruiz@demo-school.org",
    Role.COACH: "maya.okafor@demo-school.org",
    Role.ADMIN: "dana.whitfield@demo-school.org",
}

# The dashboard queries: (label, module, function). Each takes the connection only. A module
# or function that does not exist (yet) is reported as such, not skipped silently.
QUERIES = (
    ("participation_table", "pdcore.participation", "participation_table"),
    ("health_table", "pdcore.health", "health_table"),
    ("watchlist_frame", "pdcore.watchlist", "watchlist_frame"),
    ("caseload_frame", "pdcore.watchlist", "caseload_frame"),
    ("unmatched_frame", "pdcore.formation", "unmatched_frame"),
    ("demand_frame", "pdcore.topics", "demand_frame"),
    ("topic_list", "pdcore.topics", "topic_list"),
    ("cohort_frame", "pdcore.cohorts", "cohort_frame"),
    ("staff_overview", "pdcore.home", "staff_overview"),
    ("open_requests", "pdcore.help_requests", "open_requests"),
    ("feedback summary", "pdcore.feedback", "summary"),
    ("sync_history", "pdcore.imports", "sync_history"),
)


def school_file(size: int, fresh: bool = False) -> tuple[Path, float | None]:
    """The demo school of `size` staff (generated if missing); returns (path, seconds taken)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"school-{size}.duckdb"
    if path.exists() and not fresh:
        return path, None
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    con = db.connect(path)
    demo.generate(con, staff=size)
    con.execute("CHECKPOINT")
    con.close()
    return path, time.perf_counter() - started


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, max) wall seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_queries(path: Path, repeat: int) -> list[tuple[str, str]]:
    rows = []
    con = db.connect(path)
    try:
        for label, module_name, func_name in QUERIES:
            try:
                fn = getattr(importlib.import_module(module_name), func_name)
            except (ImportError, AttributeError):
                rows.append((f"query {label}", "not present"))
                continue
            try:
                fn(con)  # warm (first call plans the SQL)
                median, worst = timed(lambda fn=fn: fn(con), repeat)
                rows.append((f"query {label}", f"{median * 1000:.0f} ms (max {worst * 1000:.0f})"))
            except Exception as exc:  # a broken query is a result worth printing
                rows.append((f"query {label}", f"error: {type(exc).__name__}: {exc}"[:120]))
        try:
            from pdcore import formation

            median, worst = timed(lambda: formation.preview(con), 3 if repeat > 1 else 1)
            plan = formation.preview(con)
            rows.append(
                (
                    "matching: formation.preview",
                    f"{median * 1000:.0f} ms (max {worst * 1000:.0f}); {plan.summary()}"[:160],
                )
            )
        except Exception as exc:
            rows.append(("matching: formation.preview", f"error: {exc}"[:120]))
    finally:
        con.close()
    return rows


def page_cases(all_roles: bool) -> list[tuple[str, str, Role]]:
    """(path, title, role) per page: the role the page is for, or every role allowed."""
    from pdcore.ui.navigation import PAGES

    cases = []
    for path, title, _icon, roles, _section in PAGES:
        if all_roles:
            cases += [(path, title, role) for role in roles]
            continue
        # A page for everyone is timed as the teacher it is mostly for.
        if Role.TEACHER in roles:
            primary = Role.TEACHER
        elif Role.COACH in roles:
            primary = Role.COACH
        else:
            primary = Role.ADMIN
        cases.append((path, title, primary))
    return cases


def measure_pages(path: Path, reruns: int, all_roles: bool) -> list[tuple[str, str]]:
    """Warm AppTest run time of every page: median and max of `reruns` reruns."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["PDCORE_DB"] = str(path)
    os.environ["PDCORE_DEMO"] = "1"  # as `make run`: the demo schools' people sign in as test users
    st.cache_resource.clear()  # the cached connection points at the previous size's file
    st.cache_data.clear()
    rows = []
    for page, title, role in page_cases(all_roles):
        label = f"page {title} ({role.value})"
        try:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            email = ROLE_EMAIL[role]
            at.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]}
            at.run()
            at.switch_page(page)
            at.run()  # the warm-up run: caches filled, modules imported
            if at.exception:
                rows.append((label, f"exception: {at.exception[0].value}"[:120]))
                continue
            median, worst = timed(at.run, reruns)
            rows.append((label, f"{median * 1000:.0f} ms (max {worst * 1000:.0f})"))
        except Exception as exc:
            rows.append((label, f"error: {type(exc).__name__}: {exc}"[:120]))
    # Close the app's cached connection so the file can be reopened or deleted.
    st.cache_resource.clear()
    st.cache_data.clear()
    return rows


def roster_csv(path: Path, rows: int) -> bytes:
    """A roster CSV of `rows` people as a school would export it: the school's own staff,
    with a few departments changed and the rest as they are (so the sync has work to do)."""
    con = db.connect(path)
    try:
        people = (
            db.read(con)
            .execute(
                "SELECT email, name, department, role, school FROM staff ORDER BY id LIMIT ?",
                [rows],
            )
            .fetchall()
        )
    finally:
        con.close()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Email", "Name", "Department", "Role", "School"])
    for n, (email, name, department, role, school) in enumerate(people):
        if n % 50 == 0 and role == "teacher":
            department = "Science" if department != "Science" else "Mathematics"
        writer.writerow([email, name, department, role, school])
    return out.getvalue().encode()


def measure_sync(path: Path, rows: int = 5_000) -> list[tuple[str, str]]:
    """A sync of `rows` roster rows, offline: sync_bench.py (Sheets path) if present, else CSV."""
    try:
        sync_bench = importlib.import_module("benchmarks.sync_bench")
    except ImportError:
        sync_bench = None
    if sync_bench is not None and hasattr(sync_bench, "measure"):
        try:
            return [(f"sync: {k}", str(v)) for k, v in sync_bench.measure(rows=rows).items()]
        except Exception as exc:
            return [("sync: benchmarks.sync_bench", f"error: {exc}"[:120])]
    from pdcore import imports

    copy = path.with_name(path.stem + "-sync.duckdb")
    shutil.copy(path, copy)
    try:
        data = roster_csv(copy, rows)
        con = db.connect(copy)
        try:
            started = time.perf_counter()
            result = imports.import_files(con, authz.COMMAND_LINE, data, label="benchmark")
            seconds = time.perf_counter() - started
        finally:
            con.close()
    finally:
        copy.unlink(missing_ok=True)
        copy.with_name(copy.name + ".wal").unlink(missing_ok=True)
    counts = getattr(result, "roster", None) or getattr(result, "counts", "")
    n = data.count(b"\n") - 1
    return [(f"sync: CSV roster import of {n:,} rows", f"{seconds * 1000:.0f} ms; {counts}"[:160])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="staff counts, comma-separated"
    )
    parser.add_argument("--reruns", type=int, default=15, help="AppTest reruns per page")
    parser.add_argument("--query-repeat", type=int, default=5, help="calls per dashboard query")
    parser.add_argument("--all-roles", action="store_true", help="time each page for every role")
    parser.add_argument("--skip-pages", action="store_true", help="queries and engine only")
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="regenerate the schools")
    parser.add_argument("--out", help="also write the table (markdown) to this file")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    warnings.filterwarnings("ignore")

    results: dict[str, dict[int, str]] = {}

    def put(label: str, size: int, value: str) -> None:
        results.setdefault(label, {})[size] = value

    for size in sizes:
        print(f"== {size:,} staff", file=sys.stderr, flush=True)
        path, generated = school_file(size, args.fresh)
        put(
            "generate the demo school",
            size,
            "reused" if generated is None else f"{generated:.1f} s",
        )
        put("database file", size, f"{path.stat().st_size / 2**20:.1f} MB")
        for label, value in measure_queries(path, args.query_repeat):
            put(label, size, value)
            print(f"   {label}: {value}", file=sys.stderr, flush=True)
        if not args.skip_pages:
            for label, value in measure_pages(path, args.reruns, args.all_roles):
                put(label, size, value)
                print(f"   {label}: {value}", file=sys.stderr, flush=True)
        put("peak memory of this process so far", size, f"{peak_rss_mb():.0f} MB")

    if not args.skip_sync:
        size = 5_000 if 5_000 in sizes else max(sizes)
        path, _ = school_file(size)
        for label, value in measure_sync(path):
            put(label, size, value)

    header = ["measure", *(f"{s:,} staff" for s in sizes)]
    lines = [
        f"Benchmarks run {dt.datetime.now():%Y-%m-%d %H:%M} on {machine()}",
        f"(AppTest: median of {args.reruns} warm reruns per page; queries: median of "
        f"{args.query_repeat} calls)",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(["---"] * len(header)) + " |",
    ]
    for label, by_size in results.items():
        cells = [by_size.get(s, "") for s in sizes]
        lines.append("| " + " | ".join([label, *cells]) + " |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
