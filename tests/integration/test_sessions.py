"""Staff-development days: publishing, sign-ups (exact under concurrency), attendance, demand."""

import threading
from datetime import date

import pytest

from pdcore import authz, coaching, db, sessions, settings
from pdcore.model import PermissionDenied, ValidationError

MONDAY = date(2027, 1, 18)
WEDNESDAY = date(2027, 1, 20)


@pytest.fixture
def people(con, make):
    settings.save(
        con, authz.COMMAND_LINE, season_start=date(2026, 11, 1), season_end=date(2027, 4, 30)
    )
    return {
        "coach": make.staff("Maya Coach", role="coach"),
        "admin": make.staff("Dana Admin", role="admin"),
        "ana": make.staff("Ana Teacher"),
        "ben": make.staff("Ben Teacher"),
        "cy": make.staff("Cy Teacher"),
    }


def publish(con, actor, title="Writing intervention plans", capacity=30, day=WEDNESDAY, **kw):
    return sessions.publish(con, actor, day, title, capacity, today=MONDAY, **kw)


def test_a_coach_publishes_a_days_options(con, people):
    a = publish(con, people["coach"], leader_name="Maya Okafor", room="Library")
    b = publish(con, people["admin"], "Blended Learner Pathways", 2, leader_kind="teacher")
    c = publish(con, people["coach"], "Upcoming content", 40, leader_kind="expert")
    options = sessions.options_for_day(con, WEDNESDAY)
    assert [o.id for o in options] == [a, b, c]
    assert options[0].leader() == "Led by Maya Okafor (coach)"
    assert options[1].leader() == "Led by a teacher"
    assert options[2].leader() == "Led by an outside expert"
    assert (options[1].capacity, options[1].seats_left, options[1].is_full) == (2, 2, False)
    assert sessions.session_days(con, since=MONDAY) == [WEDNESDAY]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacity": 0}, "between 1 and 500"),
        ({"capacity": -3}, "between 1 and 500"),
        ({"title": "  "}, "title is empty"),
        ({"title": "t" * 121}, "under 120"),
        ({"leader_kind": "wizard"}, "must be one of"),
        ({"room": "r" * 61}, "under 60"),
        ({"day": date(2027, 8, 4)}, "outside this school year"),
        ({"day": date(2026, 7, 29)}, "outside this school year"),
        ({"day": date(2027, 1, 13)}, "has passed"),
    ],
)
def test_bad_options_are_refused_with_what_to_change(con, people, changes, message):
    with pytest.raises(ValidationError, match=message):
        publish(con, people["coach"], **changes)
    assert sessions.session_days(con) == []


def test_teachers_do_not_plan_sessions(con, people):
    with pytest.raises(PermissionDenied):
        publish(con, people["ana"])
    sid = publish(con, people["coach"])
    for call in (
        lambda: sessions.edit(con, people["ana"], sid, "Mine now", 5, "teacher"),
        lambda: sessions.attendees(con, people["ana"], sid),
        lambda: sessions.mark_attendance(con, people["ana"], sid, [], WEDNESDAY),
        lambda: sessions.per_teacher(con, people["ana"]),
        lambda: sessions.expert_requests(con, people["ana"]),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_one_sign_up_per_day_switching_and_cancelling_until_the_day(con, people):
    first = publish(con, people["coach"])
    second = publish(con, people["coach"], "Learner Pathways")
    sessions.sign_up(con, people["ana"], first, today=MONDAY)
    assert sessions.my_choice(con, people["ana"], WEDNESDAY) == first
    sessions.sign_up(con, people["ana"], second, today=date(2027, 1, 19))  # the day before
    assert sessions.my_choice(con, people["ana"], WEDNESDAY) == second
    taken = {o.title: o.taken for o in sessions.options_for_day(con, WEDNESDAY)}
    assert taken == {"Writing intervention plans": 0, "Learner Pathways": 1}
    with pytest.raises(sessions.SignupClosed, match="closed"):
        sessions.sign_up(con, people["ana"], first, today=WEDNESDAY)
    with pytest.raises(sessions.SignupClosed):
        sessions.cancel(con, people["ana"], WEDNESDAY, today=WEDNESDAY)
    sessions.cancel(con, people["ana"], WEDNESDAY, today=MONDAY)
    assert sessions.my_choice(con, people["ana"], WEDNESDAY) is None
    with pytest.raises(ValidationError, match="not signed up"):
        sessions.cancel(con, people["ana"], WEDNESDAY, today=MONDAY)


def test_a_full_option_refuses_and_keeps_the_current_choice(con, people):
    small = publish(con, people["coach"], "Small room", 1)
    other = publish(con, people["coach"], "Big room", 30)
    sessions.sign_up(con, people["ana"], small, today=MONDAY)
    sessions.sign_up(con, people["ben"], other, today=MONDAY)
    with pytest.raises(sessions.SessionFull, match="Small room is full.*current choice is kept"):
        sessions.sign_up(con, people["ben"], small, today=MONDAY)
    assert sessions.my_choice(con, people["ben"], WEDNESDAY) == other
    assert sessions.option(con, small).is_full
    # Signing up again for your own full option is not an error.
    sessions.sign_up(con, people["ana"], small, today=MONDAY)


def test_capacity_cannot_drop_below_those_signed_up(con, people):
    sid = publish(con, people["coach"], capacity=5)
    for who in ("ana", "ben", "cy"):
        sessions.sign_up(con, people[who], sid, today=MONDAY)
    with pytest.raises(ValidationError, match="3 people are already signed up"):
        sessions.edit(con, people["coach"], sid, "Writing intervention plans", 2, "coach")
    sessions.edit(con, people["admin"], sid, "Writing plans", 3, "staff", "Kim", "Room 5", "Bring")
    o = sessions.option(con, sid)
    assert (o.title, o.capacity, o.leader_kind, o.room, o.is_full) == (
        "Writing plans", 3, "staff", "Room 5", True,
    )  # fmt: skip


@pytest.mark.parametrize(("capacity", "already", "racers"), [(5, 0, 40), (10, 8, 30)])
def test_concurrent_sign_ups_fill_exactly_the_last_seats(
    con, make, people, capacity, already, racers
):
    sid = publish(con, people["coach"], "Popular", capacity)
    for n in range(already):
        sessions.sign_up(con, make.staff(f"Early {n}"), sid, today=MONDAY)
    runners = [make.staff(f"Racer {n}") for n in range(racers)]
    start = threading.Barrier(racers)
    won, full, other = [], [], []

    def race(staff_id):
        start.wait()
        try:
            sessions.sign_up(con, staff_id, sid, today=MONDAY)
            won.append(staff_id)
        except sessions.SessionFull:
            full.append(staff_id)
        except Exception as exc:  # pragma: no cover - reported below
            other.append(exc)

    threads = [threading.Thread(target=race, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other == []
    assert len(won) == capacity - already
    assert len(full) == racers - len(won)
    in_db = con.execute("SELECT count(*) FROM sd_signups WHERE session_id = ?", [sid]).fetchone()
    assert in_db[0] == capacity
    assert sessions.option(con, sid).is_full


def test_attendance_is_marked_on_the_day_and_counted_per_session_and_teacher(con, people):
    a = publish(con, people["coach"])
    b = publish(con, people["coach"], "Learner Pathways")
    sessions.sign_up(con, people["ana"], a, today=MONDAY)
    sessions.sign_up(con, people["ben"], a, today=MONDAY)
    sessions.sign_up(con, people["cy"], b, today=MONDAY)
    with pytest.raises(ValidationError, match="on or after the day"):
        sessions.mark_attendance(con, people["coach"], a, [people["ana"]], today=MONDAY)
    with pytest.raises(ValidationError, match="Only people signed up"):
        sessions.mark_attendance(con, people["coach"], a, [people["cy"]], today=WEDNESDAY)
    assert sessions.mark_attendance(con, people["coach"], a, [people["ana"]], WEDNESDAY) == (1, 1)

    who = sessions.attendees(con, people["admin"], a).set_index("name")["attended"]
    assert bool(who["Ana Teacher"]) is True and bool(who["Ben Teacher"]) is False
    per = sessions.per_session(con, people["admin"]).set_index("title")
    assert per.loc["Writing intervention plans", ["signed_up", "attended", "absent"]].tolist() == [
        2, 1, 1,
    ]  # fmt: skip
    assert per.loc["Learner Pathways", "unmarked"] == 1
    teachers = sessions.per_teacher(con, people["admin"]).set_index("name")
    assert teachers.loc["Ana Teacher", ["signed_up", "attended", "absent"]].tolist() == [1, 1, 0]
    assert teachers.loc["Ben Teacher", ["signed_up", "attended", "absent"]].tolist() == [1, 0, 1]
    assert "Maya Coach" not in teachers.index
    mine = sessions.my_signups(con, people["ana"])
    assert mine.loc[0, "title"] == "Writing intervention plans" and bool(mine.loc[0, "attended"])


def test_expert_requests_and_plc_needs_reach_the_planners(con, make, people):
    topic = make.topic("Project Based Learning")
    sessions.request_expert(con, people["ana"], topic, "Someone who ran a PBL unit")
    sessions.request_expert(con, people["ana"], topic, "Updated wish")  # same topic: updated
    sessions.request_expert(con, people["ben"], topic)
    sessions.request_expert(con, people["cy"], None, "Trauma-informed teaching")
    with pytest.raises(ValidationError, match="Pick a topic or write"):
        sessions.request_expert(con, people["cy"], None, " ")
    asked = sessions.expert_requests(con, people["coach"]).set_index("topic")
    assert asked.loc["Project Based Learning", "requests"] == 2
    assert asked.loc["Project Based Learning", "notes"] == "Updated wish"
    assert asked.loc["(no topic)", "notes"] == "Trauma-informed teaching"
    demand = sessions.topic_demand(con, people["admin"]).set_index("topic")
    assert demand.loc["Project Based Learning", "expert_requests"] == 2
    coaching.add_plc_note(con, people["coach"], MONDAY, "", "Pacing guides")
    assert list(coaching.plc_needs(con)["need"]) == ["Pacing guides"]
    audit = db.read(con).execute(
        "SELECT count(*) FROM audit_log WHERE action = 'sessions.expert_request'"
    )
    assert audit.fetchone()[0] == 4
