"""Auto-formation on the database: preview writes nothing, apply writes it all at once."""

import subprocess
import sys

import pytest

from pdcore import authz, clock, cohorts, db, formation, settings


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

    result = formation.apply(con, authz.COMMAND_LINE, plan)
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
    settings.save(con, authz.COMMAND_LINE, max_size=6)
    existing, waiting, _alone = school_with_two_rooms(con, make)
    plan = formation.preview(con)
    seat_taker = make.staff("Quick Joiner")
    cohorts.join(con, seat_taker, existing)
    result = formation.apply(con, authz.COMMAND_LINE, plan)
    assert len(result.skipped) == 1 and "just filled up" in result.skipped[0]
    assert len(cohorts.get(con, existing).member_ids) == 6


def test_unmatched_lists_reasons_and_days_waiting(con, make):
    _existing, waiting, alone = school_with_two_rooms(con, make)
    never = make.staff("Never Answered")
    rows = {u.name: u for u in formation.unmatched(con, today=clock.today())}
    assert set(rows) == {"Lonely Person", "Never Answered", *(f"Waiting {i}" for i in range(6))}
    assert rows["Never Answered"].reason == "has not answered the interest survey"
    assert "no one else on" in rows["Lonely Person"].reason
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


def test_the_short_list_starts_from_find_a_groups_best_cohort(demo_con):
    """One scorer: for teachers in the demo school who want a cohort and have none, the best
    open cohort Find a group shows for their first choice is on their short list whenever it
    is one they can make (a WHEN-priority person is free at its time)."""
    from pdcore import shortlist

    data = formation.load(demo_con)
    checked = 0
    for sid, person in sorted(data.people.items()):
        if sid in data.placed or person.mode != "cohort" or not person.choices:
            continue
        offered = {t.id for t in data.topics if t.status == "offered"}
        if person.choices[0] not in offered:
            continue
        fits = [f for f in formation.suggestions_for(demo_con, sid) if f.open_seats > 0]
        if not fits or "you are not free then" in fits[0].reasons and person.priority == "when":
            continue
        picks = shortlist.short_list(demo_con, sid)
        assert fits[0].cohort_id in {p.cohort_id for p in picks}, sid
        checked += 1
        if checked == 12:
            break
    assert checked


def test_apply_writes_school_by_school_each_in_its_own_transaction(con, make, monkeypatch):
    """A district's apply lets other writes in between schools: each school's cohorts are
    committed (and audited) on their own, so a join elsewhere never waits for the whole plan."""
    slots = make.slots()
    topic = make.topic("Web Tools")
    people = {}
    with db.transaction(con) as cur:
        for school in ("North High", "South High"):
            for k in range(4):
                pid = cur.execute(
                    "INSERT INTO staff (email, name, role, department, school) "
                    "VALUES (?, ?, 'teacher', 'Math', ?) RETURNING id",
                    [f"{school[0]}{k}@school.test", f"{school} {k}", school],
                ).fetchone()[0]
                people[pid] = school
                cur.execute("INSERT INTO interests VALUES (?, 1, ?)", [pid, topic])
                cur.execute(
                    "INSERT INTO survey_responses (staff_id, submitted_at) VALUES (?, now())", [pid]
                )
                cur.execute("INSERT INTO availability VALUES (?, ?)", [pid, slots[0]])
    plan = formation.preview(con)
    assert {n.school for n in plan.formation.new_cohorts} == {"North High", "South High"}

    commits = []
    real = db.transaction

    def watched(connection):
        commits.append(
            connection.execute("SELECT count(*) FROM cohorts WHERE status = 'active'").fetchone()[0]
        )
        return real(connection)

    monkeypatch.setattr(db, "transaction", watched)
    result = formation.apply(con, authz.COMMAND_LINE, plan)
    assert result.joined == 8 and result.created == 2
    # Two transactions, the second starting after the first school's cohort was committed.
    assert commits == [0, 1]
    audits = con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'formation.apply'"
    ).fetchone()[0]
    assert audits == 2


def test_mid_year_a_lone_member_is_seated_where_they_fit_and_small_cohorts_merge(con, make):
    slots = make.slots()
    wed, thu = slots[2], slots[3]
    web = make.topic("Web Tools")
    lone = make.staff("Lone Member")
    with db.transaction(con) as cur:
        cur.execute("INSERT INTO interests VALUES (?, 1, ?)", [lone, web])
        cur.execute(
            "INSERT INTO survey_responses (staff_id, submitted_at) VALUES (?, now())", [lone]
        )
        cur.execute("INSERT INTO learning_prefs (staff_id, priority) VALUES (?, 'when')", [lone])
        cur.execute("INSERT INTO availability VALUES (?, ?)", [lone, wed])
    thin = make.cohort(web, members=[lone], name="Web Tools, Wed lunch", slot_id=wed)
    at_thu = make.cohort(
        web, members=[make.staff(f"Thu {i}") for i in range(3)], name="Web Thu", slot_id=thu
    )
    at_wed = make.cohort(
        web, members=[make.staff(f"Wed {i}") for i in range(3)], name="Web Wed", slot_id=wed
    )
    pbl = make.topic("Project Based Learning")
    a = make.cohort(
        pbl, members=[make.staff(f"A {i}") for i in range(2)], name="PBL A", slot_id=thu
    )
    b = make.cohort(
        pbl, members=[make.staff(f"B {i}") for i in range(2)], name="PBL B", slot_id=thu
    )
    make.cohort(pbl, members=[make.staff(f"C {i}") for i in range(2)], name="PBL C", slot_id=wed)

    suggestions = formation.mid_year_suggestions(con)
    assert [s.kind for s in suggestions] == ["seat", "merge"]
    seat, merge = suggestions
    # Only the Wednesday cohort: the Thursday one meets when they are not free.
    assert seat.cohort_ids == (thin, at_wed) and seat.staff_id == lone
    assert seat.text.startswith("Web Tools, Wed lunch is down to one member: seat Lone Member")
    assert at_thu not in seat.cohort_ids
    assert set(merge.cohort_ids) == {a, b}  # PBL C meets at another time
    assert merge.text.endswith("together 4 members.")

    # Carried out in one transaction by an admin; a teacher may not.
    from pdcore import roster
    from pdcore.model import PermissionDenied

    admin = roster.by_id(con, make.staff("An Admin", role="admin"))
    teacher = roster.by_id(con, make.staff("A Teacher"))
    with pytest.raises(PermissionDenied):
        formation.seat_lone_member(con, teacher, seat)
    assert formation.seat_lone_member(con, admin, seat) == "Seated Lone Member in Web Wed."
    assert lone in cohorts.get(con, at_wed).member_ids
    assert cohorts.get(con, thin).status == "closed"
    assert [s.kind for s in formation.mid_year_suggestions(con)] == ["merge"]


def test_steering_refuses_what_breaks_a_rule_and_undo_goes_back(con, make):
    existing, waiting, alone = school_with_two_rooms(con, make)
    plan = formation.preview(con)
    mover = next(p for p in waiting if plan.seat_of(p) and plan.seat_of(p)[0] == "new")
    # Into the existing cohort: they are free at Wed lunch and chose Web Tools.
    moved = plan.move(mover, ("join", existing))
    assert moved.seat_of(mover) == ("join", existing) and mover in moved.locked
    assert moved.undo() is plan
    # The lonely person chose another topic: Web Tools cohorts are not for them.
    assert plan.seats_for(alone) == []
    with pytest.raises(cohorts.ValidationError, match="not on one of"):
        plan.move(alone, ("join", existing))
    # A pair kept apart is never together after a re-run, and locks stay put.
    new = next(n for n in plan.formation.new_cohorts if len(n.member_ids) >= 2)
    a, b = new.member_ids[:2]
    again = moved.never_together(a, b).rerun()
    assert again.seat_of(a) is None or again.seat_of(a) != again.seat_of(b)
    assert again.seat_of(mover) == ("join", existing)
    card = again.card(("join", existing))
    assert set(card["status"]) >= {"already in it", "locked"}
    result = formation.apply(con, authz.COMMAND_LINE, again)
    assert not result.skipped
    assert mover in cohorts.get(con, existing).member_ids
