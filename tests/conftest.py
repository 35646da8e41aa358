"""Shared fixtures: an in-memory database, a demo school, factories, and AppTest helpers."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from pdcore import clock, db, demo, seasons

ROOT = Path(__file__).resolve().parent.parent
# A fixed "today" for data the tests generate, part-way through the 2026-27 season.
DEMO_TODAY = date(2027, 1, 20)

# Debian's faketime (the README's any-day check) stalls timed waits between threads
# (threading.Event.wait(timeout) never returns under libfaketime): tests built on them are
# skipped there, and run everywhere else, CI included.
under_faketime = pytest.mark.skipif(
    "FAKETIME" in os.environ, reason="libfaketime stalls timed waits between threads"
)

DEMO_ADMIN = "dana.whitfield@demo-school.org"
DEMO_COACH = "maya.okafor@demo-school.org"
DEMO_TEACHER = "ana.ruiz@demo-school.org"


def shown(markdown) -> str:
    """What a markdown string from pdcore.ui.text.md shows: escapes and word joiners undone."""
    return re.sub(r"\\(.)", r"\1", str(markdown)).replace("\u2060", "")


@pytest.fixture(autouse=True)
def fixed_clock(request):
    """Every test lives on DEMO_TODAY (whatever the wall clock says), unless it is marked
    `@pytest.mark.today(date)` or moves the clock itself (clock.frozen / clock.set_now)."""
    marker = request.node.get_closest_marker("today")
    with clock.frozen(marker.args[0] if marker else DEMO_TODAY):
        yield


@pytest.fixture
def con():
    """A fresh in-memory database with the current schema."""
    connection = db.connect(db.MEMORY)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the run: $PDCORE_TEST_PG (a postgresql:// URL of a server to
    reuse, with rights to create databases), else a throwaway one started and stopped here."""
    from tests import pgserver

    reuse = os.environ.get("PDCORE_TEST_PG")
    if reuse:
        yield reuse
        return
    url, folder = pgserver.start()
    try:
        yield url
    finally:
        pgserver.stop(folder)


@pytest.fixture(scope="session")
def pg_templates(pg_server):
    """Template databases on the server: "empty" (the schema) and "demo" (the demo school,
    generated as demo_file is), each built once per run and copied per test."""
    from tests import pgserver

    built = {}

    def template(kind: str) -> str:
        if kind not in built:
            name = f"tpl_{kind}_{os.getpid()}"
            url = pgserver.create(pg_server, name=name)
            connection = db.connect(url)
            if kind == "demo":
                with clock.frozen(DEMO_TODAY):
                    demo.generate(connection)
            connection.close()
            built[kind] = name
        return built[kind]

    return template


@pytest.fixture
def pg_database(pg_server, pg_templates):
    """Make fresh PostgreSQL databases for one test (copies of a template); dropped after."""
    from tests import pgserver

    made = []

    def _make(kind: str = "empty") -> str:
        made.append(pgserver.create(pg_server, template=pg_templates(kind)))
        return made[-1]

    yield _make
    for url in made:
        pgserver.drop(pg_server, url)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """A demo school generated once per test run (copy it before writing to it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    connection = db.connect(path)
    with clock.frozen(DEMO_TODAY):
        demo.generate(connection)
    connection.close()
    return path


@pytest.fixture
def demo_con(demo_file, tmp_path):
    """A private, writable copy of the demo school."""
    path = tmp_path / "demo-copy.duckdb"
    shutil.copy(demo_file, path)
    connection = db.connect(path)
    yield connection
    connection.close()


def three_member_cohort(con) -> tuple[int, list[int]]:
    """A cohort of this season with exactly three members (the demo school has some): its id
    and its members' ids."""
    from pdcore import cohorts

    row = con.execute(
        "SELECT c.id FROM cohorts c JOIN memberships m ON m.cohort_id = c.id "
        "JOIN seasons z ON z.id = c.season_id "
        "WHERE m.left_at IS NULL AND c.kind = 'cohort' AND z.status = 'current' "
        "GROUP BY c.id HAVING count(*) = 3 ORDER BY c.id LIMIT 1"
    ).fetchone()
    return row[0], [m.staff_id for m in cohorts.members(con, row[0])]


class Factory:
    """Builds staff, topics and cohorts in a test database with sensible defaults."""

    def __init__(self, connection):
        self.con = connection
        self._n = 0

    def staff(self, name=None, role="teacher", department="English", school="", email=None):
        self._n += 1
        name = name or f"Person {self._n}"
        email = email or f"{name.lower().replace(' ', '.')}@school.test"
        with db.transaction(self.con) as cur:
            return cur.execute(
                "INSERT INTO staff (email, name, role, department, school) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [email, name, role, department, school],
            ).fetchone()[0]

    def topic(self, name=None, status="offered"):
        self._n += 1
        with db.transaction(self.con) as cur:
            return cur.execute(
                "INSERT INTO topics (name, status) VALUES (?, ?) RETURNING id",
                [name or f"Topic {self._n}", status],
            ).fetchone()[0]

    def slots(self):
        with db.transaction(self.con) as cur:
            from pdcore import roster

            roster.ensure_default_slots(cur)
        return [
            r[0] for r in self.con.execute("SELECT id FROM meeting_slots ORDER BY id").fetchall()
        ]

    def cohort(self, topic_id, members=(), name=None, slot_id=None, kind="cohort"):
        self._n += 1
        with db.transaction(self.con) as cur:
            cid = cur.execute(
                "INSERT INTO cohorts (topic_id, name, slot_id, kind, season_id) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [topic_id, name or f"Cohort {self._n}", slot_id, kind, seasons.current_id(cur)],
            ).fetchone()[0]
            for m in members:
                cur.execute("INSERT INTO memberships (cohort_id, staff_id) VALUES (?, ?)", [cid, m])
        return cid


@pytest.fixture
def make(con) -> Factory:
    return Factory(con)


def secrets_files(monkeypatch, paths) -> None:
    """Make the app's sign-in check read these secrets files only."""
    from pdcore.ui import session

    monkeypatch.setattr(session, "secrets_files", lambda: [str(p) for p in paths])


@pytest.fixture
def app_db(demo_file, tmp_path, monkeypatch) -> Path:
    """Point the app at a private copy of the demo school and clear Streamlit's caches."""
    import streamlit as st

    path = tmp_path / "pd.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("PDCORE_DB", str(path))
    monkeypatch.setenv("PDCORE_DEMO", "1")  # as `make run`: the demo sign-in on the demo school
    secrets_files(monkeypatch, [])  # no developer's own secrets file reaches a test
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def open_as(email: str | None = None, page: str | None = None, timeout: float = 30):
    """The app (AppTest) opened as someone (an email on the roster), optionally on a page."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if email:
        at.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]}
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.fixture
def open_app(app_db):
    """Open the app as someone on a private copy of the demo school (see open_as)."""
    return open_as
