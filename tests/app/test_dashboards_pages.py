"""The admin and coach dashboards, used the way an admin or a coach would."""

from datetime import timedelta

import duckdb
import pytest

from pdcore import clock
from tests.conftest import DEMO_ADMIN, DEMO_COACH, DEMO_TEACHER

ADMIN_PAGES = [
    "pages/participation.py",
    "pages/topic_demand.py",
    "pages/cohort_health.py",
    "pages/unmatched.py",
    "pages/feedback.py",
    "pages/settings.py",
]


def _texts(at, kind):
    return [e.value for e in getattr(at, kind)]


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_participation_shows_the_funnel_and_filters_by_role(open_app):
    at = open_app(DEMO_ADMIN, page="pages/participation.py")
    assert not at.exception
    teachers = int(_metric(at, "On the roster"))
    assert teachers > 200
    assert int(_metric(at, "In a cohort or project")) < teachers
    assert any(c.startswith("Updated ") and "every 30 s" in c for c in _texts(at, "caption"))
    at.multiselect(key="participation_role").set_value(["coach"]).run()
    assert _metric(at, "On the roster") == "2"
    at.multiselect(key="participation_role").set_value(["teacher"]).run()
    at.multiselect(key="participation_department").set_value(["English"]).run()
    assert 0 < int(_metric(at, "On the roster")) < teachers


def test_topic_demand_merges_the_suggested_write_ins(open_app):
    at = open_app(DEMO_ADMIN, page="pages/topic_demand.py")
    assert "PBL" in list(at.dataframe[0].value["topic"])
    merge = next(b for b in at.button if b.label == "Merge into Project Based Learning")
    merge.click().run()
    assert not at.exception
    assert any("Merged" in s and "“PBL”" in s for s in _texts(at, "success"))
    assert "PBL" not in list(at.dataframe[0].value["topic"])
    assert not [b for b in at.button if b.label.startswith("Merge into")]


def test_topic_demand_retires_a_topic_and_explains_a_missing_pick(open_app):
    at = open_app(DEMO_ADMIN, page="pages/topic_demand.py")
    at.button(key="topic_action_apply").click().run()
    assert "Pick a topic first." in _texts(at, "error")
    box = at.selectbox(key="topic_action_topic")
    box.select_index(next(i for i, o in enumerate(box.options) if o.startswith("Beyond the Grade")))
    at.radio(key="topic_action_kind").set_value("Retire")
    at.button(key="topic_action_apply").click().run()
    assert any("Beyond the Grade is now retired" in s for s in _texts(at, "success"))
    table = at.dataframe[0].value.set_index("topic")
    assert table.loc["Beyond the Grade", "status"] == "retired"


def test_cohort_health_shows_lights_weights_and_drills_down(open_app):
    at = open_app(DEMO_ADMIN, page="pages/cohort_health.py")
    assert not at.exception
    total = int(_metric(at, "Cohorts and projects"))
    lights = sum(int(_metric(at, label)) for label in ("🟢 Green", "🟡 Amber", "🔴 Red"))
    assert total == lights > 40
    weights = at.dataframe[0].value
    assert set(weights["measure"]) >= {"cadence", "attendance"}
    at.selectbox(key="health_cohort").select_index(0).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Meetings", "Attendance", "Goals", "Reflections"]
    at.multiselect(key="health_light").set_value(["green"]).run()
    shown = at.dataframe[1].value
    assert len(shown) == int(_metric(at, "🟢 Green"))
    # Nobody alone is green: the demo's one-member cohort is red and gets a suggestion.
    assert not ((shown["members"] == 1) & (shown["kind"] == "cohort")).any()
    at.multiselect(key="health_light").set_value(["red"]).run()
    red = at.dataframe[1].value
    assert ((red["members"] == 1) & (red["kind"] == "cohort")).any()
    suggestions = at.dataframe[2].value["suggestion"]
    assert any("is down to one member: seat" in s for s in suggestions)


def test_unmatched_seats_a_lone_member_in_the_suggested_cohort(open_app):
    at = open_app(DEMO_ADMIN, page="pages/unmatched.py")
    assert not at.exception
    seat = next(b for b in at.button if b.key and b.key.startswith("mid_year_seat_"))
    seat.click().run()
    assert not at.exception
    assert any(m.startswith("Seated ") for m in _texts(at, "success"))
    assert not any(b.key and b.key.startswith("mid_year_seat_") for b in at.button)


def test_a_coach_logs_a_follow_up_and_the_case_moves_along(open_app):
    at = open_app(DEMO_COACH, page="pages/watchlist.py")
    assert not at.exception
    open_before = int(_metric(at, "Open cases"))
    new_before = int(_metric(at, "Nobody has followed up"))
    first_status = at.dataframe[0].value.iloc[0]["status"]
    at.selectbox(key="watch_person").select_index(0).run()
    # A future date is refused and what was typed stays.
    at.date_input(key="followup_date").set_value(clock.today() + timedelta(days=3))
    at.text_area(key="followup_note").input("Talked at lunch; nervous about joining.")
    at.button(key="followup_save").click().run()
    assert any("future" in e for e in _texts(at, "error"))
    assert at.text_area(key="followup_note").value == "Talked at lunch; nervous about joining."
    at.date_input(key="followup_date").set_value(clock.today())
    at.text_input(key="followup_next").input("Introduce to the Wed lunch cohort")
    at.button(key="followup_save").click().run()
    assert not at.exception
    assert any("Saved a follow-up" in s for s in _texts(at, "success"))
    assert int(_metric(at, "Open cases")) == open_before
    assert int(_metric(at, "Nobody has followed up")) == new_before - (first_status == "new")
    assert at.dataframe[0].value.iloc[0]["status"] == "in progress"
    caseload = at.dataframe[-1].value
    assert set(caseload["coach"]) == {"Maya Okafor", "Luis Herrera"}


def test_a_coach_resolving_a_case_takes_it_off_the_open_list(open_app):
    at = open_app(DEMO_COACH, page="pages/watchlist.py")
    before = int(_metric(at, "Open cases"))
    at.selectbox(key="watch_person").select_index(0).run()
    at.checkbox(key="followup_resolved").check()
    at.button(key="followup_save").click().run()
    assert int(_metric(at, "Open cases")) == before - 1


def test_unmatched_staff_are_placed_assigned_and_auto_formed(open_app):
    at = open_app(DEMO_ADMIN, page="pages/unmatched.py")
    assert not at.exception
    waiting = int(_metric(at, "Unmatched"))
    assert waiting > 5
    # Find someone whose first choice has a cohort with an open seat, and place them.
    people = at.selectbox(key="unmatched_person")
    placed = False
    for i in range(len(people.options)):
        at.selectbox(key="unmatched_person").select_index(i).run()
        cohort = next(s for s in at.selectbox if s.key.startswith("unmatched_cohort_"))
        if cohort.options:
            cohort.select_index(0).run()
            at.button(key="unmatched_place").click().run()
            placed = True
            break
    assert placed, "no unmatched person had a cohort with an open seat"
    assert any(s.startswith("Placed ") for s in _texts(at, "success"))
    assert int(_metric(at, "Unmatched")) == waiting - 1

    at.selectbox(key="unmatched_person").select_index(0).run()
    at.selectbox(key="unmatched_coach").select_index(0).run()
    at.button(key="unmatched_assign").click().run()
    assert any("is now" in s and "coach" in s for s in _texts(at, "success"))

    at.button(key="formation_preview").click().run()
    # The demo school has people auto-formation can seat, so the preview proposes a plan.
    assert any(i.startswith("Would place") for i in _texts(at, "info"))
    at.button(key="formation_apply").click().run()
    assert not at.exception
    assert any(s.startswith("Placed ") for s in _texts(at, "success"))
    assert int(_metric(at, "Unmatched")) < waiting - 1


def test_a_person_an_admin_places_is_told_on_home_and_can_dismiss_it(app_db, open_app):
    at = open_app(DEMO_ADMIN, page="pages/unmatched.py")
    for i in range(len(at.selectbox(key="unmatched_person").options)):
        at.selectbox(key="unmatched_person").select_index(i).run()
        cohort = next(s for s in at.selectbox if s.key.startswith("unmatched_cohort_"))
        if cohort.options:
            person = at.selectbox(key="unmatched_person").value
            cohort.select_index(0).run()
            at.button(key="unmatched_place").click().run()
            break
    db = duckdb.connect(str(app_db))
    email, cohort_name = db.execute(
        "SELECT s.email, c.name FROM staff s JOIN memberships m ON m.staff_id = s.id "
        "JOIN cohorts c ON c.id = m.cohort_id WHERE s.id = ? AND m.left_at IS NULL",
        [int(person)],
    ).fetchone()
    db.close()
    home = open_app(email)
    told = f"Dana Whitfield placed you in the cohort {cohort_name}."
    assert told in [t.value for t in home.text]
    home.button(key=next(b.key for b in home.button if b.key.startswith("notice_"))).click().run()
    assert told not in [t.value for t in home.text]
    assert told not in [t.value for t in open_app(email).text]  # gone for good


def test_feedback_says_when_the_survey_opens_before_any_answer(open_app):
    at = open_app(DEMO_ADMIN, page="pages/feedback.py")
    assert not at.exception
    [info] = _texts(at, "info")
    assert "No end-of-season answers yet" in info and "opens on" in info
    assert "Each teacher answers once" in info


def test_feedback_shows_the_results_once_answers_arrive(app_db, open_app):
    db = duckdb.connect(str(app_db))
    ids = [
        r[0] for r in db.execute("SELECT id FROM staff WHERE role = 'teacher' LIMIT 5").fetchall()
    ]
    for n, sid in enumerate(ids):
        db.execute(
            "INSERT INTO season_feedback (season_id, staff_id, value, obstacles, continue_vote) "
            "VALUES ((SELECT id FROM seasons WHERE status = 'current'), ?, ?, ?, ?)",
            [sid, 5 - n % 3, "Too many choices; Hard to find a group", "yes" if n < 4 else "no"],
        )
    db.close()
    at = open_app(DEMO_ADMIN, page="pages/feedback.py")
    assert not at.exception
    assert _metric(at, "Voted to continue") == "80%"
    assert _metric(at, "Answers").startswith("5 of ")
    by_topic = at.dataframe[0].value
    assert by_topic["answers"].sum() == 5


def test_settings_save_validates_and_keeps_what_was_typed(open_app):
    at = open_app(DEMO_ADMIN, page="pages/settings.py")
    assert not at.exception
    at.number_input(key="set_ideal_min").set_value(8)
    at.button(key="settings_save").click().run()
    assert any("'Ideal up to' (" in e and "'Ideal from' (8)" in e for e in _texts(at, "error"))
    assert at.number_input(key="set_ideal_min").value == 8
    at.number_input(key="set_ideal_min").set_value(4)
    at.number_input(key="set_offer_threshold").set_value(7)
    at.button(key="settings_save").click().run()
    assert "Saved 1 change(s)." in _texts(at, "success")
    at.switch_page("pages/topic_demand.py").run()
    assert _metric(at, "Offer threshold") == "7 first choices"


def test_the_coach_home_page_counts_open_cases(open_app):
    at = open_app(DEMO_COACH)
    link = next(p for p in at.get("page_link") if "watchlist" in p.proto.page)
    assert "open case(s) assigned to you" in link.proto.label


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_a_coach_cannot_open_an_admin_dashboard(open_app, page):
    at = open_app(DEMO_COACH)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)


def test_a_teacher_cannot_open_the_watchlist(open_app):
    at = open_app(DEMO_TEACHER)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/watchlist.py")


def test_participation_breakdown_chart_comes_on_request(open_app):
    at = open_app(DEMO_ADMIN, page="pages/participation.py")
    charts_before = len(at.get("vega_lite_chart"))
    assert any("Pick department or topic" in c for c in _texts(at, "caption"))
    breakdown = next(b for b in at.get("button_group") if b.key == "participation_breakdown")
    breakdown.set_value("topic").run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == charts_before + 1
    assert any(b.label == "Download CSV (by topic)" for b in at.get("download_button"))


def test_an_admin_steers_the_formation_preview_then_applies_it(open_app):
    """Quality card, move (locked where put), never together, re-run around the locks,
    undo, apply."""
    at = open_app(DEMO_ADMIN, page="pages/unmatched.py")
    at.button(key="formation_preview").click().run()
    assert not at.exception
    plan = at.session_state["formation_plan"]
    assert plan.formation.new_cohorts or plan.formation.joins
    card = at.dataframe[-1].value
    assert list(card.columns) == [
        "name",
        "topic",
        "time",
        "named colleagues",
        "department",
        "status",
    ]
    assert card["topic"].str.contains("choice").all()

    # Move someone who has somewhere else to go; they are locked where they were put.
    mover = next(
        p for p in sorted(plan.formation.placed_ids()) if plan.seats_for(p) and plan.seat_of(p)
    )
    target = plan.seats_for(mover)[0]
    at.selectbox(key="steer_person").set_value(mover).run()
    at.selectbox(key="steer_target").set_value(target).run()
    at.button(key="steer_move").click().run()
    assert not at.exception
    moved = at.session_state["formation_plan"]
    assert mover in moved.members(target) and mover in moved.locked

    # Two people proposed together are kept apart on the re-run; the move survives it.
    together = next(
        n.member_ids[:2]
        for n in moved.formation.new_cohorts
        if len(n.member_ids) >= 2 and not set(n.member_ids[:2]) & {mover}
    )
    at.multiselect(key="steer_pair").set_value(list(together)).run()
    at.button(key="steer_apart").click().run()
    at.button(key="steer_rerun").click().run()
    assert not at.exception
    rerun = at.session_state["formation_plan"]
    a, b = together
    assert rerun.seat_of(a) is None or rerun.seat_of(a) != rerun.seat_of(b)
    assert mover in rerun.members(rerun.seat_of(mover))
    assert rerun.seat_of(mover)[0] == target[0]

    at.button(key="steer_undo").click().run()
    assert at.session_state["formation_plan"].apart == rerun.apart
    assert at.session_state["formation_plan"].formation == moved.formation
    at.button(key="formation_apply").click().run()
    assert not at.exception
    assert any(s.startswith("Placed ") for s in _texts(at, "success"))


def test_my_cohort_says_why_you_are_in_it(app_db, open_app):
    db = duckdb.connect(str(app_db))
    (email,) = db.execute(
        "SELECT s.email FROM staff s JOIN memberships m ON m.staff_id = s.id AND m.left_at IS NULL "
        "JOIN cohorts c ON c.id = m.cohort_id AND c.status = 'active' AND c.kind = 'cohort' "
        "JOIN interests i ON i.staff_id = s.id AND i.topic_id = c.topic_id AND i.rank = 1 "
        "ORDER BY s.id LIMIT 1"
    ).fetchone()
    db.close()
    at = open_app(email, page="pages/my_cohort.py")
    assert not at.exception
    why = next(e for e in at.expander if e.label == "Why you are in this cohort")
    rows = why.dataframe[0].value
    assert list(rows["your wish"]) == ["topic", "time", "named colleagues", "department"]
    assert rows["in this cohort"].iloc[0].startswith("first choice (")


def _two_schools(app_db, admin_school: str) -> None:
    """The demo school becomes North (the demo admin its admin, or the district's when
    `admin_school` is blank) and South gets one teacher, unplaced, who asked to be placed."""
    con = duckdb.connect(str(app_db))
    con.execute("UPDATE staff SET school = 'North'")
    con.execute("UPDATE cohorts SET school = 'North'")
    con.execute("UPDATE staff SET school = ? WHERE email = ?", [admin_school, DEMO_ADMIN])
    sid = con.execute(
        "INSERT INTO staff (email, name, department, school) "
        "VALUES ('south.only@demo-school.org', 'Southern Stranger', 'Science', 'South') "
        "RETURNING id"
    ).fetchone()[0]
    con.execute(
        "INSERT INTO help_requests (staff_id, kind, note) VALUES (?, 'place_me', 'From South')",
        [sid],
    )
    con.close()


@pytest.mark.parametrize(("admin_school", "sees_south"), [("North", False), ("", True)])
def test_a_school_admin_sees_their_school_and_a_district_admin_both(
    app_db, open_app, admin_school, sees_south
):
    _two_schools(app_db, admin_school)
    at = open_app(DEMO_ADMIN, page="pages/unmatched.py")
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    names = {n for f in frames if "name" in f for n in f["name"]}
    assert ("Southern Stranger" in names) is sees_south
    at.switch_page("pages/participation.py").run()
    assert not at.exception
    con = duckdb.connect(str(app_db))
    teachers = con.execute(
        "SELECT count(*) FROM staff WHERE active AND role = 'teacher' AND (? OR school = 'North')",
        [sees_south],
    ).fetchone()[0]
    con.close()
    assert int(_metric(at, "On the roster")) == teachers
