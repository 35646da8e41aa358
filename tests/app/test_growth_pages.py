"""AppTest journeys: a teacher's plan, coach and sign-ups; a coach claims and logs; an admin plans."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from pdcore import clock, coaching, growth, roster, sessions
from tests.conftest import DEMO_ADMIN, DEMO_COACH, DEMO_TEACHER, ROOT, shown

LUIS = "luis.herrera@demo-school.org"


def app_con():
    """The app's own connection (one per process, as in production)."""
    from pdcore.ui import session

    return session._connection()


def person(email):
    return roster.by_email(app_con(), email)


def texts(elements):
    return [shown(e.value) for e in elements]


# AppTest reports a read-only st.dataframe's key only when it is selectable, so find each
# table by the columns that only it has.
TABLE_COLUMNS = {
    "evidence_table": "evidence",
    "my_requests_table": "preferred_slots",
    "claim_table": "matches",
    "caseload_table": "last_contact",
    "needs_table": "need",
    "per_session": "unmarked",
    "coverage_table": "met_this_month",
    "pathways_table": "finished",
}


def table(at, key):
    column = TABLE_COLUMNS[key]
    return next(d.value for d in at.dataframe if column in d.value.columns)


# ---- teacher --------------------------------------------------------------------------------


def test_teacher_writes_a_plan_keeps_typing_on_error_and_adds_evidence(open_app):
    at = open_app(DEMO_TEACHER, page="pages/growth.py")
    assert "You have not written a growth plan" in texts(at.info)[0]
    at.text_input(key="plan_focus").input("Feedback that moves writing forward")
    at.text_area(key="plan_goal_1").input("Confer with every student each unit")
    at.button(key="plan_save").click().run()
    assert "say how you will know" in texts(at.error)[0]
    assert at.text_input(key="plan_focus").value == "Feedback that moves writing forward"

    at.text_area(key="plan_measure_1").input("My conference log has every name")
    at.button(key="plan_save").click().run()
    assert not at.exception
    assert "Your plan is saved." in texts(at.success)
    assert any("Feedback that moves writing forward" in m for m in texts(at.markdown))
    me = person(DEMO_TEACHER)
    assert growth.plan_for(app_con(), me.id, me.id).goals[0].measure == (
        "My conference log has every name"
    )

    at.text_area(key="evidence_note").input("Recorded a conference")
    at.text_input(key="evidence_link").input("javascript:alert(1)")
    at.button(key="evidence_add").click().run()
    assert "https://" in texts(at.error)[0]
    assert at.text_area(key="evidence_note").value == "Recorded a conference"
    at.text_input(key="evidence_link").input("https://video.example.org/conference")
    at.button(key="evidence_add").click().run()
    assert "Evidence added to your plan." in texts(at.success)
    assert at.text_area(key="evidence_note").value == ""
    evidence = table(at, "evidence_table")
    assert list(evidence["evidence"]) == ["Recorded a conference"]


def test_teacher_chooses_a_coach_asks_for_coaching_and_ticks_a_pathway_step(open_app):
    at = open_app(DEMO_TEACHER, page="pages/growth.py")
    luis = person(LUIS)
    me = person(DEMO_TEACHER)
    at.radio(key="coach_pick").set_value(luis.id).run()
    at.button(key="coach_save").click().run()
    assert "Your coach is chosen." in texts(at.success)
    assert coaching.coach_of(app_con(), me.id) == luis.id

    slot = roster.slots(app_con())[2]
    at.multiselect(key="request_slots").set_value([slot.id])
    at.text_area(key="request_note").input("Conferring during work time")
    at.button(key="request_send").click().run()
    assert any("Your request is with the coaches" in s for s in texts(at.success))
    asked = table(at, "my_requests_table")
    assert asked.loc[0, "preferred_slots"] == slot.label

    step = next(p for p in sessions_pathways(me.id)).steps[0]
    at.checkbox(key=f"step_{step.id}").check()
    at.button(key=f"pathway_{step_pathway(step.id)}_save").click().run()
    assert any("pathway progress is saved" in s for s in texts(at.success))
    assert next(p for p in sessions_pathways(me.id)).steps[0].done

    at.radio(key="coach_pick").set_value(0).run()
    at.button(key="coach_save").click().run()
    assert coaching.coach_of(app_con(), me.id) is None


def sessions_pathways(staff_id):
    from pdcore import pathways

    return pathways.pathway_list(app_con(), staff_id)


def step_pathway(step_id):
    return next(p.id for p in sessions_pathways(None) if any(s.id == step_id for s in p.steps))


def test_teacher_signs_up_sees_what_is_full_and_changes(open_app):
    at = open_app(DEMO_TEACHER)  # opens the app's connection
    con = app_con()
    coach, me = person(DEMO_COACH), person(DEMO_TEACHER)
    today = clock.today()
    day = today + timedelta(days=(2 - today.weekday()) % 7 + 14)  # a Wednesday, 2+ weeks out
    a = sessions.publish(con, coach.id, day, "Genius Hour launch", 20)
    b = sessions.publish(con, coach.id, day, "Workshop conferring", 20)
    full = sessions.publish(con, coach.id, day, "Tiny room", 1)
    sessions.sign_up(con, person(LUIS).id, full)
    at.switch_page("pages/sessions.py").run()
    at.selectbox(key="sd_day").set_value(day).run()
    assert "You have not signed up for this day yet" in texts(at.info)[0]
    assert at.button(key=f"sd_signup_{full}").disabled
    assert any("**Full**" in m for m in texts(at.markdown))

    at.button(key=f"sd_signup_{a}").click().run()
    assert any("Signed up: Genius Hour launch" in s for s in texts(at.success))
    assert sessions.my_choice(con, me.id, day) == a
    assert at.button(key=f"sd_signup_{b}").label == "Switch to this"
    at.button(key=f"sd_signup_{b}").click().run()
    assert any("Switched: Workshop conferring" in s for s in texts(at.success))
    assert sessions.my_choice(con, me.id, day) == b
    assert any("**19** of 20 seats left" in m for m in texts(at.markdown))

    at.button(key=f"sd_cancel_{b}").click().run()
    assert sessions.my_choice(con, me.id, day) is None

    at.text_area(key="expert_note").input("Someone who has run Genius Hour for years")
    at.button(key="expert_send").click().run()
    assert any("shown to whoever plans" in s for s in texts(at.success))


# ---- coach ----------------------------------------------------------------------------------


def test_coach_claims_a_plan_that_matches_their_focus(open_app):
    at = open_app(DEMO_COACH, page="pages/coaching.py")
    claimable = table(at, "claim_table")
    assert claimable.loc[0, "matches"]  # best matches first
    email = claimable.loc[0, "email"]
    target = person(email)
    at.selectbox(key="claim_pick").set_value(target.id)
    at.button(key="claim_btn").click().run()
    assert any(f"{target.name} is on your caseload" in s for s in texts(at.success))
    assert coaching.coach_of(app_con(), target.id) == person(DEMO_COACH).id
    assert email not in set(table(at, "claim_table")["email"])
    assert email in set(table(at, "caseload_table")["email"])


def test_coach_logs_a_session_with_a_clear_message_for_bad_minutes(open_app):
    at = open_app(DEMO_COACH, page="pages/coaching.py")
    ana = person(DEMO_TEACHER)
    # Ana (no coach yet) asks for one-on-one coaching, so any coach may log with her.
    coaching.request_coaching(app_con(), ana.id, None, [], "Conferring in writing workshop")
    at.run()
    at.selectbox(key="log_teacher").set_value(ana.id)
    at.number_input(key="log_minutes").set_value(-10)
    at.text_input(key="log_focus").input("Conferring")
    at.button(key="log_save").click().run()
    assert "more than 0 minutes" in texts(at.error)[0]
    assert at.text_input(key="log_focus").value == "Conferring"

    at.number_input(key="log_minutes").set_value(40)
    at.text_input(key="log_next").input("Try a conference log")
    at.button(key="log_save").click().run()
    assert "Session logged." in texts(at.success)
    held = coaching.sessions_for(app_con(), ana.id, ana.id)
    assert held.loc[0, "minutes"] == 40 and held.loc[0, "next_step"] == "Try a conference log"

    at.text_area(key="plc_notes").input("Looked at benchmark data")
    at.text_area(key="plc_needs").input("Intervention plans\nPacing")
    at.button(key="plc_save").click().run()
    assert any("PLC notes saved" in s for s in texts(at.success))
    # The needs now sit beside topic demand where sessions are planned.
    at.switch_page("pages/plan_sessions.py").run()
    assert {"Intervention plans", "Pacing"} <= set(table(at, "needs_table")["need"])


def test_coach_lists_a_pathway_that_teachers_then_follow(open_app):
    at = open_app(DEMO_COACH, page="pages/coaching.py")
    at.text_input(key="pw_name").input("Google Certified Educator Level 2")
    at.text_input(key="pw_link").input("skillshop")
    at.text_area(key="pw_steps").input("Unit 1\nUnit 2\nExam")
    at.button(key="pw_save").click().run()
    assert "https://" in texts(at.error)[0]
    assert at.text_area(key="pw_steps").value == "Unit 1\nUnit 2\nExam"
    at.text_input(key="pw_link").input("https://skillshop.withgoogle.com/")
    at.button(key="pw_save").click().run()
    assert any("Pathway listed" in s for s in texts(at.success))
    listed = table(at, "pathways_table").set_index("pathway")
    assert listed.loc["Google Certified Educator Level 2", "steps"] == 3

    teacher = open_app(DEMO_TEACHER, page="pages/growth.py")
    assert any("Google Certified Educator Level 2" in m for m in texts(teacher.markdown))


# ---- admin ----------------------------------------------------------------------------------


def test_admin_publishes_an_option_and_bad_input_is_explained(open_app):
    at = open_app(DEMO_ADMIN, page="pages/plan_sessions.py")
    today = clock.today()
    day = today + timedelta(days=(2 - today.weekday()) % 7 + 21)
    at.date_input(key="pub_day").set_value(day)
    at.text_input(key="pub_title").input("Writing intervention plans")
    at.number_input(key="pub_capacity").set_value(0)
    at.button(key="pub_save").click().run()
    assert "between 1 and 500" in texts(at.error)[0]
    assert at.text_input(key="pub_title").value == "Writing intervention plans"

    at.number_input(key="pub_capacity").set_value(25)
    at.selectbox(key="pub_kind").set_value("expert")
    at.text_input(key="pub_leader").input("Dr. Rivera")
    at.button(key="pub_save").click().run()
    assert any("Published" in s for s in texts(at.success))
    (option,) = sessions.options_for_day(app_con(), day)
    assert (option.title, option.capacity, option.leader_kind) == (
        "Writing intervention plans", 25, "expert",
    )  # fmt: skip


def test_admin_marks_attendance_and_sees_it_per_session(open_app):
    at = open_app(DEMO_ADMIN, page="pages/plan_sessions.py")
    sid = at.selectbox(key="att_session").value
    present = at.multiselect(key=f"att_present_{sid}")
    assert present.value, "the demo's last session day has sign-ups"
    signed_up = len(sessions.attendees(app_con(), person(DEMO_ADMIN).id, sid))
    came = len(present.value) - 1
    present.unselect(present.value[0])
    at.button(key="att_save").click().run()
    assert f"Attendance saved: {came} present, {signed_up - came} absent." in texts(at.success)
    per = table(at, "per_session")
    day = at.selectbox(key="att_day").value
    title = sessions.option(app_con(), sid).title
    row = per[(per["day"].astype(str).str[:10] == day.isoformat()) & (per["title"] == title)].iloc[
        0
    ]
    assert (row["attended"], row["absent"], row["unmarked"]) == (came, signed_up - came, 0)


def test_admin_sees_coaching_coverage(open_app):
    at = open_app(DEMO_ADMIN, page="pages/coaching.py")
    labels = {m.label: m.value for m in at.metric}
    frame = coaching.coverage_frame(app_con(), person(DEMO_ADMIN).id)
    assert labels["Teachers"] == str(len(frame))
    assert labels["With a growth plan"] == str(int(frame["has_plan"].sum()))
    assert labels["With a coach"] == str(int(frame["has_coach"].sum()))
    at.segmented_control(key="coverage_filter").set_value("No coach").run()
    assert not table(at, "coverage_table")["has_coach"].any()


# ---- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["pages/coaching.py", "pages/plan_sessions.py"])
def test_a_teacher_is_refused_the_coaching_pages(app_db, page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=30)
    at.user = {"is_logged_in": True, "email": DEMO_TEACHER, "name": "teacher"}
    at.run()
    assert any("This page is for" in e for e in texts(at.error))
    assert not at.button  # nothing to click


def test_a_coach_never_sees_another_coachs_caseload(open_app):
    at = open_app(LUIS, page="pages/coaching.py")
    maya_load = coaching.caseload(app_con(), person(DEMO_COACH).id)
    shown = set(table(at, "caseload_table")["email"])
    assert shown and not shown & set(maya_load["email"])


def test_claiming_with_nobody_picked_says_what_to_do(open_app):
    at = open_app(DEMO_COACH, page="pages/coaching.py")
    at.button(key="claim_btn").click().run()
    assert not at.exception
    assert "Pick a teacher to claim first." in texts(at.error)
