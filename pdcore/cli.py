"""The command line: `python -m pdcore [--db PATH] COMMAND ...`.

Each command only adapts arguments to one pdcore function and prints its result; the work
lives in the domain modules. Exit codes: 0 success (warnings may be printed), 1 when nothing
was written and the one-line reason says why, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from pdcore import db, formation, imports

Command = Callable[[argparse.Namespace], int]


def _open(args: argparse.Namespace):
    return db.connect(args.db)


def cmd_demo(args: argparse.Namespace) -> int:
    from pdcore import demo

    con = _open(args)
    summary = demo.generate(con, staff=args.staff, seed=args.seed)
    print(
        f"Demo school written to {db.describe(args.db)}: {summary.staff} staff in {summary.schools} "
        f"school(s), {summary.cohorts} cohorts, {summary.meetings} meetings, "
        f"{summary.unplaced} staff without a group."
    )
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    con = _open(args)
    cur = db.read(con)
    print(f"database: {db.describe(args.db)} (schema version {db.schema_version(con)})")
    for table in ("staff", "topics", "cohorts", "memberships", "meetings", "sync_runs"):
        count = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        print(f"{table:12} {count}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pdcore",
        description="PD Cohorts from the command line: demo data, imports, syncs, exports and "
        "cohort formation. The database is --db PATH (a DuckDB file) or --db postgresql://... "
        "(a district's shared PostgreSQL), else $PDCORE_DB, else data/pd.duckdb. A running app "
        "holds a DuckDB file: stop it first, or use the app's admin pages (PostgreSQL is shared).",
    )
    parser.add_argument(
        "--db",
        default=db.default_path(),
        help=f"a DuckDB file or a postgresql:// address (default: {db.describe(db.default_path())})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("demo", help="fill an empty database with the demo school")
    p.add_argument("--staff", type=int, default=260, help="how many staff (default: %(default)s)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("info", help="schema version and row counts")
    p.set_defaults(run=cmd_info)

    # Commands owned by their domain modules.
    imports.register_cli(sub)
    formation.register_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except db.DatabaseProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
