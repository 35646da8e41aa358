"""Exact capacity across app processes on PostgreSQL: teachers in two OS processes, each with
its own connection, press Join (or sign up) at the same moment for the last seats. Only the
database's own write lock stands between them (benchmarks/race.py is the 50-joiner version)."""

from __future__ import annotations

import pytest

from benchmarks import race
from pdcore import db

JOINERS, SEATS = 20, 3


@pytest.fixture
def district(pg_database):
    """A fresh PostgreSQL database with the race's school: one cohort and one
    staff-development option with SEATS open seats, JOINERS teachers yet to join."""
    url = pg_database("empty")
    con = db.connect(url)
    scene = race.prepare(con, JOINERS, SEATS)
    yield url, con, scene
    con.close()


@pytest.mark.parametrize("what", ["cohort", "session"])
def test_two_processes_fill_exactly_the_open_seats(district, what):
    url, con, scene = district
    result = race.race_processes(url, scene, what, processes=2)
    result.database = race.check(con, what, scene)

    assert result.outcomes["error"] == 0, result.summary()
    assert result.outcomes["admitted"] == SEATS, result.summary()
    assert result.outcomes["refused"] == JOINERS - SEATS
    # The database agrees with what people were told: full, not over, and the same people.
    assert result.database["seats taken"] == result.database["capacity"]
    assert result.database["admitted in the database"] == result.admitted
    assert result.database["admitted in the audit log"] == result.admitted
    assert result.database["people in two active cohorts"] == 0
    # Everyone refused was told why, in the words the page shows them.
    wording = "just filled up" if what == "cohort" else "is full (3 seats)"
    assert all(wording in message for message in result.messages), result.messages
