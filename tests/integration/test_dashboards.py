"""Dashboards on a database: the SQL that gathers health, watchlist and participation facts,
checked on hand-built cohorts and against the pure rules on the generated demo school."""

import io
from collections import defaultdict
from datetime import date

import pandas as pd
import pytest

from pdcore import authz, db, exports, feedback, followups, health, participation, roster, settings
from pdcore import watchlist as wl
from pdcore.model import PermissionDenied, ValidationError

TODAY = date(2027, 1, 20)
SEASON = {"season_start": date(2026, 11, 1), "season_end": date(2027, 4, 30)}


@pytest.fixture
def school(con, make):
    """A season set to Nov-Apr, with the helpers below bound to this database."""
    settings.save(con, authz.COMMAND_LINE, **SEASON)
    return Builder(con, make)


class Builder:
    def __init__(self, con, make):
        self.con, self.make = con, make

    def cohort(self, topic_id, name=None, kind="cohort", created="2026-10-20", parent=None):
        cid = self.make.cohort(topic_id, name=name, kind=kind)
        self._run(
            "UPDATE cohorts SET created_at = ?, parent_id = ? WHERE id = ?", [created, parent, cid]
        )
        return cid

    def member(self, cohort_id, staff_id, joined="2026-10-20", left=None, reason=""):
        self._run(
            "INSERT INTO memberships (cohort_id, staff_id, joined_at, left_at, left_reason) "
            "VALUES (?, ?, ?, ?, ?)",
            [cohort_id, staff_id, joined, left, reason],
        )

    def meeting(self, cohort_id, held_on, came=(), minutes=60, in_day=False, status="held"):
        with db.transaction(self.con) as cur:
            mid = cur.execute(
                "INSERT INTO meetings (cohort_id, status, held_on, minutes, in_school_day) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [cohort_id, status, held_on, minutes, in_day],
            ).fetchone()[0]
            for sid in came:
                cur.execute("INSERT INTO attendance VALUES (?, ?)", [mid, sid])
        return mid

    def goal(self, cohort_id, version, created):
        self._run(
            "INSERT INTO goals (cohort_id, version, text, created_at) VALUES (?, ?, 'g', ?)",
            [cohort_id, version, created],
        )

    def reflection(self, cohort_id, author, shareout=False):
        self._run(
            "INSERT INTO reflections (cohort_id, author_id, text, is_shareout) VALUES (?, ?, 'r', ?)",
            [cohort_id, author, shareout],
        )

    def survey(self, staff_id, *topic_ids):
        self._run(
            "INSERT INTO survey_responses (staff_id, submitted_at) VALUES (?, '2026-09-01')",
            [staff_id],
        )
        for rank, tid in enumerate(topic_ids, start=1):
            self._run("INSERT INTO interests VALUES (?, ?, ?)", [staff_id, rank, tid])

    def _run(self, sql, params):
        with db.transaction(self.con) as cur:
            cur.execute(sql, params)


def _measures(con, cohort_id, today=TODAY):
    return next(r for r in health.cohort_measures(con, today) if r.measures.cohort_id == cohort_id)


# --- cohort health ---------------------------------------------------------------------------


def test_health_measures_count_meetings_attendance_leavers_goals_and_hours(con, school, make):
    topic = make.topic("Writing")
    a, b, c, d = (make.staff() for _ in range(4))
    cid = school.cohort(topic, "Writers")
    for sid in (a, b, c):
        school.member(cid, sid)
    school.member(cid, d, left="2026-12-01", reason="schedule changed")
    school.meeting(cid, "2026-11-10", came=(a, b, c, d))
    school.meeting(cid, "2026-12-10", came=(a, b))
    school.meeting(cid, "2027-01-10", came=(a, b, c), minutes=90, in_day=True)
    school.meeting(cid, "2027-02-10", status="planned")  # on the calendar, not held
    school.goal(cid, 1, "2026-11-12")
    school.goal(cid, 2, "2027-01-11")
    school.reflection(cid, a)
    school.reflection(cid, b)

    m = _measures(con, cid).measures
    assert (m.members, m.left, m.held, m.expected) == (3, 1, 3, 3)
    assert (m.attended, m.possible) == (9, 10)  # the leaver could come only to the first
    assert m.goal_set and m.goal_on_time and m.goal_versions == 2
    assert m.reflections == 2 and m.in_day == 1 and m.days_since_last == 10
    # current members attended 3 + 2 hours and 3 * 1.5 hours: 9.5 h over 3 people
    assert m.member_hours == pytest.approx(9.5 / 3, abs=0.01)

    row = health.health_table(con, TODAY).set_index("cohort_id").loc[cid]
    assert row["meetings_held"] == 3 and row["attendance"] == 0.9
    assert row["goal"] == "set on time" and row["goal_revisions"] == 1
    assert row["light"] == "green"
    assert "1 left." in row["notes"] and "under 14" in row["notes"]


def test_moving_into_a_split_cohort_is_not_leaving(con, school, make):
    topic = make.topic()
    people = [make.staff() for _ in range(5)]
    parent = school.cohort(topic, "Big")
    child = school.cohort(topic, "Big (split)", parent=parent, created="2026-12-01")
    for sid in people[:3]:
        school.member(parent, sid)
    for sid in people[3:]:
        school.member(parent, sid, left="2026-12-01", reason="split into a new cohort")
        school.member(child, sid, joined="2026-12-01")
    assert _measures(con, parent).measures.left == 0
    # the split cohort's season begins when it was made: fewer meetings are expected of it
    assert _measures(con, child).measures.expected < _measures(con, parent).measures.expected


def test_a_cohort_that_never_met_is_red_and_a_closed_one_is_not_listed(con, school, make):
    topic = make.topic()
    quiet = school.cohort(topic, "Quiet")
    closed = school.cohort(topic, "Closed")
    for cid in (quiet, closed):
        school.member(cid, make.staff())
        school.member(cid, make.staff())
    school._run("UPDATE cohorts SET status = 'closed' WHERE id = ?", [closed])
    table = health.health_table(con, TODAY)
    assert list(table["cohort"]) == ["Quiet"]
    assert table.loc[0, "light"] == "red"
    assert "Has not met yet." in table.loc[0, "notes"]


def test_health_settings_change_the_score(con, school, make):
    topic = make.topic()
    cid = school.cohort(topic, "Half")
    a, b = make.staff(), make.staff()
    school.member(cid, a)
    school.member(cid, b)
    school.meeting(cid, "2027-01-15", came=(a, b))
    before = health.health_table(con, TODAY).loc[0, "score"]
    settings.save(con, authz.COMMAND_LINE, health_weights={"cadence": 1.0})
    after = health.health_table(con, TODAY).loc[0, "score"]
    assert after == pytest.approx(1 / 3, abs=0.001) and after < before


def test_cohort_detail_lists_meetings_attendance_goals_and_reflections(con, school, make):
    topic = make.topic()
    cid = school.cohort(topic)
    a, b = make.staff("Ana Ruiz"), make.staff("Ben Park")
    school.member(cid, a)
    school.member(cid, b)
    school.meeting(cid, "2026-11-10", came=(a,))
    school.meeting(cid, "2026-12-10", came=(a, b))
    school.goal(cid, 1, "2026-11-10")
    school.reflection(cid, b, shareout=True)
    d = health.cohort_detail(con, cid)
    assert list(d.meetings["attended"]) == [2, 1]  # newest first
    assert dict(zip(d.attendance["name"], d.attendance["meetings_attended"], strict=True)) == {
        "Ana Ruiz": 2,
        "Ben Park": 1,
    }
    assert len(d.goals) == 1 and d.reflections.loc[0, "is_shareout"]


def _python_measures(con, today):
    """The health measures recomputed in plain Python from the raw tables."""
    cur = con.cursor()
    s = settings.load(con)
    cohorts = cur.execute(
        "SELECT id, kind, created_at, parent_id FROM cohorts WHERE status = 'active'"
    ).fetchall()
    parent_of = dict(cur.execute("SELECT id, parent_id FROM cohorts").fetchall())
    members = cur.execute(
        "SELECT cohort_id, staff_id, joined_at, left_at FROM memberships"
    ).fetchall()
    meetings = cur.execute(
        "SELECT id, cohort_id, held_on, minutes, in_school_day FROM meetings "
        "WHERE status = 'held' AND held_on <= ?",
        [today],
    ).fetchall()
    came = set(cur.execute("SELECT meeting_id, staff_id FROM attendance").fetchall())
    goals = cur.execute("SELECT cohort_id, created_at FROM goals").fetchall()
    refl = cur.execute("SELECT cohort_id, is_shareout FROM reflections").fetchall()
    out = {}
    for cid, kind, created, _parent in cohorts:
        mem = [m for m in members if m[0] == cid]
        current = {m[1] for m in mem if m[3] is None}
        moved = {
            m[1] for m in members if m[3] is None and parent_of.get(m[0]) == cid
        }  # into a cohort split from this one
        left = sum(1 for m in mem if m[3] is not None and m[1] not in moved)
        mts = sorted((m for m in meetings if m[1] == cid), key=lambda m: m[2])
        possible = attended = minutes = 0
        for mid, _c, held_on, mins, _d in mts:
            for _c2, sid, joined, left_at in mem:
                if joined.date() <= held_on and (left_at is None or left_at.date() > held_on):
                    possible += 1
                    if (mid, sid) in came:
                        attended += 1
                        if sid in current and left_at is None:
                            minutes += mins
        began = max(s.season_start, created.date())
        g = sorted(c for k, c in goals if k == cid)
        second = mts[1][2] if len(mts) > 1 else None
        out[cid] = health.CohortMeasures(
            cohort_id=cid,
            kind=kind,
            members=len(current),
            left=left,
            held=len(mts),
            expected=health.expected_meetings(began, s.season_end, today, s.meetings_per_month),
            attended=attended,
            possible=possible,
            goal_set=bool(g),
            goal_on_time=bool(g) and (second is None or g[0].date() <= second),
            goal_versions=len(g),
            reflections=sum(1 for k, _ in refl if k == cid),
            shareout=any(sh for k, sh in refl if k == cid),
            member_hours=round(minutes / 60 / len(current), 2) if current else 0.0,
            in_day=sum(1 for m in mts if m[4]),
            days_since_last=(today - mts[-1][2]).days if mts else None,
            days_active=max(0, (today - began).days),
        )
    return out


@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2027, 1, 20)])
def test_the_health_sql_agrees_with_the_rules_on_the_demo_school(demo_con, today):
    expected = _python_measures(demo_con, today)
    rows = health.cohort_measures(demo_con, today)
    assert len(rows) == len(expected) > 40
    for row in rows:
        assert row.measures == expected[row.measures.cohort_id]
    rules = health.HealthRules.from_settings(settings.load(demo_con), today)
    table = health.health_table(demo_con, today).set_index("cohort_id")
    for cid, m in expected.items():
        assert table.loc[cid, "score"] == health.assess(m, rules).score
    assert set(table["light"]) <= {"green", "amber", "red"}


# --- watchlist and follow-ups ----------------------------------------------------------------


def test_each_watchlist_reason_fires_from_the_database(con, school, make):
    topic = make.topic()
    fine, alone, skipper, left, quiet, asked = (make.staff(f"T {i}") for i in range(6))
    make.staff("Coach One", role="coach")
    for sid in (fine, alone, skipper, left, asked):
        school.survey(sid, topic)
    group = school.cohort(topic, "Group")
    for sid in (fine, skipper):
        school.member(group, sid)
    school.meeting(group, "2026-12-01", came=(fine,))
    school.meeting(group, "2027-01-05", came=(fine,))
    shrunk = school.cohort(topic, "Shrunk")
    school.member(shrunk, alone)
    school.member(shrunk, left, left="2026-11-20")
    with db.transaction(con) as cur:
        cur.execute("INSERT INTO help_requests (staff_id, kind) VALUES (?, 'place_me')", [asked])
    make.staff("Admin", role="admin")  # admins and coaches are never on the list

    frame = wl.watchlist_frame(con, TODAY).set_index("name")
    codes = {name: set(c.split(",")) for name, c in frame["reason_codes"].items()}
    assert codes == {
        "T 1": {wl.SHRUNK},
        "T 2": {wl.MISSED_TWO},
        "T 3": {wl.NO_GROUP, wl.LEFT_NONE},
        "T 4": {wl.NO_GROUP, wl.NO_SURVEY},
        "T 5": {wl.PLACE_ME, wl.NO_GROUP},
    }
    assert "Coach One" not in frame.index
    assert (frame["status"] == "new").all()


def test_a_follow_up_moves_a_case_along_and_resolving_closes_it(con, school, make):
    teacher = make.staff("Quiet Teacher")
    coach = roster.by_id(con, make.staff("Coach", role="coach"))
    assert wl.open_case_count(con, today=TODAY) == 1
    followups.log(con, coach, teacher, date(2027, 1, 10), "Talked at lunch", "Intro", today=TODAY)
    row = wl.watchlist_frame(con, TODAY).iloc[0]
    assert row["status"] == "in progress" and row["next_step"] == "Intro"
    followups.log(
        con, coach, teacher, date(2027, 1, 15), "Joined a group", resolved=True, today=TODAY
    )
    assert wl.open_case_count(con, today=TODAY) == 0
    assert len(wl.watchlist_frame(con, TODAY, include_resolved=True)) == 1
    history = followups.history(con, coach, teacher)
    assert list(history["note"]) == ["Joined a group", "Talked at lunch"]
    actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY id").fetchall()]
    assert actions[-2:] == ["followup.log", "followup.resolve"]


def test_coach_notes_are_for_coaches_and_admins_only(con, make):
    teacher = roster.by_id(con, make.staff("A Teacher"))
    other = make.staff("Other")
    with pytest.raises(PermissionDenied, match="coaches and admins only"):
        followups.history(con, teacher, other)
    with pytest.raises(PermissionDenied):
        followups.log(con, teacher, other, date(2027, 1, 1), "note", today=TODAY)
    admin = roster.by_id(con, make.staff("Boss", role="admin"))
    assert followups.history(con, admin, other).empty


def test_a_follow_up_needs_a_past_date_and_some_words(con, make):
    coach = roster.by_id(con, make.staff("Coach", role="coach"))
    teacher = make.staff()
    with pytest.raises(ValidationError, match="future"):
        followups.log(con, coach, teacher, date(2027, 2, 1), "note", today=TODAY)
    with pytest.raises(ValidationError, match="note or a next step"):
        followups.log(con, coach, teacher, date(2027, 1, 1), "  ", " ", today=TODAY)
    with pytest.raises(PermissionDenied, match="not on the roster"):
        followups.log(con, coach, 9999, date(2027, 1, 1), "note", today=TODAY)
    assert con.execute("SELECT count(*) FROM coach_followups").fetchone()[0] == 0


def test_caseload_counts_each_coachs_people_and_open_cases(con, school, make):
    coach = make.staff("Coach", role="coach")
    mine = [make.staff() for _ in range(3)]
    topic = make.topic()
    for sid in mine[:2]:
        school.survey(sid, topic)
    group = school.cohort(topic)
    school.member(group, mine[0])
    school.member(group, mine[1])
    with db.transaction(con) as cur:
        for sid in mine:
            cur.execute(
                "INSERT INTO coach_assignments (staff_id, coach_id) VALUES (?, ?)", [sid, coach]
            )
    load = wl.caseload_frame(con, TODAY).iloc[0]
    assert (load["coach"], load["assigned"], load["open_cases"]) == ("Coach", 3, 1)
    assert wl.open_case_count(con, coach, TODAY) == 1


def test_the_watchlist_sql_agrees_with_python_on_the_demo_school(demo_con):
    today = date(2027, 1, 20)
    cur = demo_con.cursor()
    teachers = {
        r[0]
        for r in cur.execute("SELECT id FROM staff WHERE active AND role = 'teacher'").fetchall()
    }
    answered = {r[0] for r in cur.execute("SELECT staff_id FROM survey_responses").fetchall()}
    mem = cur.execute(
        "SELECT m.staff_id, m.cohort_id, m.joined_at, m.left_at, c.kind, c.status "
        "FROM memberships m JOIN cohorts c ON c.id = m.cohort_id"
    ).fetchall()
    size = defaultdict(int)
    for _sid, cid, _j, left_at, _k, _st in mem:
        if left_at is None:
            size[cid] += 1
    meetings = cur.execute(
        "SELECT id, cohort_id, held_on FROM meetings WHERE status = 'held' AND held_on <= ?",
        [today],
    ).fetchall()
    came = set(cur.execute("SELECT meeting_id, staff_id FROM attendance").fetchall())
    asked = {
        r[0]
        for r in cur.execute(
            "SELECT staff_id FROM help_requests WHERE kind = 'place_me' AND status = 'open'"
        ).fetchall()
    }
    facts = {f.staff_id: f for f, _ in wl.watch_facts(demo_con, today)}
    assert set(facts) == teachers
    for sid in teachers:
        current = [m for m in mem if m[0] == sid and m[3] is None and m[5] == "active"]
        f = facts[sid]
        assert f.answered_survey == (sid in answered)
        assert f.in_group == bool(current)
        assert f.ever_left == any(m[0] == sid and m[3] is not None for m in mem)
        assert f.place_me_open == (sid in asked)
        if current:
            cid, joined, kind = current[0][1], current[0][2], current[0][4]
            last = sorted(
                (m for m in meetings if m[1] == cid and m[2] >= joined.date()),
                key=lambda m: (m[2], m[0]),
            )[-2:]
            assert (f.group_kind, f.group_size) == (kind, size[cid])
            assert f.last_two_meetings == len(last)
            assert f.attended_last_two == sum((m[0], sid) in came for m in last)
    frame = wl.watchlist_frame(demo_con, today)
    assert len(frame) > 10 and frame["reason_count"].min() >= 1


# --- participation ---------------------------------------------------------------------------


def test_participation_flags_each_stage(con, school, make):
    topic = make.topic("PBL")
    staff = {
        n: make.staff(n, department=d)
        for n, d in [("Ann", "Math"), ("Bo", "Math"), ("Cy", "Art"), ("Di", "Art")]
    }
    make.staff("Coach", role="coach", department="Coaching")
    school.survey(staff["Bo"], topic)
    school.survey(staff["Cy"], topic)
    school.survey(staff["Di"], topic)
    group = school.cohort(topic, "PBL group")
    school.member(group, staff["Cy"])
    school.member(group, staff["Di"])
    for day in ("2026-11-15", "2026-12-15", "2027-01-15"):
        school.meeting(group, day, came=(staff["Cy"],))
    frame = participation.participation_table(con, TODAY).set_index("name")
    assert list(frame.loc["Ann", ["answered_survey", "chose_topic", "in_group"]]) == [False] * 3
    assert frame.loc["Bo", "chose_topic"] and not frame.loc["Bo", "in_group"]
    assert frame.loc["Bo", "topic"] == "PBL" and frame.loc["Bo", "cohort"] == ""
    assert frame.loc["Cy", "met_once"] and frame.loc["Cy", "on_cadence"]
    assert frame.loc["Di", "in_group"] and not frame.loc["Di", "met_once"]

    teachers = participation.filter_frame(frame.reset_index(), roles=["teacher"])
    funnel = participation.funnel(teachers).set_index("stage")["people"]
    assert list(funnel) == [4, 3, 3, 2, 1, 1]
    by_dept = participation.by_group(teachers, "department").set_index("department")
    assert by_dept.loc["Art", "In a cohort or project"] == 1.0
    assert by_dept.loc["Math", "Answered the survey"] == 0.5


def test_participation_on_the_demo_school_is_a_funnel(demo_con):
    frame = participation.participation_table(demo_con)
    teachers = participation.filter_frame(frame, roles=["teacher"])
    funnel = participation.funnel(teachers)
    assert funnel.loc[0, "people"] == len(teachers) > 200
    people = list(funnel["people"])
    assert people[3] < people[1]  # some who answered have no group yet
    assert people[5] <= people[4] <= people[3]
    # everyone with a group has a topic; nobody is in two cohorts at once
    assert (teachers.loc[teachers["in_group"], "topic"] != "").all()
    assert frame["staff_id"].is_unique


# --- season feedback -------------------------------------------------------------------------


def test_feedback_summarises_overall_by_topic_and_by_health(con, school, make):
    topic = make.topic("Writing")
    people = [make.staff(f"P{i}") for i in range(4)]
    group = school.cohort(topic, "Writers")
    for sid in people[:3]:
        school.member(group, sid)
    school.meeting(group, "2027-04-10", came=people[:3])
    late = date(2027, 4, 25)
    answers = [
        (5, ["Too many choices"], "yes"),
        (4, ["too many choices", "Parking"], "yes"),
        (2, ["Time was not in the school day"], "no"),
        (3, [], "unsure"),
    ]
    for sid, (value, obstacles, vote) in zip(people, answers, strict=True):
        feedback.submit(con, sid, value, obstacles, vote, today=late)
    s = feedback.summary(con, late)
    assert (s.answers, s.eligible, s.mean_value) == (4, 4, 3.5)
    assert s.votes == {"yes": 2, "no": 1, "unsure": 1} and s.continue_share == 0.5
    obstacles = dict(zip(s.obstacles["obstacle"], s.obstacles["people"], strict=True))
    assert obstacles == {"Too many choices": 2, "Parking": 1, "Time was not in the school day": 1}
    by_topic = s.by_topic.set_index("topic")
    assert by_topic.loc["Writing", "answers"] == 3 and by_topic.loc["(no topic)", "answers"] == 1
    assert set(s.by_light["light"]) == {"no cohort", health.health_table(con, late).loc[0, "light"]}
    assert "4 of 4 teachers answered; 50% voted to continue" in s.sentence()


def test_feedback_is_once_per_teacher_and_only_once_the_survey_opens(con, school, make):
    sid = make.staff()
    with pytest.raises(ValidationError, match="opens on April 16"):
        feedback.submit(con, sid, 4, [], "yes", today=TODAY)
    feedback.submit(con, sid, 4, [], "yes", today=date(2027, 4, 20))
    with pytest.raises(ValidationError, match="already answered"):
        feedback.submit(con, sid, 2, [], "no", today=date(2027, 4, 21))
    with pytest.raises(ValidationError, match="1 to 5"):
        feedback.submit(con, make.staff(), 7, [], "yes", today=date(2027, 4, 21))


def test_feedback_with_no_answers_is_an_honest_nothing(con, school):
    s = feedback.summary(con, TODAY)
    assert s.answers == 0 and s.mean_value is None and s.sentence() == "No answers yet."
    assert feedback.opens_on(settings.load(con)) == date(2027, 4, 16)


# --- exports ---------------------------------------------------------------------------------


def test_dashboard_tables_export_with_formulas_made_inert(con, school, make):
    topic = make.topic('=HYPERLINK("http://evil")')
    a = make.staff("+Plus Person")
    b = make.staff("Ben")
    cid = school.cohort(topic, "@cohort")
    school.member(cid, a)
    school.member(cid, b)
    school.meeting(cid, "2027-01-10", came=(a, b))
    table = health.health_table(con, TODAY)
    back = pd.read_csv(io.BytesIO(exports.to_csv_bytes(table)), encoding="utf-8-sig")
    assert back.loc[0, "cohort"] == "'@cohort"
    assert back.loc[0, "topic"] == '\'=HYPERLINK("http://evil")'
    assert back.loc[0, "score"] == pytest.approx(table.loc[0, "score"])
    assert back.loc[0, "meetings_held"] == 1
    people = participation.participation_table(con, TODAY)
    back = pd.read_csv(io.BytesIO(exports.to_csv_bytes(people)), encoding="utf-8-sig")
    assert "'+Plus Person" in set(back["name"]) and "Ben" in set(back["name"])
    assert list(back.columns) == list(people.columns)


def test_health_table_on_an_empty_school_is_empty_with_its_columns(con):
    table = health.health_table(con, TODAY)
    assert table.empty and list(table.columns) == health.HEALTH_COLUMNS
    assert wl.watchlist_frame(con, TODAY).empty
    assert participation.funnel(participation.participation_table(con, TODAY))["people"].sum() == 0


# --- the meeting-slot list (saved from the Settings page) ------------------------------------


def test_meeting_slots_can_be_renamed_added_reordered_and_unused_ones_removed(con, make):
    ids = make.slots()
    keep = [(ids[1], "Tuesday before school", False), (ids[0], "Mon before school", False)]
    n = settings.save_slots(con, authz.COMMAND_LINE, [*keep, (None, "Friday PLC", True)])
    assert n == 3
    got = [(s.label, s.in_school_day) for s in roster.slots(con)]
    assert got == [
        ("Tuesday before school", False),
        ("Mon before school", False),
        ("Friday PLC", True),
    ]
    assert (
        con.execute("SELECT count(*) FROM audit_log WHERE action = 'settings.slots'").fetchone()[0]
        == 1
    )


def test_a_slot_in_use_or_a_duplicate_name_is_refused_and_nothing_changes(con, make):
    ids = make.slots()
    make.cohort(make.topic(), slot_id=ids[2])
    before = roster.slots(con)
    everything_but_used = [(s.id, s.label, s.in_school_day) for s in before if s.id != ids[2]]
    with pytest.raises(ValidationError, match="in use"):
        settings.save_slots(con, authz.COMMAND_LINE, everything_but_used)
    all_slots = [(s.id, s.label, s.in_school_day) for s in before]
    with pytest.raises(ValidationError, match="same name"):
        settings.save_slots(con, authz.COMMAND_LINE, [*all_slots, (None, "wed  LUNCH", True)])
    with pytest.raises(ValidationError, match="at least one"):
        settings.save_slots(con, authz.COMMAND_LINE, [(None, "  ", False)])
    assert roster.slots(con) == before
