"""Exact capacity across processes: `python -m benchmarks.race`.

Many teachers press Join on the same cohort at the same moment, from different app
processes: the seat count and the insert must happen as one step for the district, not per
process. This sets up a school with one cohort that has SEATS open seats and one
staff-development option with SEATS seats, then releases JOINERS teachers at once (a barrier)
through the pdcore functions the pages call: `cohorts.join` (Find a group and Pick a topic)
and `sessions.sign_up` (Staff development).

* PostgreSQL (a throwaway server on 127.0.0.1, started and stopped here, or --pg URL): the
  joiners are split over --processes OS processes, each opening its own `db.connect(url)`,
  with one thread per joiner; the database's advisory write lock is all that keeps them apart.
* DuckDB (the reference, one process owns the file): the same joiners as threads of one
  process on one connection; the process-wide write lock keeps them apart.

Each joiner reports admitted or refused with the message pdcore raised (the pages show it,
or their own words for a cohort that "just filled up"); then the database is asked: members
== capacity, nobody in two active cohorts, one audit row per admitted joiner. Exits 1 if any
race admitted more than capacity or the database disagrees with what the joiners were told.

    .venv/bin/python -m benchmarks.race            # both engines: 50 joiners, 3 seats; 300 sign-ups
    .venv/bin/python -m benchmarks.race --joiners 20 --processes 2 --engines postgresql
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/race.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import machine  # noqa: E402
from pdcore import clock, cohorts, db, roster, sessions, settings  # noqa: E402

TODAY = date(2027, 1, 20)  # a school day in the season (every process lives on it)
SCHOOL = "Race High"


@dataclass(frozen=True)
class Scene:
    """What the race is for: the cohort and the session option with `seats` open seats, and
    the teachers who race for them."""

    cohort_id: int
    session_id: int
    capacity: int  # the cohort's (the school's largest cohort)
    seats: int  # open in the cohort
    session_seats: int  # the option's capacity
    joiners: tuple[int, ...]


def prepare(con, joiners: int = 50, seats: int = 3, session_seats: int | None = None) -> Scene:
    """A school with `joiners` teachers yet to join, one cohort with `seats` open seats (its
    starter and colleagues already in) and one staff-development option of `session_seats`
    seats (`seats` unless given)."""
    capacity = settings.load(con).max_size
    fillers = capacity - seats  # the starter and the colleagues who joined before
    with db.transaction(con) as cur:
        roster.ensure_default_slots(cur)
        ids = [
            cur.execute(
                "INSERT INTO staff (email, name, role, department, school) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [f"racer{n}@race.test", f"Racer {n:03d}", role, "Science", SCHOOL],
            ).fetchone()[0]
            for n, role in enumerate(["coach"] + ["teacher"] * (fillers + joiners))
        ]
        topic_id = cur.execute(
            "INSERT INTO topics (name, status) VALUES ('Formative assessment', 'offered') "
            "RETURNING id"
        ).fetchone()[0]
        slot_id = cur.execute("SELECT min(id) FROM meeting_slots").fetchone()[0]
    coach, starter, others, racers = ids[0], ids[1], ids[2 : 1 + fillers], ids[1 + fillers :]
    cohort_id = cohorts.start_cohort(
        con, starter, topic_id=topic_id, name="Exit tickets", slot_id=slot_id, goal="Try them"
    )
    for person in others:
        cohorts.join(con, person, cohort_id)
    session_id = sessions.publish(
        con,
        coach,
        clock.today() + timedelta(days=7),
        "Feedback that moves learning",
        session_seats or seats,
        room="Library",
    )
    return Scene(cohort_id, session_id, capacity, seats, session_seats or seats, tuple(racers))


# ---- one joiner ------------------------------------------------------------------------------


def attempt(con, what: str, scene: Scene, person: int) -> tuple[str, str]:
    """('admitted', '') or ('refused', the message the person is given) or ('error', ...)."""
    try:
        if what == "cohort":
            cohorts.join(con, person, scene.cohort_id)
        else:
            sessions.sign_up(con, person, scene.session_id)
        return "admitted", ""
    except (cohorts.CohortFull, sessions.SessionFull) as exc:
        return "refused", str(exc)
    except Exception as exc:  # reported, never hidden
        return "error", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else exc}"


def run_joiners(con, what: str, scene: Scene, people, barrier) -> list[tuple]:
    """One thread per person, each waiting on `barrier` (shared with every process), then
    trying; returns (person, outcome, message, released at, seconds) per person."""
    results = []
    lock = threading.Lock()

    def one(person: int) -> None:
        barrier.wait()
        released = time.time()
        outcome, message = attempt(con, what, scene, person)
        with lock:
            results.append((person, outcome, message, released, time.time() - released))

    threads = [threading.Thread(target=one, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _process(url: str, what: str, scene: Scene, people, barrier, ready, out, today) -> None:
    """One OS process of the district: its own connection, its share of the joiners."""
    with clock.frozen(today):
        con = db.connect(url)
        try:
            ready.put(len(people))
            out.put(run_joiners(con, what, scene, people, barrier))
        finally:
            con.close()


# ---- a race ----------------------------------------------------------------------------------


@dataclass
class Race:
    engine: str
    what: str  # cohort | session
    how: str  # '2 processes' | '50 threads in one process'
    scene: Scene
    results: list[tuple] = field(default_factory=list)
    database: dict = field(default_factory=dict)

    @property
    def outcomes(self) -> Counter:
        return Counter(r[1] for r in self.results)

    @property
    def messages(self) -> Counter:
        return Counter(r[2] for r in self.results if r[1] != "admitted")

    @property
    def admitted(self) -> set[int]:
        return {r[0] for r in self.results if r[1] == "admitted"}

    @property
    def open_seats(self) -> int:
        return self.scene.seats if self.what == "cohort" else self.scene.session_seats

    @property
    def exact(self) -> bool:
        """Exactly the open seats admitted, everyone else refused, and the database agrees."""
        d = self.database
        return (
            self.outcomes["admitted"] == min(self.open_seats, len(self.scene.joiners))
            and self.outcomes["refused"] == max(0, len(self.scene.joiners) - self.open_seats)
            and d["seats taken"] == d["capacity"]
            and d["admitted in the database"] == self.admitted
            and d["admitted in the audit log"] == self.admitted
            and d["people in two active cohorts"] == 0
        )

    @property
    def over_admitted(self) -> bool:
        return self.database["seats taken"] > self.database["capacity"] or (
            self.outcomes["admitted"] > self.open_seats
        )

    def summary(self) -> str:
        d = self.database
        first = min(r[3] for r in self.results)
        spread = max(r[3] for r in self.results) - first
        slowest = max(r[4] for r in self.results)
        done = max(r[3] + r[4] for r in self.results) - first
        lines = [
            f"{self.engine}, {self.what} seats, {len(self.scene.joiners)} joiners ({self.how}) "
            f"for {self.open_seats} open seats: {'EXACT' if self.exact else 'WRONG'}",
            f"  admitted {self.outcomes['admitted']}, refused {self.outcomes['refused']}, "
            f"errors {self.outcomes['error']}; released within {spread * 1000:.0f} ms, the "
            f"slowest answer {slowest * 1000:.0f} ms, all done {done:.2f} s after the first "
            f"release ({len(self.results) / done:.0f} answers/s)",
        ]
        lines += [f'  told ({n}x): "{m}"' for m, n in self.messages.most_common(3)]
        lines.append(
            f"  database: {d['seats taken']} of {d['capacity']} seats taken; admitted in the "
            f"database = told: {d['admitted in the database'] == self.admitted}; audit rows = "
            f"told: {d['admitted in the audit log'] == self.admitted}; people in two active "
            f"cohorts: {d['people in two active cohorts']}"
        )
        return "\n".join(lines)


def check(con, what: str, scene: Scene) -> dict:
    """What the database says after a race."""
    cur = db.read(con)
    racers = list(scene.joiners)
    marks = ", ".join("?" * len(racers))
    if what == "cohort":
        taken = cur.execute(
            "SELECT count(*) FROM memberships WHERE cohort_id = ? AND left_at IS NULL",
            [scene.cohort_id],
        ).fetchone()[0]
        capacity = scene.capacity
        admitted = cur.execute(
            f"SELECT staff_id FROM memberships WHERE cohort_id = ? AND left_at IS NULL "
            f"AND staff_id IN ({marks})",
            [scene.cohort_id, *racers],
        ).fetchall()
        audited = cur.execute(
            f"SELECT actor_id FROM audit_log WHERE action = 'cohort.joined' AND entity_id = ? "
            f"AND actor_id IN ({marks})",
            [scene.cohort_id, *racers],
        ).fetchall()
    else:
        taken = cur.execute(
            "SELECT count(*) FROM sd_signups WHERE session_id = ?", [scene.session_id]
        ).fetchone()[0]
        capacity = scene.session_seats
        admitted = cur.execute(
            "SELECT staff_id FROM sd_signups WHERE session_id = ?", [scene.session_id]
        ).fetchall()
        audited = cur.execute(
            "SELECT actor_id FROM audit_log WHERE action = 'sessions.sign_up' AND entity_id = ?",
            [scene.session_id],
        ).fetchall()
    doubled = cur.execute(
        "SELECT count(*) FROM (SELECT m.staff_id FROM memberships m "
        "JOIN cohorts c ON c.id = m.cohort_id WHERE m.left_at IS NULL AND c.status = 'active' "
        "GROUP BY m.staff_id HAVING count(*) > 1) AS d"
    ).fetchone()[0]
    return {
        "seats taken": taken,
        "capacity": capacity,
        "admitted in the database": {r[0] for r in admitted},
        "admitted in the audit log": {r[0] for r in audited},
        "people in two active cohorts": doubled,
    }


def race_processes(url: str, scene: Scene, what: str, processes: int = 2) -> Race:
    """The joiners split over `processes` OS processes (spawned: a fresh interpreter each, as
    separate app servers are), released together by one barrier across all of them."""
    ctx = mp.get_context("spawn")
    people = list(scene.joiners)
    shares = [people[i::processes] for i in range(processes)]
    barrier, ready, out = ctx.Barrier(len(people)), ctx.Queue(), ctx.Queue()
    workers = [
        ctx.Process(
            target=_process,
            args=(url, what, scene, share, barrier, ready, out, clock.today()),
            daemon=True,
        )
        for share in shares
    ]
    for w in workers:
        w.start()
    for _ in workers:  # every process connected and its threads about to wait
        ready.get(timeout=120)
    race = Race("PostgreSQL", what, f"{processes} processes", scene)
    for _ in workers:
        race.results += out.get(timeout=120)
    for w in workers:
        w.join(timeout=30)
        if w.exitcode != 0:
            raise RuntimeError(f"a joiner process exited with {w.exitcode}")
    return race


def race_threads(con, scene: Scene, what: str) -> Race:
    """The joiners as threads of this process on one connection (DuckDB: one process)."""
    race = Race("DuckDB", what, f"{len(scene.joiners)} threads in one process", scene)
    barrier = threading.Barrier(len(scene.joiners))
    race.results = run_joiners(con, what, scene, scene.joiners, barrier)
    return race


RACES = ("cohort", "session")


def on_postgresql(
    url: str, joiners: int, seats: int, processes: int, session_seats=None, whats=RACES
) -> list[Race]:
    con = db.connect(url)
    try:
        scene = prepare(con, joiners, seats, session_seats)
        races = [race_processes(url, scene, what, processes) for what in whats]
        for race in races:
            race.database = check(con, race.what, scene)
    finally:
        con.close()
    return races


def on_duckdb(path: Path, joiners: int, seats: int, session_seats=None, whats=RACES) -> list[Race]:
    con = db.connect(path)
    try:
        scene = prepare(con, joiners, seats, session_seats)
        races = [race_threads(con, scene, what) for what in whats]
        for race in races:
            race.database = check(con, race.what, scene)
    finally:
        con.close()
    return races


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.race", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--joiners", type=int, default=50)
    parser.add_argument("--seats", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2, help="PostgreSQL joiner processes")
    parser.add_argument("--engines", default="postgresql,duckdb")
    parser.add_argument("--pg", help="a PostgreSQL server URL to use (default: a throwaway one)")
    parser.add_argument(
        "--ceiling",
        type=int,
        default=300,
        help="then N sign-ups at once for N seats: how many writes/s the write lock lets by",
    )
    args = parser.parse_args(argv)
    from tests import pgserver

    print(f"Race run {time.strftime('%Y-%m-%d %H:%M')} on {machine()}")
    races: list[Race] = []
    with clock.frozen(TODAY), tempfile.TemporaryDirectory(prefix="pd-race-") as tmp:
        if "postgresql" in args.engines:
            server, folder = (args.pg, None) if args.pg else pgserver.start()
            try:
                url = pgserver.create(server, name=f"race_{int(time.time())}")
                races += on_postgresql(url, args.joiners, args.seats, args.processes)
                pgserver.drop(server, url)
                if args.ceiling:
                    url = pgserver.create(server, name=f"ceiling_{int(time.time())}")
                    races += on_postgresql(
                        url, args.ceiling, args.seats, args.processes, args.ceiling, ("session",)
                    )
                    pgserver.drop(server, url)
            finally:
                if folder:
                    pgserver.stop(folder)
        if "duckdb" in args.engines:
            races += on_duckdb(Path(tmp) / "race.duckdb", args.joiners, args.seats)
            if args.ceiling:
                path = Path(tmp) / "ceiling.duckdb"
                races += on_duckdb(path, args.ceiling, args.seats, args.ceiling, ("session",))
    for race in races:
        print(race.summary())
    over = [r for r in races if r.over_admitted]
    wrong = [r for r in races if not r.exact]
    if over:
        print(f"OVER-ADMITTED: {', '.join(f'{r.engine} {r.what}' for r in over)}")
    return 1 if over or wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
