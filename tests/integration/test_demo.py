"""The demo school looks like a real school part-way through its cohort season."""

import subprocess
import sys

from pdcore import db, demo
from tests.conftest import DEMO_TODAY


def counts(con):
    tables = ("staff", "cohorts", "memberships", "meetings", "attendance", "goals", "reflections")
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_same_seed_and_day_give_the_same_school():
    a, b = db.connect(db.MEMORY), db.connect(db.MEMORY)
    demo.generate(a, seed=3, today=DEMO_TODAY)
    demo.generate(b, seed=3, today=DEMO_TODAY)
    assert counts(a) == counts(b)
    names = "SELECT name FROM cohorts ORDER BY id"
    assert a.execute(names).fetchall() == b.execute(names).fetchall()


def test_demo_school_has_what_the_dashboards_need(con):
    demo.generate(con, today=DEMO_TODAY)
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    assert q("SELECT count(*) FROM staff") == 260
    assert q("SELECT count(DISTINCT department) FROM staff WHERE role = 'teacher'") == 8
    assert q("SELECT count(*) FROM staff WHERE role = 'coach'") == 2
    assert q("SELECT count(*) FROM staff WHERE role = 'admin'") >= 2
    offered = {
        r[0] for r in con.execute("SELECT name FROM topics WHERE status = 'offered'").fetchall()
    }
    assert {"Project Based Learning", "Beyond the Grade", "Web Tools"} <= offered
    assert len(offered) == 9
    assert q("SELECT count(*) FROM topics WHERE is_write_in") >= 3
    sizes = [
        r[0]
        for r in con.execute(
            "SELECT count(*) FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
            "WHERE m.left_at IS NULL AND c.kind = 'cohort' GROUP BY c.id"
        ).fetchall()
    ]
    assert max(sizes) <= 10 and sum(1 for s in sizes if s >= 2) >= 30
    assert 1 in sizes, "a cohort shrunk to one member, for the watchlist"
    assert q("SELECT count(*) FROM cohorts WHERE kind = 'individual'") >= 1
    assert q("SELECT count(*) FROM cohorts WHERE parent_id IS NOT NULL") == 1
    assert q("SELECT count(*) FROM goals WHERE version = 2") >= 1
    # Some teachers have no group, some never answered the survey, some asked to be placed.
    unplaced = q("""SELECT count(*) FROM staff s WHERE role = 'teacher' AND NOT EXISTS (
        SELECT 1 FROM memberships m WHERE m.staff_id = s.id AND m.left_at IS NULL)""")
    assert 5 <= unplaced <= 60
    assert (
        q(
            "SELECT count(*) FROM staff s WHERE role = 'teacher' AND id NOT IN "
            "(SELECT staff_id FROM survey_responses)"
        )
        >= 3
    )
    assert q("SELECT count(*) FROM help_requests WHERE kind = 'place_me'") >= 1
    # Meetings happened in the season, up to yesterday, and some cohorts went quiet.
    first, last = con.execute(
        "SELECT min(held_on), max(held_on) FROM meetings WHERE status = 'held'"
    ).fetchone()
    assert first.month == 11 and last < DEMO_TODAY
    assert (
        q("""SELECT count(*) FROM cohorts c WHERE kind = 'cohort' AND NOT EXISTS (
        SELECT 1 FROM meetings m WHERE m.cohort_id = c.id AND m.status = 'held'
        AND m.held_on > DATE '2026-12-20')""")
        >= 3
    )


def test_cli_demo_fills_a_file_and_refuses_a_full_one(tmp_path):
    path = tmp_path / "cli.duckdb"
    run = lambda: subprocess.run(  # noqa: E731
        [
            sys.executable,
            "-m",
            "pdcore",
            "--db",
            str(path),
            "demo",
            "--staff",
            "120",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
    )
    first = run()
    assert first.returncode == 0, first.stderr
    assert "120 staff" in first.stdout
    second = run()
    assert second.returncode == 1
    assert "already has staff" in second.stderr


def test_demo_meetings_keep_their_slots_weekday_and_no_weekend_is_a_school_day(demo_con):
    from pdcore import meetings

    rows = demo_con.execute(
        "SELECT m.held_on, coalesce(s.label, ''), m.in_school_day FROM meetings m "
        "LEFT JOIN meeting_slots s ON s.id = m.slot_id"
    ).fetchall()
    assert rows
    for held_on, label, in_day in rows:
        assert meetings.slot_weekday(label) in (None, held_on.weekday()), (held_on, label)
        assert not (in_day and held_on.weekday() >= 5), held_on


def test_demo_an_admin_would_believe(demo_con):
    # Every founding member is free at the slot their cohort meets in.
    not_free = demo_con.execute(
        """
        SELECT c.name, s.name FROM cohorts c
        JOIN memberships m ON m.cohort_id = c.id AND m.how IN ('started', 'joined')
        JOIN staff s ON s.id = m.staff_id
        WHERE c.kind = 'cohort' AND c.slot_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM availability a WHERE a.staff_id = m.staff_id AND a.slot_id = c.slot_id)
        """
    ).fetchall()
    assert not_free == []
    # No two reflections in the school say the same words.
    texts = [r[0] for r in demo_con.execute("SELECT text FROM reflections").fetchall()]
    assert texts and len(texts) == len(set(texts))


def test_two_processes_opening_an_empty_district_database_make_one_demo_school(pg_database):
    """Two app processes of a district start on an empty PostgreSQL database in demo mode:
    one makes the demo school, the other waits and finds it made (no error, no second copy)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    url = pg_database("empty")
    both_open = Barrier(2)

    def app_process_starts():
        con = db.connect(url)  # a pool of its own, as another process has
        try:
            both_open.wait(timeout=30)
            return demo.ensure_demo(con)
        finally:
            con.close()

    with ThreadPoolExecutor(2) as pool:
        made = [f.result() for f in [pool.submit(app_process_starts) for _ in range(2)]]
    assert sum(summary is not None for summary in made) == 1
    con = db.connect(url)
    try:
        assert counts(con)["staff"] == made[0 if made[0] else 1].staff
        generated = "SELECT count(*) FROM audit_log WHERE action = 'demo.generate'"
        assert con.execute(generated).fetchone()[0] == 1
    finally:
        con.close()
