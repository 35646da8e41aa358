"""A teacher's journeys through the app: survey, topic, group, cohort life (AppTest)."""

from datetime import date

import pytest

from pdcore import authz, clock, cohorts, db, help_requests, meetings, roster, settings, survey
from pdcore.model import PermissionDenied
from tests.conftest import DEMO_TEACHER, shown


@pytest.fixture
def school(app_db):
    """A second connection to the app's database file (same process), for set-up and checks."""
    con = db.connect(app_db)
    yield con
    con.close()


def staff_id(con, email):
    return con.execute("SELECT id FROM staff WHERE email = ?", [email]).fetchone()[0]


def member_of_a_cohort(con, at_least=3):
    """A teacher in an active cohort of at least `at_least` members (from the demo data)."""
    return con.execute(
        """
        SELECT s.email, c.id FROM cohorts c
        JOIN memberships m ON m.cohort_id = c.id AND m.left_at IS NULL
        JOIN staff s ON s.id = m.staff_id
        WHERE c.status = 'active' AND c.kind = 'cohort' AND s.role = 'teacher'
          AND (SELECT count(*) FROM memberships x
               WHERE x.cohort_id = c.id AND x.left_at IS NULL) >= ?
        ORDER BY c.id, s.id LIMIT 1
        """,
        [at_least],
    ).fetchone()


def texts(elements):
    return " ".join(shown(e.value) for e in elements)


def test_survey_closed_shows_the_form_answers(open_app, school):
    ana = staff_id(school, DEMO_TEACHER)
    at = open_app(DEMO_TEACHER, "pages/survey.py")
    assert not at.exception
    assert "from the school's Google Form" in texts(at.success)
    assert all(n in texts(at.success) for n in survey.answer(school, ana).choice_names)
    assert "The survey closed on" in texts(at.info)
    assert not [b for b in at.button if b.key == "survey_submit"]


def test_survey_answer_and_change_it(open_app, school):
    settings.save(
        school, authz.COMMAND_LINE, survey_close=clock.today().replace(year=clock.today().year + 1)
    )
    ana = staff_id(school, DEMO_TEACHER)
    offered = [t.id for t in survey.choosable_topics(school) if t.is_offered]
    at = open_app(DEMO_TEACHER, "pages/survey.py")
    at.selectbox(key="survey_choice_1").set_value(offered[1])
    at.selectbox(key="survey_choice_2").set_value(offered[2])
    at.selectbox(key="survey_choice_3").set_value(offered[3])
    at.text_input(key="survey_write_in").input("Knitting in class")
    at.button(key="survey_submit").click().run()
    # Four topics is one too many: a clear message, and what she typed stays.
    assert "3 topics at most" in texts(at.error)
    assert at.text_input(key="survey_write_in").value == "Knitting in class"
    assert survey.answer(school, ana).choices != (offered[1], offered[2], offered[3])
    at.selectbox(key="survey_choice_3").set_value(None)
    at.button(key="survey_submit").click().run()
    assert not at.error, texts(at.error)
    answer = survey.answer(school, ana)
    assert answer.choices[:2] == (offered[1], offered[2])
    assert answer.choice_names[2] == "Knitting in class" and answer.source == "app"
    assert "3. Knitting in class" in texts(at.success)  # the page shows the new answer
    # Preferences: WHO first, two slots, and a colleague picked from the roster.
    slots = [s.id for s in roster.slots(school)][:2]
    ben = next(p.id for p in roster.active_staff(school) if p.id != ana and p.role == "teacher")
    at.radio(key="prefs_priority").set_value("who")
    at.multiselect(key="prefs_slots").set_value(slots)
    at.multiselect(key="prefs_colleagues").set_value([ben])
    at.button(key="prefs_submit").click().run()
    assert "Saved how you like to learn" in texts(at.success)
    prefs = survey.preferences(school, ana)
    assert (prefs.priority, prefs.slot_ids, prefs.colleague_ids) == ("who", tuple(slots), (ben,))


def test_pick_a_topic_short_list_then_join(open_app, school):
    ana = staff_id(school, DEMO_TEACHER)
    at = open_app(DEMO_TEACHER, "pages/topics.py")
    assert not at.exception
    assert "colleague" in texts(at.caption)
    at.button(key="shortlist_button").click().run()
    joins = [b for b in at.button if (b.key or "").startswith("short_join_")]
    assert 1 <= len(joins) <= 3
    cohort_id = int(joins[0].key.removeprefix("short_join_"))
    joins[0].click().run()
    assert not at.exception
    assert "You joined" in texts(at.success)
    assert cohorts.current_cohort(school, ana).id == cohort_id


def test_pick_a_topic_individual_project(open_app, school):
    ana = staff_id(school, DEMO_TEACHER)
    at = open_app(DEMO_TEACHER, "pages/topics.py")
    at.radio(key="pick_mode").set_value("individual").run()
    at.button(key="individual_submit").click().run()
    assert "write a goal for your project" in texts(at.error)
    at.text_area(key="individual_goal").input("Redesign one unit as a project.")
    at.button(key="individual_submit").click().run()
    assert "individual project" in texts(at.success)
    mine = cohorts.current_cohort(school, ana)
    assert mine.kind == "individual"
    assert meetings.current_goal(school, mine.id).text == "Redesign one unit as a project."
    assert survey.preferences(school, ana).mode == "individual"


def test_find_a_group_join_the_best_suggestion(open_app, school):
    ana = staff_id(school, DEMO_TEACHER)
    at = open_app(DEMO_TEACHER, "pages/find_group.py")
    assert not at.exception
    joins = [b for b in at.button if (b.key or "").startswith("join_")]
    assert joins, "the finder lists cohorts with open seats"
    best = int(joins[0].key.removeprefix("join_"))
    assert "open seat" in texts(at.caption)
    joins[0].click().run()
    assert "You joined" in texts(at.success)
    assert cohorts.current_cohort(school, ana).id == best
    assert "You are in" in texts(at.info)


def test_find_a_group_cohort_just_filled_up(open_app, school):
    ana = staff_id(school, DEMO_TEACHER)
    at = open_app(DEMO_TEACHER, "pages/find_group.py")
    first = next(b for b in at.button if (b.key or "").startswith("join_"))
    cid = int(first.key.removeprefix("join_"))
    # Someone else takes the last seats between Ana reading the list and clicking.
    settings.save(
        school, authz.COMMAND_LINE, max_size=cohorts.get(school, cid).size, ideal_max=2, ideal_min=2
    )
    first.click().run()
    assert not at.exception
    assert "just filled up" in texts(at.warning)
    assert cohorts.current_cohort(school, ana) is None
    assert f"join_{cid}" not in [b.key for b in at.button]


def test_find_a_group_start_a_new_cohort(open_app, school):
    ana = staff_id(school, DEMO_TEACHER)
    at = open_app(DEMO_TEACHER, "pages/find_group.py")
    at.text_area(key="start_goal").input("Try one new tool a month and debrief.")
    at.button(key="start_submit").click().run()
    assert "name for the cohort" in texts(at.error)
    assert at.text_area(key="start_goal").value == "Try one new tool a month and debrief."
    at.text_input(key="start_name").input("Lunch explorers")
    wed_lunch = next(s for s in roster.slots(school) if s.label == "Wed lunch")
    at.selectbox(key="start_slot").set_value(wed_lunch.id)
    at.button(key="start_submit").click().run()
    assert "has started" in texts(at.success)
    mine = cohorts.current_cohort(school, ana)
    assert (mine.name, mine.size, mine.slot_label) == ("Lunch explorers", 1, "Wed lunch")
    assert meetings.current_goal(school, mine.id).text == "Try one new tool a month and debrief."


def test_find_a_group_place_me_quietly(open_app, school):
    ana = staff_id(school, DEMO_TEACHER)
    at = open_app(DEMO_TEACHER, "pages/find_group.py")
    at.text_area(key="place_me_note").input("Lunch works best for me.")
    at.button(key="place_me_submit").click().run()
    assert "request to be placed is in" in texts(at.success)
    assert "waiting since" in texts(at.markdown)
    request = help_requests.open_place_me(school, ana)
    assert request.note == "Lunch works best for me."
    at.button(key="place_me_withdraw").click().run()
    assert help_requests.open_place_me(school, ana) is None


def test_my_cohort_goal_meeting_reflection(open_app, school):
    email, cid = member_of_a_cohort(school)
    me = staff_id(school, email)
    members = cohorts.get(school, cid).member_ids
    before = len(meetings.goal_history(school, cid))
    at = open_app(email, "pages/my_cohort.py")
    assert not at.exception
    assert cohorts.get(school, cid).name in texts(at.subheader)

    at.text_area(key="goal_text").input("Each of us tries one protocol before March.")
    at.button(key="goal_submit").click().run()
    assert f"version {before + 1}" in texts(at.success)
    history = meetings.goal_history(school, cid)
    assert len(history) == before + 1 >= 2
    shown = texts(at.markdown)
    assert all(g.text in shown for g in history)  # the history shows every version

    at.number_input(key="meet_minutes").set_value(0)
    at.button(key="meet_submit").click().run()
    assert "more than 0 minutes" in texts(at.error)
    at.number_input(key="meet_minutes").set_value(45)
    at.multiselect(key="meet_attendees").set_value([members[0], me] if members[0] != me else [me])
    at.text_area(key="meet_note").input("Shared student work.")
    at.button(key="meet_submit").click().run()
    assert "logged" in texts(at.success)
    latest = meetings.held_meetings(school, cid).iloc[0]
    assert latest["note"] == "Shared student work." and latest["minutes"] == 45
    assert latest["attended"] == len({members[0], me})

    at.text_area(key="refl_text").input("Protocols first made the discussion better.")
    at.text_input(key="refl_link").input("flip.example.org/ours")
    at.button(key="refl_submit").click().run()
    assert "http:// or https://" in texts(at.error)
    assert at.text_area(key="refl_text").value == "Protocols first made the discussion better."
    at.text_input(key="refl_link").input("https://flip.example.org/ours")
    at.radio(key="refl_visibility").set_value("all")
    at.button(key="refl_submit").click().run()
    assert "shared with all staff" in texts(at.success)
    gallery = open_app(email, "pages/gallery.py")
    assert "Protocols first made the discussion better." in texts(gallery.markdown)


def test_my_cohort_plan_next_meeting_with_calendar_file(open_app, school):
    email, cid = member_of_a_cohort(school)
    at = open_app(email, "pages/my_cohort.py")
    season_end = settings.load(school).season_end
    at.date_input(key="plan_date").set_value(date(season_end.year + 1, 1, 1))
    at.button(key="plan_submit").click().run()
    assert "within this season" in texts(at.error)
    since = max(clock.today(), settings.load(school).season_start)
    on = meetings.next_day_on(cohorts.get(school, cid).slot_label, since)  # the slot's weekday
    at.date_input(key="plan_date").set_value(on)
    at.selectbox(key="plan_agenda").set_value("try-a-lesson")
    at.button(key="plan_submit").click().run()
    assert "planned" in texts(at.success)
    planned = meetings.planned_meetings(school, cid, since=on)
    assert any(m.on == on and m.agenda == "try-a-lesson" for m in planned)
    assert "Try a lesson and debrief" in texts(at.markdown)


def test_my_cohort_split_then_leave(open_app, school):
    email, cid = member_of_a_cohort(school)
    me = staff_id(school, email)
    others = [m for m in cohorts.get(school, cid).member_ids if m != me]
    at = open_app(email, "pages/my_cohort.py")
    at.multiselect(key="split_movers").set_value([me, others[0]])
    at.text_input(key="split_name").input("Our second path")
    at.button(key="split_submit").click().run()
    assert "the split happens when everyone named has answered" in texts(at.success)
    assert cohorts.current_cohort(school, me).id == cid  # nobody moved yet

    # The colleague named is told on Home, and says yes on My cohort.
    other_email = school.execute("SELECT email FROM staff WHERE id = ?", [others[0]]).fetchone()[0]
    theirs = open_app(other_email)
    assert any("proposes that you move" in t.value for t in theirs.text)
    theirs.switch_page("pages/my_cohort.py").run()
    theirs.button(key=next(b.key for b in theirs.button if b.key.endswith("_True"))).click().run()
    assert "You moved to Our second path" in texts(theirs.success)
    outcome = [t.value for t in open_app(email).text]  # the proposer is told on Home
    assert any(t.startswith("Your proposal to start Our second path:") for t in outcome)

    at = open_app(email, "pages/my_cohort.py")
    new = cohorts.current_cohort(school, me)
    assert new.name == "Our second path" and new.parent_id == cid
    assert set(new.member_ids) == {me, others[0]}
    assert me not in cohorts.get(school, cid).member_ids

    at.text_input(key="leave_reason").input("schedule changed")
    at.button(key="leave_submit").click().run()
    assert "Tick 'Yes, I want to leave'" in texts(at.error)
    assert at.text_input(key="leave_reason").value == "schedule changed"
    at.checkbox(key="leave_confirm").check()
    at.button(key="leave_submit").click().run()
    assert "You left Our second path" in texts(at.success)
    assert cohorts.current_cohort(school, me) is None
    reasons = school.execute(
        "SELECT left_reason FROM memberships WHERE staff_id = ? ORDER BY joined_at", [me]
    ).fetchall()
    assert reasons[-2:] == [("split into a new cohort",), ("schedule changed",)]


def test_the_proposer_withdraws_a_split_and_the_colleague_named_is_told(open_app, school):
    email, cid = member_of_a_cohort(school)
    me = staff_id(school, email)
    other = next(m for m in cohorts.get(school, cid).member_ids if m != me)
    at = open_app(email, "pages/my_cohort.py")
    at.multiselect(key="split_movers").set_value([me, other])
    at.text_input(key="split_name").input("Our second path")
    at.button(key="split_submit").click().run()
    assert cohorts.pending_split(school, cid).waiting_for  # asked, not moved

    # Only the proposer is offered the withdraw button, and only they may use it.
    other_email = school.execute("SELECT email FROM staff WHERE id = ?", [other]).fetchone()[0]
    theirs = open_app(other_email, "pages/my_cohort.py")
    assert not [b for b in theirs.button if b.key == "split_withdraw"]
    with pytest.raises(PermissionDenied):
        cohorts.withdraw_split(school, other, cohorts.pending_split(school, cid).proposal_id)

    at.button(key="split_withdraw").click().run()
    assert "Split withdrawn" in texts(at.success)
    assert cohorts.pending_split(school, cid) is None
    assert {me, other} <= set(cohorts.get(school, cid).member_ids)  # nobody moved
    told = [t.value for t in open_app(other_email).text]
    assert any("withdrew the split into Our second path" in t for t in told)
    assert cohorts.questions_for(school, other) == []  # the question is gone
