"""A busy person's week without a stumble (issue 15): each person stays where they were after
an action, a double submit makes one record, and so on (AppTest)."""

import json
from datetime import timedelta

import pytest

from pdcore import clock, coaching, cohorts, db, help_requests, meetings, roster, seasons, survey
from tests.app.test_teacher_journeys import member_of_a_cohort, texts
from tests.conftest import DEMO_ADMIN, DEMO_COACH, DEMO_TEACHER


@pytest.fixture
def school(app_db):
    con = db.connect(app_db)
    yield con
    con.close()


def open_tab(at) -> str:
    """The label of the tab the browser would show (the one tabs container on the page)."""
    containers = [
        node
        for node in _blocks(at._tree)
        if type(node).__name__ == "Block"
        and node.proto is not None
        and node.proto.WhichOneof("type") == "tab_container"
    ]
    assert len(containers) == 1, "one tabs container on the page"
    labels = [tab.label for tab in containers[0].children.values()]
    return labels[containers[0].proto.tab_container.default_tab_index]


def _blocks(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _blocks(child)


def test_my_cohort_keeps_the_tab_after_each_action(open_app, school):
    email, _cid = member_of_a_cohort(school)
    at = open_app(email, "pages/my_cohort.py")
    assert open_tab(at) == "Members"
    at.session_state["my_cohort_tab"] = "Leave or split"  # the person clicks the tab
    at.run()
    assert open_tab(at) == "Leave or split"
    at.button(key="leave_submit").click().run()
    assert "Tick 'Yes, I want to leave'" in texts(at.error)
    assert open_tab(at) == "Leave or split"  # the refusal is where she is looking
    at.session_state["my_cohort_tab"] = "Goal"
    at.run()
    at.text_area(key="goal_text").input("Each of us tries one protocol before March.")
    at.button(key="goal_submit").click().run()
    assert "Goal saved" in texts(at.success)
    assert open_tab(at) == "Goal"


def test_coaching_keeps_the_tab_after_reading_a_plan(open_app, school):
    coach = school.execute("SELECT id FROM staff WHERE email = ?", [DEMO_COACH]).fetchone()[0]
    load = coaching.caseload(school, coach)
    assert not load.empty, "the demo coach has a caseload"
    at = open_app(DEMO_COACH, "pages/coaching.py")
    at.session_state["coaching_tab"] = "My caseload"
    at.run()
    assert not at.exception
    assert open_tab(at) == "My caseload"
    at.selectbox(key="caseload_pick").set_value(int(load["staff_id"].iloc[0])).run()
    assert open_tab(at) == "My caseload"
    assert "Focus:" in texts(at.markdown) or "No growth plan" in texts(at.info)


def test_a_double_submit_logs_one_meeting_and_the_form_starts_fresh(open_app, school):
    email, cid = member_of_a_cohort(school)
    before = len(meetings.held_meetings(school, cid))
    at = open_app(email, "pages/my_cohort.py")
    day = clock.today()
    held_days = set(meetings.held_meetings(school, cid)["held_on"].dt.date)
    assert day not in held_days, "the demo cohort has not met today yet"
    at.session_state["my_cohort_tab"] = "Meetings"
    at.date_input(key="meet_date").set_value(day)
    at.text_area(key="meet_note").input("Shared student work.")
    at.button(key="meet_submit").click().run()
    assert "logged" in texts(at.success)
    assert open_tab(at) == "Meetings"
    assert at.text_area(key="meet_note").value == ""  # a fresh form, not the last one's values
    at.date_input(key="meet_date").set_value(day)
    at.button(key="meet_submit").click().run()  # the second click
    assert "already logged" in texts(at.error)
    assert len(meetings.held_meetings(school, cid)) == before + 1

    # She logged it, so she can correct it: the attendance was one person, not everyone.
    newest = meetings.held_meetings(school, cid).iloc[0]
    me = school.execute("SELECT id FROM staff WHERE email = ?", [email]).fetchone()[0]
    at.selectbox(key="fix_pick").set_value(int(newest["id"]))
    at.run()
    at.multiselect(key=f"fix_{newest['id']}_who").set_value([me])
    at.button(key="fix_save").click().run()
    assert "corrected" in texts(at.success), texts(at.error)
    assert meetings.held_meetings(school, cid).iloc[0]["attended"] == 1
    at.button(key="fix_delete").click().run()
    assert "Tick 'Yes, delete" in texts(at.error)
    at.checkbox(key=f"fix_{newest['id']}_sure").check()
    at.button(key="fix_delete").click().run()
    assert "deleted" in texts(at.success)
    assert len(meetings.held_meetings(school, cid)) == before


NOTE = "I can only do Thursdays after school"


@pytest.mark.parametrize(
    ("email", "page", "picker"),
    [
        (DEMO_ADMIN, "pages/unmatched.py", "unmatched_person"),
        (DEMO_COACH, "pages/watchlist.py", "watch_person"),
    ],
)
def test_the_place_me_note_reaches_coaches_and_admins(open_app, school, email, page, picker):
    ana = school.execute("SELECT id FROM staff WHERE email = ?", [DEMO_TEACHER]).fetchone()[0]
    help_requests.ask(school, ana, "place_me", note=NOTE)
    at = open_app(email, page)
    assert not at.exception
    listed = [t.value for t in at.dataframe if "Ana Ruiz" in t.value.to_string()]
    assert listed and NOTE in listed[0].to_string()  # in the list, beside her name
    at.selectbox(key=picker).set_value(ana).run()
    assert NOTE in texts(at.text)  # and where one helps her


def test_after_the_survey_closed_a_person_who_missed_it_picks_a_topic_and_slots(open_app, school):
    assert not survey.is_open(school), "the demo survey has closed"
    email, sid = school.execute(
        """
        SELECT s.email, s.id FROM staff s WHERE s.active AND s.role = 'teacher'
          AND s.id NOT IN (SELECT staff_id FROM survey_responses)
          AND s.id NOT IN (SELECT staff_id FROM availability)
          AND s.id NOT IN (SELECT staff_id FROM memberships WHERE left_at IS NULL)
        ORDER BY s.id LIMIT 1
        """
    ).fetchone()
    at = open_app(email)
    assert "not too late" in texts(at.info)
    links = [link.proto.label for link in at.get("page_link")]
    assert "Choose a topic" in links and "Take the survey" not in links
    at.switch_page("pages/find_group.py").run()
    assert "you are not free then" not in texts(at.markdown)  # she has not said, so no verdict
    assert "have not said when you are free" in texts(at.caption)

    at.switch_page("pages/survey.py").run()
    assert "Your answers above" not in texts(at.info)  # there is nothing above
    offered = [t.id for t in survey.choosable_topics(school) if t.is_offered]
    at.selectbox(key="survey_choice_1").set_value(offered[0])
    at.button(key="survey_submit").click().run()
    assert not at.error, texts(at.error)
    assert survey.answer(school, sid).choices == (offered[0],)
    slots = [s.id for s in roster.slots(school)][:2]
    at.multiselect(key="prefs_slots").set_value(slots)
    at.button(key="prefs_submit").click().run()
    assert survey.preferences(school, sid).slot_ids == tuple(slots)


def test_a_teachers_home_is_her_monday_page(open_app, school):
    email, cid = member_of_a_cohort(school)
    me = school.execute("SELECT id FROM staff WHERE email = ?", [email]).fetchone()[0]
    slot = cohorts.get(school, cid).slot_id or roster.slots(school)[0].id
    if not meetings.planned_meetings(school, cid, since=clock.today()):
        day = clock.today() + timedelta(days=7)
        meetings.plan_meeting(school, cid, me, on=day, slot_id=slot, agenda="read")
    nxt = meetings.planned_meetings(school, cid, since=clock.today())[0]
    at = open_app(email)
    assert not at.exception
    shown = texts(at.markdown)
    assert f"Next meeting: **{nxt.on:%a %b} {nxt.on.day}**" in shown
    assert nxt.agenda_label in shown
    assert meetings.current_goal(school, cid).text in texts(at.text)
    assert "Staff development" in shown and "Coaching" in shown
    assert [b for b in at.get("download_button") if b.proto.label.startswith("Add to my calendar")]


ADMIN_AND_COACH_PAGES = [
    "pages/watchlist.py",
    "pages/coaching.py",
    "pages/plan_sessions.py",
    "pages/participation.py",
    "pages/topic_demand.py",
    "pages/cohort_health.py",
    "pages/unmatched.py",
    "pages/feedback.py",
    "pages/data.py",
    "pages/seasons.py",
    "pages/pd_hours.py",
]


@pytest.mark.parametrize("page", ADMIN_AND_COACH_PAGES)
def test_admin_tables_read_like_tables_not_a_database_dump(open_app, school, page):
    if page == "pages/feedback.py":  # answers, so the results tables show
        for n, (sid,) in enumerate(
            school.execute("SELECT id FROM staff WHERE role = 'teacher' LIMIT 6").fetchall()
        ):
            school.execute(
                "INSERT INTO season_feedback (season_id, staff_id, value, obstacles, continue_vote) "
                "VALUES (?, ?, ?, '', ?)",
                [seasons.current_id(school), sid, 1 + n % 5, "yes" if n % 3 else "no"],
            )
    at = open_app(DEMO_ADMIN, page)
    if page == "pages/participation.py":
        at.toggle(key="participation_people").set_value(True).run()
    assert not at.exception
    assert at.dataframe, "the demo school fills this page's tables"
    for table in at.dataframe:
        config = json.loads(table.proto.columns or "{}")
        frame = table.value
        for name in frame.columns:
            label = (config.get(str(name)) or {}).get("label") or str(name)
            assert "_" not in label and label[:1] == label[:1].upper(), (page, name, label)
            cells = frame[name]
            if cells.dtype == object:
                assert not cells.isna().any(), (page, name, "an empty cell reads None")
                assert not cells.astype(str).str.contains(" 00:00:00").any(), (page, name)
            kind = ((config.get(str(name)) or {}).get("type_config") or {}).get("format")
            assert kind != "percent", (page, name, "shares read 24%, not 23.53%")


def test_confirmations_say_who_and_what_and_a_merge_can_be_undone(open_app, school):
    at = open_app(DEMO_ADMIN, "pages/topic_demand.py")
    next(b for b in at.button if b.label == "Merge into Project Based Learning").click().run()
    assert "PBL" not in list(at.dataframe[0].value["topic"])
    at.button(key="topic_merge_undo").click().run()
    assert "Merge undone" in texts(at.success)
    assert "PBL" in list(at.dataframe[0].value["topic"])

    coach = school.execute("SELECT id FROM staff WHERE email = ?", [DEMO_COACH]).fetchone()[0]
    plans = coaching.unassigned_plans(school, coach)
    assert not plans.empty, "the demo has plans to claim"
    at = open_app(DEMO_COACH, "pages/coaching.py")
    at.selectbox(key="claim_pick").set_value(int(plans["staff_id"].iloc[0]))
    at.button(key="claim_btn").click().run()
    assert f"{plans['name'].iloc[0]} is on your caseload" in texts(at.success)
    assert open_tab(at) == "Plans to claim"


def test_settings_explain_weights_that_do_not_add_up_to_one(open_app):
    at = open_app(DEMO_ADMIN, "pages/settings.py")
    first = next(n for n in at.number_input if (n.key or "").startswith("set_weight_"))
    first.set_value(first.value + 0.6)
    at.button(key="settings_save").click().run()
    assert not at.error, texts(at.error)
    assert "add up to 1.6" in texts(at.success) and "%" in texts(at.success)


def test_a_teacher_who_leads_a_session_is_told_so_not_to_sign_up(open_app, school):
    day, title, email = school.execute(
        """
        SELECT o.day, o.title, s.email FROM sd_sessions o JOIN staff s ON s.name = o.leader_name
        WHERE o.day > ? AND s.role = 'teacher'
          AND s.id NOT IN (SELECT staff_id FROM sd_signups WHERE day = o.day)
        ORDER BY o.day LIMIT 1
        """,
        [clock.today()],
    ).fetchone()
    at = open_app(email, "pages/sessions.py")
    at.selectbox(key="sd_day").set_value(day).run()
    assert f"You lead **{title}** that day" in texts(at.success)
    assert "not signed up" not in texts(at.info)


def test_a_refresh_keeps_a_demo_sign_in_and_signing_out_forgets_it(app_db):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    next(b for b in at.button if b.label.startswith("Teacher: ")).click().run()
    assert at.query_params["demo"] == DEMO_TEACHER
    # A refresh is a new session with the same address.
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    again.query_params["demo"] = DEMO_TEACHER
    again.run()
    assert not again.exception
    assert [b for b in again.button if b.label == "Sign out"]
    assert again.title[0].value.startswith("Welcome, Ana")
    next(b for b in again.button if b.label == "Sign out").click().run()
    assert "demo" not in again.query_params
    assert "demo_email" not in again.session_state  # a refresh now shows the sign-in


def test_an_admin_deletes_a_meeting_logged_by_mistake_from_the_drill_down(open_app, school):
    cid = school.execute(
        "SELECT m.cohort_id FROM meetings m JOIN cohorts c ON c.id = m.cohort_id "
        "WHERE m.status = 'held' AND c.status = 'active' "
        "AND c.season_id = (SELECT id FROM seasons WHERE status = 'current') "
        "GROUP BY m.cohort_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    before = meetings.held_meetings(school, cid)
    at = open_app(DEMO_ADMIN, "pages/cohort_health.py")
    at.selectbox(key="health_cohort").set_value(cid).run()
    newest = int(before["id"].iloc[0])
    at.button(key="health_delete_button").click().run()
    assert "Tick 'Yes, delete" in texts(at.error)
    at.checkbox(key=f"health_delete_sure_{newest}").check()
    at.button(key="health_delete_button").click().run()
    assert "audit log keeps it" in texts(at.success)
    assert len(meetings.held_meetings(school, cid)) == len(before) - 1
