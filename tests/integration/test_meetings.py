"""Goals, meetings, attendance, reflections, the gallery and the calendar of a cohort."""

from datetime import date

import pytest

from pdcore import authz, cohorts, db, meetings, settings
from pdcore.model import PermissionDenied, ValidationError

TODAY = date(2027, 1, 20)


@pytest.fixture
def cohort(con, make):
    """A Web Tools cohort of Ana and Ben meeting Wed lunch; Cara is in another cohort."""
    settings.save(
        con, authz.COMMAND_LINE, season_start=date(2026, 11, 1), season_end=date(2027, 4, 30)
    )
    slots = make.slots()
    topic = make.topic("Web Tools")
    ana, ben, cara = make.staff("Ana Ruiz"), make.staff("Ben Kim"), make.staff("Cara Chen")
    cid = cohorts.start_cohort(
        con, ana, topic_id=topic, name="Web Tools, Wed lunch", slot_id=slots[2], goal="First"
    )
    cohorts.join(con, ben, cid)
    other = make.cohort(make.topic("PBL"), members=[cara], name="PBL")
    return {"id": cid, "ana": ana, "ben": ben, "cara": cara, "slots": slots, "other": other}


def test_any_member_revises_the_goal_and_every_version_is_kept(con, cohort):
    v2 = meetings.revise_goal(con, cohort["ben"], cohort["id"], "  Narrowed: one tool a month ")
    assert v2 == 2
    history = meetings.goal_history(con, cohort["id"])
    assert [(g.version, g.text, g.author) for g in history] == [
        (2, "Narrowed: one tool a month", "Ben Kim"),
        (1, "First", "Ana Ruiz"),
    ]
    with pytest.raises(ValidationError, match="already the goal"):
        meetings.revise_goal(con, cohort["ana"], cohort["id"], "Narrowed: one tool a month")
    with pytest.raises(ValidationError, match="write the goal"):
        meetings.revise_goal(con, cohort["ana"], cohort["id"], "   ")
    with pytest.raises(PermissionDenied):
        meetings.revise_goal(con, cohort["cara"], cohort["id"], "Hijack")
    assert len(meetings.goal_history(con, cohort["id"])) == 2


def test_log_a_meeting_with_attendance(con, cohort):
    mid = meetings.log_meeting(
        con,
        cohort["ana"],
        cohort["id"],
        held_on=date(2026, 12, 2),
        minutes=55,
        in_school_day=True,
        attendee_ids=[cohort["ana"], cohort["ben"]],
        note="Tried Padlet.",
        agenda="try-a-lesson",
        today=TODAY,
    )
    frame = meetings.held_meetings(con, cohort["id"])
    assert frame[
        ["id", "minutes", "in_school_day", "attended", "attendees", "note"]
    ].values.tolist() == [[mid, 55, True, 2, "Ana Ruiz, Ben Kim", "Tried Padlet."]]


@pytest.mark.parametrize(
    ("held_on", "minutes", "who", "note", "message"),
    [
        (date(2026, 10, 31), 60, "ana", "", "within this season"),
        (date(2027, 5, 1), 60, "ana", "", "within this season"),
        (date(2027, 1, 21), 60, "ana", "", "in the future"),
        (date(2026, 12, 2), 0, "ana", "", "more than 0 minutes"),
        (date(2026, 12, 2), -5, "ana", "", "more than 0 minutes"),
        (date(2026, 12, 2), 481, "ana", "", "at most 480"),
        (date(2026, 12, 2), 60, "cara", "", "Only the cohort's members"),
        (date(2026, 12, 2), 60, None, "", "Tick who attended"),
        (date(2026, 12, 2), 60, "ana", "n" * 1001, "1000 characters"),
    ],
)
def test_a_bad_meeting_log_says_what_to_change(con, cohort, held_on, minutes, who, note, message):
    with pytest.raises(ValidationError, match=message):
        meetings.log_meeting(
            con,
            cohort["ana"],
            cohort["id"],
            held_on=held_on,
            minutes=minutes,
            in_school_day=False,
            attendee_ids=[cohort[who]] if who else [],
            note=note,
            today=TODAY,
        )
    assert meetings.held_meetings(con, cohort["id"]).empty


def test_only_members_log_for_their_cohort(con, cohort):
    with pytest.raises(PermissionDenied):
        meetings.log_meeting(
            con,
            cohort["cara"],
            cohort["id"],
            held_on=date(2026, 12, 2),
            minutes=60,
            in_school_day=False,
            attendee_ids=[cohort["ana"]],
            today=TODAY,
        )


def test_plan_the_next_meeting_then_log_it_when_it_happens(con, cohort, monkeypatch):
    monkeypatch.setenv("PDCORE_TIMEZONE", "America/New_York")
    with pytest.raises(ValidationError, match="has passed"):
        meetings.plan_meeting(
            con,
            cohort["ben"],
            cohort["id"],
            on=date(2027, 1, 19),
            slot_id=cohort["slots"][2],
            agenda="read",
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="school's list"):
        meetings.plan_meeting(
            con,
            cohort["ben"],
            cohort["id"],
            on=date(2027, 2, 3),
            slot_id=999,
            agenda="read",
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="agenda list"):
        meetings.plan_meeting(
            con,
            cohort["ben"],
            cohort["id"],
            on=date(2027, 2, 3),
            slot_id=cohort["slots"][2],
            agenda="party",
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):
        meetings.plan_meeting(
            con,
            cohort["cara"],
            cohort["id"],
            on=date(2027, 2, 3),
            slot_id=cohort["slots"][2],
            agenda="read",
            today=TODAY,
        )
    mid = meetings.plan_meeting(
        con,
        cohort["ben"],
        cohort["id"],
        on=date(2027, 2, 3),
        slot_id=cohort["slots"][2],
        agenda="modules",
        note="Units 3-4",
        today=TODAY,
    )
    (planned,) = meetings.planned_meetings(con, cohort["id"], since=TODAY)
    assert (planned.id, planned.on, planned.slot_label, planned.agenda_label) == (
        mid,
        date(2027, 2, 3),
        "Wed lunch",
        "Work through certification modules",
    )
    ics = meetings.calendar_file(con, cohort["id"], "Web Tools, Wed lunch").decode()
    assert ics.count("BEGIN:VEVENT") == 1
    assert "DTSTART:20270203T164500Z\r\n" in ics and f"UID:pd-cohorts-meeting-{mid}" in ics
    # When it happens, logging that day turns the plan into the held meeting, agenda kept.
    held = meetings.log_meeting(
        con,
        cohort["ana"],
        cohort["id"],
        held_on=date(2027, 2, 3),
        minutes=60,
        in_school_day=True,
        attendee_ids=[cohort["ana"]],
        today=date(2027, 2, 3),
    )
    assert held == mid
    assert meetings.planned_meetings(con, cohort["id"]) == []
    assert meetings.held_meetings(con, cohort["id"])["agenda"].tolist() == ["modules"]


def test_reflections_validate_and_the_gallery_shows_only_shared_ones(con, cohort, make):
    cid, ana, ben = cohort["id"], cohort["ana"], cohort["ben"]
    for link in ("javascript:alert(1)", "ftp://files.example.org/x", "www.example.org", "http://"):
        with pytest.raises(ValidationError, match="http:// or https://"):
            meetings.add_reflection(con, ana, cid, "Good", link=link)
    with pytest.raises(ValidationError, match="write your reflection"):
        meetings.add_reflection(con, ana, cid, "  ")
    with pytest.raises(ValidationError, match="Choose who sees it"):
        meetings.add_reflection(con, ana, cid, "x", visibility="world")
    with pytest.raises(PermissionDenied):
        meetings.add_reflection(con, cohort["cara"], cid, "Not mine", visibility="all")
    meetings.add_reflection(con, ana, cid, "Only for us")
    meetings.add_reflection(
        con,
        ben,
        cid,
        "Students asked better questions.",
        link="https://flip.example.org/1",
        visibility="all",
    )
    meetings.add_reflection(
        con,
        cohort["cara"],
        cohort["other"],
        "Our PBL share-out",
        visibility="all",
        is_shareout=True,
    )
    assert meetings.reflections(con, cid, ana)["text"].tolist() == [
        "Students asked better questions.",
        "Only for us",
    ]
    # Someone outside the cohort sees only what was shared with all staff.
    assert meetings.reflections(con, cid, cohort["cara"])["text"].tolist() == [
        "Students asked better questions."
    ]
    shared = meetings.gallery(con)
    assert shared["text"].tolist() == ["Our PBL share-out", "Students asked better questions."]
    web_only = meetings.gallery(con, topic_id=cohorts.get(con, cid).topic_id)
    assert web_only[["author", "link"]].values.tolist() == [
        ["Ben Kim", "https://flip.example.org/1"]
    ]


def test_a_member_who_left_can_no_longer_write(con, cohort):
    cohorts.leave(con, cohort["ben"], cohort["id"], "schedule changed")
    with pytest.raises(PermissionDenied):
        meetings.add_reflection(con, cohort["ben"], cohort["id"], "Late note")
    # Their past records stay.
    assert db.read(con).execute(
        "SELECT count(*) FROM goals WHERE cohort_id = ?", [cohort["id"]]
    ).fetchone() == (1,)


def _log(con, cohort, who="ana", day=date(2026, 12, 2), attendees=("ana", "ben")):
    return meetings.log_meeting(
        con,
        cohort[who],
        cohort["id"],
        held_on=day,
        minutes=50,
        in_school_day=True,
        attendee_ids=[cohort[a] for a in attendees],
        today=TODAY,
    )


def test_the_same_meeting_cannot_be_logged_twice(con, cohort):
    _log(con, cohort)
    with pytest.raises(ValidationError, match="already logged"):
        _log(con, cohort)
    with pytest.raises(ValidationError, match="already logged"):
        _log(con, cohort, who="ben", attendees=("ben",))  # a second member logs it too
    frame = meetings.held_meetings(con, cohort["id"])
    assert frame["attended"].tolist() == [2] and frame["minutes"].sum() == 50
    _log(con, cohort, day=date(2026, 12, 9))  # another day is another meeting
    assert len(meetings.held_meetings(con, cohort["id"])) == 2


def test_the_same_meeting_cannot_be_planned_twice(con, cohort):
    plan = dict(on=date(2027, 2, 3), slot_id=cohort["slots"][2], agenda="read", today=TODAY)
    meetings.plan_meeting(con, cohort["ana"], cohort["id"], **plan)
    with pytest.raises(ValidationError, match="already planned"):
        meetings.plan_meeting(con, cohort["ben"], cohort["id"], **plan)
    assert len(meetings.planned_meetings(con, cohort["id"])) == 1
    _log(con, cohort, day=date(2027, 1, 20))  # met today: no second meeting planned today
    with pytest.raises(ValidationError, match="already logged as held"):
        meetings.plan_meeting(con, cohort["ben"], cohort["id"], **{**plan, "on": date(2027, 1, 20)})


def test_the_logger_or_an_admin_corrects_or_deletes_a_meeting_audited(con, cohort, make):
    from pdcore import roster

    mid = _log(con, cohort)
    ana, ben = roster.by_id(con, cohort["ana"]), roster.by_id(con, cohort["ben"])
    admin = roster.by_id(con, make.staff("Dana Admin", role="admin"))
    fix = dict(
        held_on=date(2026, 12, 3), minutes=40, in_school_day=False, note="Fixed", today=TODAY
    )
    with pytest.raises(PermissionDenied, match="your own records"):
        meetings.edit_meeting(con, ben, mid, attendee_ids=[cohort["ben"]], **fix)
    meetings.edit_meeting(con, ana, mid, attendee_ids=[cohort["ana"]], **fix)
    row = meetings.held_meetings(con, cohort["id"]).iloc[0]
    assert (row["held_on"].date(), row["minutes"], row["attended"], row["note"]) == (
        date(2026, 12, 3),
        40,
        1,
        "Fixed",
    )
    with pytest.raises(ValidationError, match="been in the cohort"):
        meetings.edit_meeting(con, ana, mid, attendee_ids=[cohort["cara"]], **fix)
    other = _log(con, cohort, day=date(2026, 12, 9))
    with pytest.raises(ValidationError, match="already logged"):  # moved onto another meeting
        meetings.edit_meeting(
            con, ana, other, attendee_ids=[cohort["ana"]], **{**fix, "note": "dup"}
        )
    with pytest.raises(PermissionDenied):
        meetings.delete_meeting(con, ben, mid)
    meetings.delete_meeting(con, admin, mid)
    assert meetings.held_meetings(con, cohort["id"])["id"].tolist() == [other]
    audit = con.execute(
        "SELECT actor_id, action, detail FROM audit_log WHERE entity = 'meeting' "
        "AND entity_id = ? ORDER BY id",
        [mid],
    ).fetchall()
    assert [(a, act) for a, act, _ in audit] == [
        (ana.id, "meeting.log"),
        (ana.id, "meeting.edit"),
        (admin.id, "meeting.delete"),
    ]
    assert '"minutes": 50' in audit[1][2] and '"note": "Fixed"' in audit[2][2]


def test_a_meeting_is_planned_on_its_slots_weekday_and_a_weekend_is_not_a_school_day(con, cohort):
    wed_lunch = cohort["slots"][2]
    with pytest.raises(ValidationError, match=r"Wed lunch is on Wednesdays.*Dec 4 is a Friday"):
        meetings.plan_meeting(
            con, cohort["ana"], cohort["id"], on=date(2026, 12, 4), slot_id=wed_lunch,
            agenda="read", today=date(2026, 12, 1),
        )  # fmt: skip
    assert meetings.next_day_on("Wed lunch", date(2026, 12, 4)) == date(2026, 12, 9)
    assert meetings.next_day_on("Planning day", date(2026, 12, 4)) == date(2026, 12, 4)
    with pytest.raises(ValidationError, match="Nov 22 is a Sunday"):
        _log(con, cohort, day=date(2026, 11, 22))  # ticked "in the school day"
    # A cohort that met on another day than its slot's: held, with no contradicting slot.
    mid = meetings.log_meeting(
        con, cohort["ana"], cohort["id"], held_on=date(2026, 12, 3), minutes=30,
        in_school_day=False, attendee_ids=[cohort["ana"]], slot_id=wed_lunch, today=TODAY,
    )  # fmt: skip
    assert con.execute("SELECT slot_id FROM meetings WHERE id = ?", [mid]).fetchone() == (None,)
