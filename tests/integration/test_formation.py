"""Auto-formation on the database: preview writes nothing, apply writes it all at once."""

import subprocess
import sys

from pdcore import clock, cohorts, db, formation, settings


def school_with_two_rooms(con, make):
    """Web Tools: a cohort of 4 at Wed lunch (2 seats to the ideal 6); six more want it."""
    slots = make.slots()
    wed, thu = slots[2], slots[3]
    topic = make.topic("Web Tools")
    seated = [make.staff(f"Seated {i}") for i in range(4)]
    existing = make.cohort(topic, members=seated, name="Web Tools, Wed lunch", slot_id=wed)
    waiting = [make.staff(f"Waiting {i}", department="Science") for i in range(6)]
    alone_topic = make.topic("Beyond the Grade")
    alone = make.staff("Lonely Person")
    with db.transaction(con) as cur:
        for pid in waiting:
            cur.execute("INSERT INTO interests VALUES (?, 1, ?)", [pid, topic])
            cur.execute(
                "INSERT INTO survey_responses (staff_id, submitted_at) VALUES (?, now())", [pid]
            )
            cur.execute("INSERT INTO availability VALUES (?, ?), (?, ?)", [pid, wed, pid, thu])
        cur.execute("INSERT INTO interests VALUES (?, 1, ?)", [alone, alone_topic])
        cur.execute(
            "INSERT INTO survey_responses (staff_id, submitted_at) VALUES (?, now())", [alone]
        )
        cur.execute("INSERT INTO availability VALUES (?, ?)", [alone, thu])
        cur.execute(
            "INSERT INTO help_requests (staff_id, kind, topic_id) VALUES (?, 'place_me', ?)",
            [waiting[0], topic],
        )
    return existing, waiting, alone


def active_members(con):
    return (
        db.read(con).execute("SELECT count(*) FROM memberships WHERE left_at IS NULL").fetchone()[0]
    )


def test_preview_writes_nothing_and_apply_fills_seats_first(con, make):
    existing, waiting, alone = school_with_two_rooms(con, make)
    before = active_members(con)
    plan = formation.preview(con)
    assert active_members(con) == before
    assert len([j for j in plan.formation.joins if j[0] == existing]) == 2
    assert sum(len(n.member_ids) for n in plan.formation.new_cohorts) == 4
    assert plan.summary() == (
        "Would place 6 people: 2 into open seats of 1 existing cohort(s) and 4 into 1 new "
        "cohort(s). 1 stay unplaced (reasons below)."
    )
    unplaced = plan.unplaced_table()
    assert list(unplaced["name"]) == ["Lonely Person"]
    assert "Beyond the Grade" in unplaced["reason"][0]

    result = formation.apply(con, plan, actor_id=None)
    assert (result.joined, result.created, result.skipped) == (6, 1, [])
    assert len(cohorts.get(con, existing).member_ids) == 6
    assert all(cohorts.current_cohort(con, p) for p in waiting)
    assert (
        db.read(con)
        .execute("SELECT status FROM help_requests WHERE staff_id = ?", [waiting[0]])
        .fetchone()[0]
        == "done"
    )


def test_apply_skips_a_seat_taken_since_the_preview(con, make):
    settings.save(con, max_size=6)
    existing, waiting, _alone = school_with_two_rooms(con, make)
    plan = formation.preview(con)
    seat_taker = make.staff("Quick Joiner")
    cohorts.join(con, seat_taker, existing)
    result = formation.apply(con, plan, actor_id=None)
    assert len(result.skipped) == 1 and "just filled up" in result.skipped[0]
    assert len(cohorts.get(con, existing).member_ids) == 6


def test_unmatched_lists_reasons_and_days_waiting(con, make):
    _existing, waiting, alone = school_with_two_rooms(con, make)
    never = make.staff("Never Answered")
    rows = {u.name: u for u in formation.unmatched(con, today=clock.today())}
    assert set(rows) == {"Lonely Person", "Never Answered", *(f"Waiting {i}" for i in range(6))}
    assert rows["Never Answered"].reason == "has not answered the interest survey"
    assert "only person" in rows["Lonely Person"].reason.lower()
    assert rows["Waiting 0"].place_me and not rows["Waiting 1"].place_me
    assert rows["Waiting 1"].suggestions[0].startswith("auto-formation would")
    assert all(u.days_waiting >= 0 for u in rows.values())
    assert never  # the id exists
    frame = formation.unmatched_frame(con)
    assert {"email", "name", "topic", "reason", "suggestion"} <= set(frame.columns)


def test_suggestions_rank_cohorts_with_reasons(con, make):
    existing, waiting, _alone = school_with_two_rooms(con, make)
    fits = formation.suggestions_for(con, waiting[1])
    assert [f.cohort_id for f in fits] == [existing]
    assert fits[0].open_seats == 6  # up to the school's maximum of 10
    assert "Wed lunch" in fits[0].sentence()


def test_cli_form_cohorts_dry_run_then_apply(tmp_path):
    path = tmp_path / "school.duckdb"
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "pdcore", "--db", str(path), *a], capture_output=True, text=True
    )
    assert run("demo").returncode == 0
    dry = run("form-cohorts", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would place" in dry.stdout and "nothing was written" in dry.stdout
    real = run("form-cohorts")
    assert real.returncode == 0, real.stderr
    assert "Placed" in real.stdout
    again = run("form-cohorts", "--dry-run")
    assert "Everyone who asked for a cohort already has one." in again.stdout
