"""The real server under load, its cold start and its memory: `python -m benchmarks.load`.

Everything runs against `streamlit run app.py` on 127.0.0.1 (benchmarks/server.py starts it
as `make run` does, on a free port, with PDCORE_DB pointing at a private copy of a demo
school from benchmarks/out/) and talks Streamlit's own websocket protocol
(benchmarks/wsclient.py); nothing leaves the machine. Scenarios:

* throughput: page loads per second and their p50/p95 for 1, 4, 8 and 16 concurrent users at
  260 and 5,000 staff, for the teacher's Home page (the demo teacher on every load, then
  another of the school's teachers on each load) and the admin's Participation page. Each
  load is a NEW session (a new websocket) whose first run is the page, as when a signed-in
  person opens the app's address: identity comes from a request header mapped into st.user
  by Streamlit's own `server.trustedUserHeaders` (what a proxy that signs people in does;
  no change to the app), so the number is the page, not the demo sign-in screen. The
  server's CPU seconds per load are read from /proc.
* launch: the launch morning. Every teacher of the 260 school (cohorts reset to the people
  who started them, as on the first morning) arrives within --window seconds and signs in
  through the demo sign-in form; a starter opens My cohort, everyone else opens Find a group
  and joins the top-ranked cohort (retrying when it just filled up, asking to be placed when
  nothing is open), while an admin reloads the Participation page. Afterwards the database is checked: no cohort above capacity, no
  one in two cohorts, every join the teachers were told about recorded (membership and audit
  row), every refusal explained on screen, and no error in the server log.
* district (issue 16; needs Debian's postgresql and haproxy, not part of `all`): teacher Home
  new-session loads/s at 5,000 staff on PostgreSQL with 1 and 2 app processes behind HAProxy
  (pdcore.district), beside, in the same run, DuckDB's one process and the floors (the empty
  page and two dataframes direct, the empty page behind the proxy with 2 processes); the load
  client's own CPU per load is shown too, as it shares the cores.
* district-launch: the launch morning through the proxy on the 5,000 district (--teachers of
  its teachers, signed in by header as the st.login cookie signs them in), optionally with
  one app process killed (SIGKILL) halfway (--kill): its users reload and carry on.
* cold: seconds from `streamlit run` to the first chart drawn in Chromium.
* memory: the server's peak resident memory after every page has been opened by every role,
  at 260, 5,000 and 50,000 staff; and `python -m pdcore form-cohorts --dry-run` at 50,000.

    .venv/bin/python -m benchmarks.load                 # every scenario
    .venv/bin/python -m benchmarks.load throughput --sizes 260 --users 1,4 --seconds 5
    .venv/bin/python -m benchmarks.load launch --window 60
    .venv/bin/python -m benchmarks.load cold
    .venv/bin/python -m benchmarks.load memory --sizes 260,5000,50000
    .venv/bin/python -m benchmarks.load district --users 8,16 --seconds 10 --rounds 2
    .venv/bin/python -m benchmarks.load district-launch --teachers 1000 --window 300 --kill
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/load.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.exceptions import ConnectionClosed  # noqa: E402

from benchmarks.machine import machine  # noqa: E402
from benchmarks.run import ROLE_EMAIL, school_file  # noqa: E402
from benchmarks.server import (  # noqa: E402
    CLOCK_TICKS,
    ROOT,
    AppServer,
    log_problems,
    process_cpu_seconds,
)
from benchmarks.wsclient import StreamlitClient, choose, trigger  # noqa: E402
from pdcore import db  # noqa: E402
from pdcore.model import Role  # noqa: E402

# st.user from request headers (Streamlit's server.trustedUserHeaders): the load test's
# stand-in for a signed-in person's cookie. Loopback only, benchmarks only.
USER_HEADERS = {"X-Pd-Email": "email", "X-Pd-Signed-In": "is_logged_in"}
TRUSTED = ("--server.trustedUserHeaders", json.dumps(USER_HEADERS))
# A deployed app's files do not change under it; this checkout's do (people work in it), and
# Streamlit's file watcher then unloads pdcore modules under running sessions. Measure the app,
# not the watcher.
STEADY = ("--server.fileWatcherType", "none")


def signed_in(email: str) -> dict[str, str]:
    return {"X-Pd-Email": email, "X-Pd-Signed-In": "true"}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def private_copy(size: int, workdir: Path) -> Path:
    source, _ = school_file(size)
    target = workdir / f"pd-{size}.duckdb"
    shutil.copy(source, target)
    return target


# ---- throughput ------------------------------------------------------------------------------

# The same teacher on every load measures a returning visitor (what per-person caches keep);
# another teacher on each load, the first visit of each of a school's teachers.
EACH_TEACHER = "home, new teacher each"
PAGES = {  # scenario -> (URL path of the page, who opens it, text every load must show)
    "teacher home": ("", ROLE_EMAIL[Role.TEACHER], "Welcome, Ana"),
    EACH_TEACHER: ("", None, "Welcome,"),  # None: the school's active teachers in turn
    "participation": ("participation", ROLE_EMAIL[Role.ADMIN], "Participation"),
}


@dataclass
class Cell:
    size: int
    page: str
    users: int
    loads: int
    seconds: float
    latencies: list[float]
    cpu: float
    failures: int
    client_cpu: float = 0.0  # this load process's CPU seconds (it shares the server's cores)
    db_cpu: float | None = None  # a PostgreSQL server's CPU seconds, when it was measured

    @property
    def per_second(self) -> float:
        return self.loads / self.seconds

    def row(self) -> list[str]:
        return [
            f"{self.size:,}",
            self.page,
            str(self.users),
            f"{self.per_second:.1f}",
            f"{pct(self.latencies, 0.5) * 1000:.0f}",
            f"{pct(self.latencies, 0.95) * 1000:.0f}",
            f"{self.cpu / max(self.loads, 1) * 1000:.0f}",
            str(self.failures),
        ]


def load_once(server: AppServer, page: str, email: str, expect: str) -> float:
    """One new session loading `page`: seconds from connecting to the run's last element."""
    started = time.perf_counter()
    with StreamlitClient(server.ws_url, headers=signed_in(email)) as client:
        run = client.run(page)
    if run.exceptions or not run.has_text(expect):
        raise RuntimeError(f"bad page load: {run.exceptions or run.texts('heading')}")
    return time.perf_counter() - started


def active_teachers(path: Path) -> list[str]:
    """The school's active teachers' addresses (read before the server holds the file)."""
    con = db.connect(path)
    try:
        rows = db.read(con).execute(
            "SELECT email FROM staff WHERE active AND role = 'teacher' ORDER BY id"
        )
        return [email for (email,) in rows.fetchall()]
    finally:
        con.close()


def measure_cell(
    server: AppServer,
    size: int,
    name: str,
    users: int,
    seconds: float,
    teachers: list[str] = (),
    database=None,
) -> Cell:
    """`users` simulated people loading the page back to back for `seconds` (a scenario
    without one person takes the `teachers` in turn), and the CPU of `database`, a
    PostgresCpu, when given."""
    page, email, expect = PAGES[name]
    people = itertools.cycle(teachers) if email is None else itertools.repeat(email)
    load_once(server, page, next(people), expect)  # warm: first-run imports and caches
    stop_at = time.perf_counter() + seconds
    latencies: list[float] = []
    failures = Counter()
    lock = threading.Lock()

    def user() -> None:
        while time.perf_counter() < stop_at:
            try:
                took = load_once(server, page, next(people), expect)
                with lock:
                    latencies.append(took)
            except Exception as exc:  # counted and reported, never hidden
                with lock:
                    failures[type(exc).__name__] += 1

    cpu0, t0, client0 = server.cpu_seconds(), time.perf_counter(), time.process_time()
    db0 = database.cpu_seconds() if database else 0.0
    threads = [threading.Thread(target=user) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - t0, server.cpu_seconds() - cpu0
    client = time.process_time() - client0
    db_cpu = database.cpu_seconds() - db0 if database else None
    failed = sum(failures.values())
    return Cell(size, name, users, len(latencies), elapsed, latencies, cpu, failed, client, db_cpu)


def throughput(sizes: list[int], users: list[int], seconds: float, workdir: Path) -> list[Cell]:
    cells = []
    for size in sizes:
        db_path = private_copy(size, workdir)
        teachers = active_teachers(db_path)
        with AppServer(
            db_path, workdir / f"throughput-{size}.log", extra_args=TRUSTED + STEADY
        ) as server:
            for name in PAGES:
                for n in users:
                    cell = measure_cell(server, size, name, n, seconds, teachers)
                    cells.append(cell)
                    print("   " + " | ".join(cell.row()), file=sys.stderr, flush=True)
            problems = server.problems()
        if problems:
            print(f"server log problems at {size}: {problems[:5]}", file=sys.stderr)
    return cells


def throughput_table(cells: list[Cell]) -> str:
    header = [
        "staff",
        "page",
        "users",
        "loads/s",
        "p50 ms",
        "p95 ms",
        "server CPU ms/load",
        "failed",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(c.row()) + " |" for c in cells]
    return "\n".join(lines)


FLOOR_APPS = {  # what any Streamlit page costs on this machine, measured the same way
    "empty page": 'import streamlit as st\nst.title("Empty")\n',
    "two small dataframes": (
        "import pandas as pd\nimport streamlit as st\nst.title('Two tables')\n"
        "frame = pd.DataFrame({'a': range(20), 'b': [str(i) for i in range(20)]})\n"
        "st.dataframe(frame)\nst.dataframe(frame)\n"
    ),
    "two small charts": (
        "import altair as alt\nimport pandas as pd\nimport streamlit as st\n"
        "st.title('Two charts')\n"
        "frame = pd.DataFrame({'stage': [f's{i}' for i in range(6)], 'n': range(6)})\n"
        "chart = alt.Chart(frame).mark_bar().encode(x='n:Q', y='stage:N')\n"
        "st.altair_chart(chart)\nst.altair_chart(chart)\n"
    ),
    "two cached chart specs": (  # the same charts, specs built once (what the dashboards do)
        "import altair as alt\nimport pandas as pd\nimport streamlit as st\n"
        "st.title('Two specs')\n"
        "@st.cache_resource\ndef spec():\n"
        "    frame = pd.DataFrame({'stage': [f's{i}' for i in range(6)], 'n': range(6)})\n"
        "    return alt.Chart(frame).mark_bar().encode(x='n:Q', y='stage:N').to_dict()\n"
        "st.vega_lite_chart(dict(spec()), key='a')\nst.vega_lite_chart(dict(spec()), key='b')\n"
    ),
}

# The floor of the same elements: each page's elements (as a load of it receives them: the
# sidebar's account box, the navigation of that role's pages, the layout) drawn from constants,
# with no database, no sign-in and no caches of the app's own. A page's CPU per load beside
# its floor is what its data and logic cost.
_NAV_FLOOR = """import streamlit as st
st.set_page_config(page_title="Floor", layout="wide")
def body(): ...
def nav(pages, sections):
    found = {{}}
    for i in range(pages):
        found.setdefault(sections[i % len(sections)], []).append(
            st.Page(body if i else main, title=f"Page {{i}}", url_path=f"p{{i}}", default=not i))
    with st.sidebar, st.container(key="account"):
        st.html("<style>.st-key-account p {{overflow-wrap: anywhere;}}</style>")
        st.markdown("**Ana Ruiz**  \\nTeacher · Mathematics")
        st.caption("Demo sign-in")
        st.button("Sign out", icon=":material/logout:")
    st.navigation(found, expanded=True).run()
{body}
nav({pages}, {sections})
"""
FLOOR_APPS["home elements"] = _NAV_FLOOR.format(
    pages=10,
    sections='["", "My learning"]',
    body="""def main():
    st.title("Home: welcome, Ana", anchor=False)
    st.subheader("My learning this season")
    with st.container(border=True):
        st.markdown("**A cohort's name** · A topic")
        st.markdown("Next meeting: **Wed Dec 16**, Wed after school · Share practice")
        st.download_button("Add to my calendar (.ics)", lambda: b"", file_name="m.ics",
                           icon=":material/calendar_add_on:", key="ics")
        st.caption("Our goal")
        st.text("Finish the topic together and share one lesson each")
        st.page_link("https://example.org/1", label="Open my cohort")
    left, right = st.columns(2)
    with left.container(border=True):
        st.markdown("**Staff development**")
        st.markdown("Wed Dec 2: you are in **A session** (Room 1)")
        st.page_link("https://example.org/2", label="Staff development")
    with right.container(border=True):
        st.markdown("**Coaching**")
        st.markdown("No coach yet: choose one or leave it to the coaches.")
        st.page_link("https://example.org/3", label="Growth plan")
    st.info("You met on Wed Nov 18: add a short reflection.", icon=":material/edit_note:")
    st.page_link("https://example.org/4", label="Add a reflection")
""",
)
FLOOR_APPS["participation elements"] = _NAV_FLOOR.format(
    pages=21,
    sections='["", "Admin", "Coaching", "My learning"]',
    body="""import altair as alt
import pandas as pd
@st.cache_resource
def specs():
    funnel = pd.DataFrame({"stage": [f"Stage {i}" for i in range(6)], "people": range(6)})
    seasons = pd.DataFrame({"season": ["2025-26", "2026-27"], "share": [0.5, 0.7]})
    return (
        alt.Chart(funnel).mark_bar().encode(x="people:Q", y="stage:N").to_dict(),
        alt.Chart(seasons).mark_bar().encode(x="share:Q", y="season:N").to_dict(),
        seasons,
    )
def main():
    funnel, by_season, seasons = specs()
    st.title("Participation")
    st.caption("Who is in, who is not: the participation funnel by department and topic.")
    every = st.segmented_control("Refresh", [0, 15, 30, 60], default=30, key="refresh")
    @st.fragment(run_every=every or None)
    def dashboard():
        c1, c2, c3 = st.columns(3)
        c1.multiselect("Department", ["Mathematics", "Science"], key="d")
        c2.multiselect("Topic", ["A topic", "Another"], key="t")
        c3.multiselect("Role", ["teacher", "coach", "admin"], default=["teacher"], key="r")
        st.caption("Updated 00:00:00; refreshes every 30 s while this page is open.")
        for col, n in zip(st.columns(6), range(6)):
            col.metric(f"Stage {n}", 100 - n, "50%", delta_color="off", delta_arrow="off")
        left, right = st.columns([2, 3])
        with left:
            st.subheader("The funnel")
            st.vega_lite_chart(dict(funnel), width="stretch")
            st.download_button("Download CSV", lambda: b"", file_name="f.csv", key="f")
        with right:
            st.subheader("Share at each stage")
            st.segmented_control("Break down by", ["department", "topic"], key="by")
            st.caption("Pick department or topic to see each group's share at every stage.")
        st.toggle("Show the people", key="people")
        st.download_button("Download CSV (260 people)", lambda: b"", file_name="p.csv", key="p")
    dashboard()
    st.subheader("Year over year")
    st.vega_lite_chart(dict(by_season), width="stretch", key="seasons")
    st.dataframe(seasons, hide_index=True)
""",
)


def floor_app(name: str, workdir: Path) -> Path:
    """A folder holding the floor app `name` as its app.py, with the app's own server
    settings (its .streamlit/config.toml), registered in PAGES."""
    folder = workdir / name.replace(" ", "-")
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    (folder / "app.py").write_text(FLOOR_APPS[name])
    PAGES[name] = ("", "", name.split()[0].title())
    return folder


def floors(
    users: list[int], seconds: float, workdir: Path, names: tuple[str, ...] = tuple(FLOOR_APPS)
) -> list[Cell]:
    """New-session loads of trivial apps: the fixed cost a page pays before its own work."""
    cells = []
    for name in names:
        folder = floor_app(name, workdir)
        log = workdir / f"floor-{folder.name}.log"
        with AppServer(workdir / "unused.duckdb", log, extra_args=STEADY, cwd=folder) as server:
            for n in users:
                cells.append(measure_cell(server, 0, name, n, seconds))
                print("   " + " | ".join(cells[-1].row()), file=sys.stderr, flush=True)
    return cells


# ---- launch morning --------------------------------------------------------------------------


@dataclass
class Teacher:
    staff_id: int
    email: str
    label: str  # as the demo sign-in's roster picker shows them
    starter: bool = False  # started a cohort before the morning: signs in and opens it


@dataclass
class Outcome:
    teacher: Teacher
    result: str  # joined | placed-request | refused | opened own cohort | error
    messages: list[str] = field(default_factory=list)
    attempts: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # server run time per step
    reloaded: bool = False  # a crash cut the session; this is the journey after a reload


def reset_to_launch_morning(target) -> list[Teacher]:
    """The first morning: each cohort keeps only the person who started it; everyone else has
    yet to join. Returns every active teacher to simulate. `target` is a DuckDB file or a
    postgresql:// address."""
    from pdcore.ui.text import short

    con = db.connect(target)
    try:
        with db.transaction(con) as cur:
            cur.execute(
                "UPDATE memberships SET left_at = current_localtimestamp() - INTERVAL '1 day', "
                "left_reason = 'before launch (load test)' "
                "WHERE left_at IS NULL AND how <> 'started'"
            )
            cur.execute("UPDATE help_requests SET status = 'done' WHERE status = 'open'")
        rows = (
            db.read(con)
            .execute(
                "SELECT s.id, s.email, s.name, s.role, s.department, EXISTS ("
                "  SELECT 1 FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
                "  WHERE m.staff_id = s.id AND m.left_at IS NULL AND c.status = 'active') "
                "FROM staff s WHERE s.active AND s.role = 'teacher' ORDER BY s.id"
            )
            .fetchall()
        )
    finally:
        con.close()
    # As the demo sign-in's picker labels people (app.py): the email makes each one unique.
    return [
        Teacher(sid, email, f"{short(name)} ({role}, {short(dept)}, {email})", starter)
        for sid, email, name, role, dept, starter in rows
    ]


def alert_texts(run) -> list[str]:
    return [e.text for e in run.of("alert")] + run.exceptions


def teacher_morning(
    server: AppServer, teacher: Teacher, max_attempts: int = 3, by_header: bool = False
) -> Outcome:
    """Sign in (with the demo form, or `by_header`: already signed in, as the st.login cookie
    makes a person), open Find a group, join the top cohort (or ask)."""
    out = Outcome(teacher, "error")
    started = time.perf_counter()
    try:
        headers = signed_in(teacher.email) if by_header else None
        with StreamlitClient(server.ws_url, headers=headers) as client:
            if by_header:
                home = client.run()
            else:
                first = client.run()
                out.steps["sign-in screen"] = first.seconds
                picker = first.widget(label="Or anyone on the roster", kind="selectbox")
                submit = first.widget(label="Sign in as this person", kind="button")
                home = client.run("", [choose(picker, teacher.label), trigger(submit)])
            out.steps["sign in -> home"] = home.seconds
            if not any(t.startswith("Welcome,") for t in home.texts("heading")):
                out.messages = ["sign-in failed", *alert_texts(home)]
                return out
            if teacher.starter:
                mine = client.run("my_cohort")
                out.steps["my cohort (starters)"] = mine.seconds
                ok = "My cohort" in mine.texts("heading") and not mine.exceptions
                out.result = "opened own cohort" if ok else "error"
                out.messages += mine.exceptions
                return out
            page = client.run("find_group")
            out.steps["find a group"] = page.seconds
            if page.has_text("Leave it on My cohort first"):  # joined before (a reload)
                out.result = "already in a cohort"
                return out
            for _attempt in range(max_attempts):
                out.attempts += 1
                joins = [e for e in page.of("button") if "-join_" in e.id]
                if not joins:
                    # Nothing open for this topic: the page says so; ask to be placed.
                    out.messages.append(" / ".join(alert_texts(page)))
                    ask = page.widget(key="place_me_submit")
                    if ask is None:
                        out.result = "refused"
                        return out
                    after = client.click("find_group", ask)
                    out.messages += alert_texts(after)
                    out.result = "placed-request" if after.has_text("placed is in") else "error"
                    return out
                page = client.click("find_group", joins[0])
                out.steps["join"] = page.seconds
                notes = alert_texts(page)
                if any("You joined" in t for t in notes):
                    out.result = "joined"
                    out.messages += [t for t in notes if "You joined" in t]
                    return out
                out.messages += notes
                if not any("filled up" in t for t in notes):
                    out.result = "refused" if notes else "error"
                    return out
            out.result = "refused"
            return out
    except Exception as exc:
        out.messages.append(f"{type(exc).__name__}: {exc}")
        return out
    finally:
        out.seconds = time.perf_counter() - started


def admin_watching(
    server: AppServer, stop: threading.Event, every: float, by_header: bool = False
) -> list[float]:
    """An admin on the Participation page, reloading it every `every` seconds (after a cut
    connection, a crashed app process, opening the page again in a new session)."""
    timings = []
    headers = signed_in(ROLE_EMAIL[Role.ADMIN]) if by_header else None
    cuts = 0
    while not stop.is_set():
        try:
            with StreamlitClient(server.ws_url, headers=headers) as client:
                first = client.run()
                if not by_header:
                    admin = next(e for e in first.of("button") if e.text.startswith("Admin: "))
                    client.run("", [trigger(admin)])
                while not stop.is_set():
                    run = client.run("participation")
                    if run.exceptions:
                        raise RuntimeError(run.exceptions)
                    timings.append(run.seconds)
                    stop.wait(every)
        except (OSError, ConnectionClosed):
            cuts += 1
            if cuts > 3:
                raise
    return timings


def morning(
    server,
    teachers: list[Teacher],
    window: float,
    workers: int,
    seed: int = 1,
    by_header: bool = False,
    crash_at: float | None = None,
    crash=None,
) -> tuple[list[Outcome], dict]:
    """Every teacher arrives at a random moment within `window` seconds (at most `workers` at
    once) while an admin reloads Participation. `server` is an AppServer or a Proxied
    district; with `crash` (called `crash_at` seconds in), a teacher whose session it cut
    reloads once: a new session, signed in again by the same header (the st.login cookie)."""
    rng = random.Random(seed)
    arrivals = sorted(((rng.uniform(0, window), t) for t in teachers), key=lambda a: a[0])
    crashed = threading.Event()
    stop = threading.Event()
    admin_timings: list[float] = []
    watcher = threading.Thread(
        target=lambda: admin_timings.extend(admin_watching(server, stop, 5.0, by_header))
    )
    watcher.start()
    t0 = time.perf_counter()
    cpu0 = server.cpu_seconds()

    def crash_later() -> None:
        time.sleep(max(0.0, t0 + crash_at - time.perf_counter()))
        server.cpu_seconds()  # the dying process's CPU so far is kept
        crash()
        crashed.set()

    if crash is not None:
        threading.Thread(target=crash_later, daemon=True).start()

    def arrive(item):
        at, teacher = item
        time.sleep(max(0.0, t0 + at - time.perf_counter()))
        out = teacher_morning(server, teacher, by_header=by_header)
        if out.result == "error" and crash is not None and (crashed.is_set() or crashed.wait(5)):
            again = teacher_morning(server, teacher, by_header=by_header)
            again.messages = [*out.messages, *again.messages]
            again.reloaded = True
            return again
        return out

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(arrive, arrivals))
    elapsed = time.perf_counter() - t0
    cpu = server.cpu_seconds() - cpu0
    stop.set()
    watcher.join()
    rss, peak = server.memory_mb()
    stats = {
        "elapsed s": round(elapsed, 1),
        "server CPU s": round(cpu, 1),
        "server peak RSS MB": round(peak, 0),
        "server log problems": server.problems(),
        "admin participation reloads": len(admin_timings),
        "admin reload p95 s": round(pct(admin_timings, 0.95), 2),
    }
    return outcomes, stats


def morning_report(outcomes: list[Outcome], stats: dict, checks: dict) -> dict:
    """What the morning did, for people: outcomes, latencies, the server, the database."""

    def step(name: str) -> tuple[float, float]:
        values = [o.steps[name] for o in outcomes if name in o.steps]
        return round(pct(values, 0.5), 2), round(pct(values, 0.95), 2)

    steps = ("sign-in screen", "sign in -> home", "find a group", "join", "my cohort (starters)")
    return {
        "outcomes": dict(Counter(o.result for o in outcomes)),
        "retries after 'just filled up'": sum(max(0, o.attempts - 1) for o in outcomes),
        "teacher journey p50 s": round(pct([o.seconds for o in outcomes], 0.5), 2),
        "teacher journey p95 s": round(pct([o.seconds for o in outcomes], 0.95), 2),
        "step p50/p95 s": {name: step(name) for name in steps},
        **stats,
        "errors": [o.messages for o in outcomes if o.result == "error"][:5],
        "refusals (sample)": sorted(
            {m for o in outcomes if o.result in ("refused", "placed-request") for m in o.messages}
        )[:6],
        **checks,
    }


def launch(workdir: Path, window: float, workers: int, seed: int = 1) -> dict:
    db_path = private_copy(260, workdir)
    teachers = reset_to_launch_morning(db_path)
    started_at = datetime.now()
    with AppServer(db_path, workdir / "launch.log", extra_args=STEADY) as server:
        outcomes, stats = morning(server, teachers, window, workers, seed)
    checks = check_morning(db_path, outcomes, started_at)
    return {
        "teachers": len(teachers),
        "window s": window,
        **morning_report(outcomes, stats, checks),
    }


def check_morning(path: Path, outcomes: list[Outcome], started_at: datetime) -> dict:
    """What the database says after the morning (it must agree with what people were told)."""
    con = db.connect(path)
    try:
        cur = db.read(con)
        max_size = json.loads(
            (cur.execute("SELECT value FROM settings WHERE key = 'max_size'").fetchone() or ["10"])[
                0
            ]
        )
        over = cur.execute(
            "SELECT c.id, c.kind, count(*) FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
            "WHERE m.left_at IS NULL GROUP BY c.id, c.kind "
            "HAVING count(*) > CASE WHEN c.kind = 'individual' THEN 1 ELSE ? END",
            [int(max_size)],
        ).fetchall()
        doubled = cur.execute(
            "SELECT m.staff_id FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
            "WHERE m.left_at IS NULL AND c.status = 'active' GROUP BY m.staff_id "
            "HAVING count(*) > 1"
        ).fetchall()
        joined_rows = {
            r[0]
            for r in cur.execute(
                "SELECT staff_id FROM memberships WHERE joined_at >= ? AND left_at IS NULL",
                [started_at],
            ).fetchall()
        }
        audited = {
            r[0]
            for r in cur.execute(
                "SELECT actor_id FROM audit_log WHERE action = 'cohort.joined' AND happened_at >= ?",
                [started_at],
            ).fetchall()
        }
    finally:
        con.close()
    told = {o.teacher.staff_id for o in outcomes if o.result == "joined"}
    # A join committed just before a crash, whose answer never came: the reload shows it.
    found = {o.teacher.staff_id for o in outcomes if o.result == "already in a cohort"}
    unexplained = [
        o for o in outcomes if o.result in ("refused", "placed-request") and not o.messages
    ]
    return {
        "joins told but not in the database (lost)": len(told - joined_rows),
        "joins in the database nobody was told of (cut by a crash)": len(joined_rows - told),
        "cohorts above capacity": len(over),
        "people in two cohorts": len(doubled),
        "joins told": len(told),
        "joins in the database": len(joined_rows),
        "joins in the audit log": len(audited),
        "joins told = joins in the database": told == joined_rows,
        "joins told or found after a reload = joins in the database": told | found == joined_rows,
        "joins told = joins in the audit log": told == audited,
        "refusals without an explanation": len(unexplained),
    }


# ---- a district: app processes behind HAProxy on one PostgreSQL (issue 16) ------------------


def district_env() -> dict[str, str]:
    """The app processes' settings, as environment variables (pdcore.district starts them):
    the same flags as the one-process runs (demo mode, no file watcher, identity headers)."""
    return {
        "PDCORE_DEMO": "1",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        "STREAMLIT_SERVER_TRUSTED_USER_HEADERS": json.dumps(USER_HEADERS),
    }


class Proxied:
    """A running pdcore.district.District seen as one server by measure_cell and morning():
    the proxy's websocket address, the CPU and memory of every app process plus HAProxy,
    and every app process's log."""

    def __init__(self, district):
        self.district = district
        self._cpu: dict[int, float] = {}  # last reading per process (a killed one keeps it)

    @property
    def ws_url(self) -> str:
        return "ws" + self.district.url.removeprefix("http") + "/_stcore/stream"

    def _pids(self) -> list[int]:
        return [p.pid for p in self.district.processes] + [self.district.haproxy.pid]

    def cpu_seconds(self) -> float:
        for pid in self._pids():
            with suppress(OSError):  # gone: its last reading stands
                self._cpu[pid] = process_cpu_seconds(pid)
        return sum(self._cpu.values())

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS of the live app processes together, the largest one's peak), MB."""
        current, peak = 0.0, 0.0
        for proc in self.district.processes:
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
            except OSError:
                continue
            values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
            current += int(values.get("VmRSS", 0)) / 1024
            peak = max(peak, int(values.get("VmHWM", 0)) / 1024)
        return current, peak

    def problems(self) -> list[str]:
        return [p for i in range(self.district.n) for p in log_problems(self.district.log_text(i))]


def pg_school(server_url: str, size: int) -> str:
    """A new PostgreSQL database on `server_url` holding the demo school of `size` staff (the
    same rows as benchmarks/out's DuckDB file, copied by pg_queries.copy_school)."""
    from benchmarks.pg_queries import copy_school
    from tests import pgserver

    url = pgserver.create(server_url, name=f"district_{size}_{int(time.time() * 1000) % 10**8}")
    copy_school(school_file(size)[0], url)
    return url


class PostgresCpu:
    """CPU seconds of a throwaway PostgreSQL server: the postmaster, its exited backends
    (reaped into its children's time) and the live ones."""

    def __init__(self, folder: str):
        self.pid = int(Path(folder, "data", "postmaster.pid").read_text().split()[0])

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = sum(int(f) for f in fields[11:15]) / CLOCK_TICKS  # utime stime cutime cstime
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        for child in children:
            with suppress(OSError):  # a backend that just exited is in cutime next time
                total += process_cpu_seconds(int(child))
        return total


@contextmanager
def pg_server(url: str | None):
    """(server URL, its PostgresCpu): `url` when given (its CPU not measured: None), else a
    throwaway server on 127.0.0.1 for the block."""
    from tests import pgserver

    if url:
        yield url, None
        return
    server, folder = pgserver.start()
    try:
        yield server, PostgresCpu(folder)
    finally:
        pgserver.stop(folder)


DISTRICT_HEADER = [
    "setup",
    "page",
    "users",
    "loads/s",
    "p50 ms",
    "p95 ms",
    "app CPU ms/load",
    "PostgreSQL CPU ms/load",
    "load client CPU ms/load",
    "failed",
    "others' CPU, cores",
    "round",
]


def district_row(setup: str, cell: Cell) -> list[str]:
    row = cell.row()
    per_load = 1000 / max(cell.loads, 1)
    if cell.db_cpu is not None:
        database = f"{cell.db_cpu * per_load:.0f}"
    else:
        database = "in the app" if setup.startswith("DuckDB") else "-"
    return [setup, *row[1:7], database, f"{cell.client_cpu * per_load:.0f}", row[7]]


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy so far (all cores, from /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def district_throughput(
    size: int,
    users: list[int],
    seconds: float,
    processes: list[int],
    rounds: int,
    workdir: Path,
    pg: str | None,
) -> list[list[str]]:
    """Teacher Home new-session loads/s: the floors and DuckDB's one process (direct),
    PostgreSQL with 1, 2... app processes behind HAProxy, and the empty-page floor behind the
    proxy with the most processes (what Streamlit itself scales to here). Every setup is
    started first and idles while the others are measured; the cells are interleaved, round
    after round, so that other people's work on the shared cores falls on all of them alike.
    Each row also says how much CPU the rest of the machine used meanwhile."""
    from pdcore.district import District

    rows = []
    with ExitStack() as stack:
        server_url, database = stack.enter_context(pg_server(pg))
        url = pg_school(server_url, size)
        setups = []  # (label, server, page, database)
        for name in ("empty page", "two small dataframes"):
            folder = floor_app(name, workdir)
            server = AppServer(
                workdir / "unused.duckdb",
                workdir / f"{folder.name}.log",
                extra_args=STEADY,
                cwd=folder,
            )
            setups.append(("floor: 1 process, direct", stack.enter_context(server), name, None))
        server = AppServer(
            private_copy(size, workdir), workdir / "duckdb.log", extra_args=TRUSTED + STEADY
        )
        setups.append(
            ("DuckDB, 1 process, direct", stack.enter_context(server), "teacher home", None)
        )
        for n in processes:
            district = District(n, url, env=district_env(), folder=workdir / f"district-{n}")
            label = f"PostgreSQL, {n} process{'es' if n > 1 else ''}, proxy"
            setups.append((label, Proxied(stack.enter_context(district)), "teacher home", database))
        most = max(processes)
        district = District(
            most,
            url,
            env=district_env(),
            folder=workdir / "district-floor",
            cwd=floor_app("empty page", workdir),
        )
        label = f"floor: {most} processes, proxy"
        setups.append((label, Proxied(stack.enter_context(district)), "empty page", database))
        for round_ in range(1, rounds + 1):
            for n in users:
                for label, server, name, db_cpu in setups:
                    staff = size if name == "teacher home" else 0
                    busy0, t0, ours0 = busy_cpu_seconds(), time.perf_counter(), server.cpu_seconds()
                    try:
                        cell = measure_cell(server, staff, name, n, seconds, database=db_cpu)
                    except RuntimeError as exc:  # the page itself fails here: say so, go on
                        first = str(exc).replace("\\n", "\n").splitlines()[0]
                        rows.append([label, name, str(n), f"page fails: {first}"[:160]])
                        continue
                    # Everything else running on the machine meanwhile, in cores.
                    busy = busy_cpu_seconds() - busy0
                    ours = cell.cpu + (cell.db_cpu or 0.0) + cell.client_cpu
                    ours += server.cpu_seconds() - ours0 - cell.cpu  # the warm-up load
                    others = max(0.0, busy - ours) / (time.perf_counter() - t0)
                    rows.append([*district_row(label, cell), f"{others:.2f}", str(round_)])
                    print("   " + " | ".join(rows[-1]), file=sys.stderr, flush=True)
        for _label, server, *_ in setups:
            if isinstance(server, Proxied) and server.problems():
                print(f"server log problems: {server.problems()[:5]}", file=sys.stderr)
    return rows


def district_launch(
    size: int,
    teachers_n: int,
    window: float,
    workers: int,
    processes: int,
    kill: bool,
    workdir: Path,
    pg: str | None,
    seed: int = 1,
) -> dict:
    """The launch morning through the proxy: `teachers_n` teachers of the `size` district,
    signed in by header (the st.login cookie), within `window` s; with `kill`, app process 2
    is killed with SIGKILL halfway and its users reload."""
    from pdcore.district import District

    with pg_server(pg) as (server_url, database):
        url = pg_school(server_url, size)
        everyone = reset_to_launch_morning(url)
        teachers = random.Random(seed).sample(everyone, min(teachers_n, len(everyone)))
        started_at = datetime.now()
        folder = workdir / "district-launch"
        with District(processes, url, env=district_env(), folder=folder) as district:
            proxied = Proxied(district)
            crash = (lambda: district.kill(processes - 1)) if kill and processes > 1 else None
            db0 = database.cpu_seconds() if database else 0.0
            outcomes, stats = morning(
                proxied,
                teachers,
                window,
                workers,
                seed,
                by_header=True,
                crash_at=window / 2,
                crash=crash,
            )
            alive = [district.healthy(i) for i in range(processes)]
            proxy_log = district.log_text()
            if database:
                stats["PostgreSQL CPU s"] = round(database.cpu_seconds() - db0, 1)
        checks = check_morning(url, outcomes, started_at)
    reloaded = [o for o in outcomes if o.reloaded]
    return {
        "teachers": len(teachers),
        "of the district's teachers": len(everyone),
        "window s": window,
        "app processes": processes,
        "killed": f"app{processes} with SIGKILL at {window / 2:.0f} s" if crash else "none",
        "app processes answering at the end": alive,
        "proxy: responses by process and status": dict(
            Counter(re.findall(r"\] pdcore \S+/(\S+) \S+ (\d{3}) ", proxy_log))
        ),
        "proxy: health-check events": [
            line.split(", info:")[0]
            for line in proxy_log.splitlines()
            if line.startswith("Server ")
        ],
        "sessions cut by the kill, reloaded": len(reloaded),
        "reloaded and signed in again": sum(o.result != "error" for o in reloaded),
        **morning_report(outcomes, stats, checks),
    }


# ---- cold start ------------------------------------------------------------------------------


def cold_start(workdir: Path, size: int = 260, repeat: int = 3) -> list[float]:
    """Seconds from `streamlit run` to the first chart drawn in Chromium (admin, Participation)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for n in range(repeat):
                db_path = private_copy(size, workdir)
                context = browser.new_context(extra_http_headers=signed_in(ROLE_EMAIL[Role.ADMIN]))
                page = context.new_page()
                server = AppServer(db_path, workdir / f"cold-{n}.log", extra_args=TRUSTED + STEADY)
                server.start()
                page.goto(server.url + "/participation")
                loaded = time.perf_counter() - server.started_at
                page.get_by_role("heading", name="Participation").wait_for(timeout=120_000)
                titled = time.perf_counter() - server.started_at
                page.locator(
                    '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
                ).first.wait_for(timeout=120_000)
                results.append(time.perf_counter() - server.started_at)
                print(
                    f"   cold start {results[-1]:.2f} s: /_stcore/health answered at "
                    f"{server.ready_after:.2f} s, the page's HTML and scripts loaded at "
                    f"{loaded:.2f} s, its title drawn at {titled:.2f} s",
                    file=sys.stderr,
                    flush=True,
                )
                context.close()
                server.stop()
        finally:
            browser.close()
    return results


# ---- memory ----------------------------------------------------------------------------------


def every_page_every_role(server: AppServer) -> list[str]:
    """Open every page each role may see, one session per role; returns pages that failed."""
    from pdcore.ui.navigation import PAGES as NAV

    failed = []
    for role, email in ROLE_EMAIL.items():
        with StreamlitClient(server.ws_url, headers=signed_in(email), timeout=300) as client:
            for path, title, _icon, roles, _section in NAV:
                if role not in roles:
                    continue
                url = Path(path).stem
                run = client.run("" if url == "home" else url)
                if run.exceptions or run.page_not_found:
                    failed.append(f"{title} ({role.value}): {run.exceptions[:1]}")
    return failed


def memory(sizes: list[int], workdir: Path, school=None) -> list[list[str]]:
    """Peak RSS of one app process after every page by every role, per size; `school(size)`
    gives its database (default: a private DuckDB copy; memory-pg: a PostgreSQL database)."""
    rows = []
    for size in sizes:
        db_path = school(size) if school else private_copy(size, workdir)
        with AppServer(
            db_path, workdir / f"memory-{size}.log", extra_args=TRUSTED + STEADY
        ) as server:
            started = time.perf_counter()
            failed = every_page_every_role(server)
            took = time.perf_counter() - started
            rss, peak = server.memory_mb()
        rows.append(
            [
                f"{size:,}",
                f"{peak:.0f}",
                f"{rss:.0f}",
                f"{took:.1f}",
                "; ".join(failed) or "none",
            ]
        )
        print("   " + " | ".join(rows[-1]), file=sys.stderr, flush=True)
        if isinstance(db_path, Path):
            db_path.unlink(missing_ok=True)
    return rows


def cli_memory(size: int, workdir: Path) -> tuple[float, float, str]:
    """Peak RSS (MB) and seconds of `python -m pdcore form-cohorts --dry-run` on a copy."""
    db_path = private_copy(size, workdir)
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
        "time.perf_counter() - t, p.returncode); print(p.stdout[-400:] + p.stderr[-400:])"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            sys.executable,
            "-m",
            "pdcore",
            "--db",
            str(db_path),
            "form-cohorts",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    first, _, rest = out.partition("\n")
    kb, seconds, returncode = first.split()
    db_path.unlink(missing_ok=True)
    return int(kb) / 1024, float(seconds), f"exit {returncode}: {rest.strip()[:200]}"


# ---- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "scenario",
        nargs="?",
        default="all",
        choices=[
            "all",
            "throughput",
            "floor",
            "launch",
            "cold",
            "memory",
            "district",
            "district-launch",
            "memory-pg",
        ],
        help="district, district-launch and memory-pg (PostgreSQL, HAProxy) are not part of all",
    )
    parser.add_argument("--sizes", help="staff counts (throughput: 260,5000; memory: +50000)")
    parser.add_argument("--users", help="concurrent users (throughput: 1,4,8,16; district: 8,16)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per throughput cell")
    parser.add_argument("--window", type=float, default=120, help="launch arrivals window, s")
    parser.add_argument("--workers", type=int, default=16, help="launch: teachers at once, max")
    parser.add_argument("--processes", default="1,2", help="district: app processes (launch: max)")
    parser.add_argument("--rounds", type=int, default=2, help="district: interleaved rounds")
    parser.add_argument("--teachers", type=int, default=1000, help="district-launch: teachers")
    parser.add_argument("--kill", action="store_true", help="district-launch: kill -9 one app")
    parser.add_argument("--pg", help="district: a PostgreSQL server URL (default: a throwaway)")
    args = parser.parse_args(argv)

    def users(default: str) -> list[int]:
        return [int(u) for u in (args.users or default).split(",")]

    def sizes(default: str) -> list[int]:
        return [int(s.replace("_", "")) for s in (args.sizes or default).split(",")]

    print(f"Load run {datetime.now():%Y-%m-%d %H:%M} on {machine()}")
    with tempfile.TemporaryDirectory(prefix="pd-load-") as tmp:
        workdir = Path(tmp)
        if args.scenario in ("all", "throughput"):
            cells = throughput(sizes("260,5000"), users("1,4,8,16"), args.seconds, workdir)
            print("\n## Throughput (new-session page loads)\n")
            print(throughput_table(cells))
        if args.scenario in ("all", "floor"):
            cells = floors(users("1,4,8,16"), args.seconds, workdir)
            print("\n## Floors: trivial apps, same client and server (staff column: n/a)\n")
            print(throughput_table(cells))
        if args.scenario in ("all", "launch"):
            result = launch(workdir, args.window, args.workers)
            print("\n## Launch morning\n")
            for key, value in result.items():
                print(f"- {key}: {value}")
        if args.scenario == "district":
            processes = [int(p) for p in args.processes.split(",")]
            rows = district_throughput(
                sizes("5000")[0],
                users("8,16"),
                args.seconds,
                processes,
                args.rounds,
                workdir,
                args.pg,
            )
            print("\n## District: new-session loads of teacher Home, one run\n")
            print("| " + " | ".join(DISTRICT_HEADER) + " |")
            print("|" + " --- |" * len(DISTRICT_HEADER))
            for row in rows:
                print("| " + " | ".join(row) + " |")
        if args.scenario == "district-launch":
            result = district_launch(
                sizes("5000")[0],
                args.teachers,
                args.window,
                args.workers,
                max(int(p) for p in args.processes.split(",")),
                args.kill,
                workdir,
                args.pg,
            )
            print("\n## District launch morning (through the proxy)\n")
            for key, value in result.items():
                print(f"- {key}: {value}")
        if args.scenario in ("all", "cold"):
            times = cold_start(workdir)
            print("\n## Cold start (streamlit run -> first chart in Chromium)\n")
            print(
                ", ".join(f"{t:.2f} s" for t in times), f"(median {statistics.median(times):.2f} s)"
            )
        if args.scenario == "memory-pg":
            with pg_server(args.pg) as (server_url, _cpu):
                rows = memory(
                    sizes("5000,50000"), workdir, lambda size: pg_school(server_url, size)
                )
            print(
                "\n## Memory on PostgreSQL (one app process's peak RSS, every page, every role)\n"
            )
            print("| staff | peak RSS MB | RSS after MB | seconds to open all | failures |")
            print("| --- | --- | --- | --- | --- |")
            for row in rows:
                print("| " + " | ".join(row) + " |")
        if args.scenario in ("all", "memory"):
            rows = memory(sizes("260,5000,50000"), workdir)
            print("\n## Memory (server peak RSS after every page by every role)\n")
            print("| staff | peak RSS MB | RSS after MB | seconds to open all | failures |")
            print("| --- | --- | --- | --- | --- |")
            for row in rows:
                print("| " + " | ".join(row) + " |")
            mb, seconds, note = cli_memory(max(sizes("260,5000,50000")), workdir)
            print(
                f"\nform-cohorts --dry-run at {max(sizes('260,5000,50000')):,} staff: "
                f"peak RSS {mb:.0f} MB, {seconds:.1f} s ({note})"
            )
        print(
            f"\n(this load process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
