"""A teacher's week on Home: next meeting, goal, a reflection owed, staff development, coach."""

from datetime import date

from pdcore import authz, cohorts, home, meetings, sessions, settings

TODAY = date(2027, 1, 18)  # a Monday


def test_the_week_names_what_is_next_and_what_is_owed(con, make):
    settings.save(
        con, authz.COMMAND_LINE, season_start=date(2026, 11, 1), season_end=date(2027, 4, 30)
    )
    slots = make.slots()
    ana, ben = make.staff("Ana Ruiz"), make.staff("Ben Kim")
    coach = make.staff("Maya Okafor", role="coach")
    assert home.week(con, ana, TODAY).cohort is None

    cid = cohorts.start_cohort(
        con, ana, topic_id=make.topic("Web Tools"), name="Web", slot_id=slots[2], goal="Try one"
    )
    cohorts.join(con, ben, cid)
    meetings.log_meeting(
        con, ben, cid, held_on=date(2027, 1, 13), minutes=45, in_school_day=True,
        attendee_ids=[ana, ben], today=TODAY,
    )  # fmt: skip
    meetings.plan_meeting(
        con, ana, cid, on=date(2027, 1, 20), slot_id=slots[2], agenda="read", today=TODAY
    )
    option = sessions.publish(con, coach, date(2027, 1, 22), "Padlet basics", 20, today=TODAY)
    week = home.week(con, ana, TODAY)
    assert (week.cohort.id, week.goal) == (cid, "Try one")
    assert (week.next_meeting.on, week.next_meeting.agenda) == (date(2027, 1, 20), "read")
    assert week.reflection_due == date(2027, 1, 13)  # she attended and has not reflected
    assert (week.staff_development.day, week.staff_development.choice) == (date(2027, 1, 22), None)
    assert week.coaching.coach is None

    sessions.sign_up(con, ana, option, today=TODAY)
    meetings.add_reflection(con, ana, cid, "We tried Padlet exit tickets.")
    week = home.week(con, ana, TODAY)
    assert week.staff_development.choice == "Padlet basics"
    assert week.reflection_due is None
    # A staff-development day more than a week away is not this week's.
    assert home.week(con, ana, date(2027, 1, 10)).staff_development is None
