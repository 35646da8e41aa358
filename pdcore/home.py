"""The home page's facts: one person's status and week, and the school in four numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pdcore import clock, cohorts, db, feedback, meetings, sessions, settings, survey


@dataclass(frozen=True)
class TeacherStatus:
    answered_survey: bool
    cohort_name: str | None
    topic: str | None
    place_me_open: bool
    season_survey_due: bool  # the end-of-season survey is open and they have not answered
    survey_open: bool = True  # the interest survey still takes answers and changes


@dataclass(frozen=True)
class Overview:
    active_staff: int
    placed: int
    unplaced: int
    place_me_open: int


def teacher_status(con, staff_id: int) -> TeacherStatus:
    """Whether this person answered the survey, their current cohort, and any open request."""
    cur = db.read(con)
    answered = cur.execute(
        "SELECT count(*) FROM survey_responses WHERE staff_id = ?", [staff_id]
    ).fetchone()[0]
    cohort = cur.execute(
        "SELECT c.name, t.name FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
        "JOIN topics t ON t.id = c.topic_id "
        "WHERE m.staff_id = ? AND m.left_at IS NULL AND c.status = 'active' LIMIT 1",
        [staff_id],
    ).fetchone()
    place_me = cur.execute(
        "SELECT count(*) FROM help_requests WHERE staff_id = ? AND kind = 'place_me' "
        "AND status = 'open'",
        [staff_id],
    ).fetchone()[0]
    current = settings.load(con)
    survey_due = feedback.is_open(current, clock.today()) and not (
        feedback.my_answer(con, staff_id)
    )
    return TeacherStatus(
        bool(answered),
        *(cohort or (None, None)),
        bool(place_me),
        survey_due,
        survey.is_open(con, current=current),
    )


def staff_overview(con, school: str | None = None) -> Overview:
    """Active teachers, how many are in an active cohort or project, and open 'place me'
    asks; of one `school` when given (see authz.scope)."""
    active, placed, place_me = (
        db.read(con)
        .execute(
            """
        WITH t AS (SELECT id FROM staff
                   WHERE active AND role = 'teacher' AND (?::VARCHAR IS NULL OR school = ?))
        SELECT
          (SELECT count(*) FROM t),
          (SELECT count(DISTINCT m.staff_id) FROM memberships m
             JOIN cohorts c ON c.id = m.cohort_id
           WHERE m.left_at IS NULL AND c.status = 'active' AND m.staff_id IN (SELECT id FROM t)),
          (SELECT count(*) FROM help_requests h JOIN staff s ON s.id = h.staff_id
           WHERE h.kind = 'place_me' AND h.status = 'open'
             AND (?::VARCHAR IS NULL OR s.school = ?))
        """,
            [school, school, school, school],
        )
        .fetchone()
    )
    return Overview(active, placed, active - placed, place_me)


# ---- a teacher's week: the page they open on Monday -----------------------------------------

SD_LOOKAHEAD_DAYS = 7  # a staff-development day this close is "this week's"


@dataclass(frozen=True)
class StaffDevelopment:
    day: date
    choice: str | None  # the option's title, or None when they have not signed up
    room: str
    open_for_signup: bool  # sign-ups close on the day itself
    leads: bool = False  # they lead that option


@dataclass(frozen=True)
class Coaching:
    coach: str | None
    last_session: date | None
    request_open: bool


@dataclass(frozen=True)
class Week:
    cohort: cohorts.CohortInfo | None
    next_meeting: meetings.PlannedMeeting | None
    goal: str | None
    reflection_due: date | None  # the day of a meeting they attended and have not reflected on
    staff_development: StaffDevelopment | None
    coaching: Coaching


def week(con, staff_id: int, today: date | None = None) -> Week:
    """What one teacher needs on Monday: their cohort's next meeting and goal, a reflection
    owed, this week's staff-development choice and their coaching."""
    today = today or clock.today()
    cohort = cohorts.current_cohort(con, staff_id)
    upcoming, goal, owed = None, None, None
    if cohort is not None:
        upcoming = next(iter(meetings.planned_meetings(con, cohort.id, since=today)), None)
        current = meetings.current_goal(con, cohort.id)
        goal = current.text if current else None
        owed = _reflection_due(con, cohort.id, staff_id, today)
    return Week(
        cohort, upcoming, goal, owed, _staff_development(con, staff_id, today),
        _coaching(con, staff_id),
    )  # fmt: skip


def _reflection_due(con, cohort_id: int, staff_id: int, today: date) -> date | None:
    """The last held meeting they attended, when they have written no reflection since."""
    row = (
        db.read(con)
        .execute(
            """
        SELECT m.held_on FROM meetings m
        JOIN attendance a ON a.meeting_id = m.id AND a.staff_id = ?
        WHERE m.cohort_id = ? AND m.status = 'held' AND m.held_on <= ?
          AND NOT EXISTS (SELECT 1 FROM reflections r WHERE r.cohort_id = m.cohort_id
                          AND r.author_id = ? AND (r.meeting_id = m.id
                               OR r.created_at::DATE >= m.held_on OR r.created_at >= m.created_at))
        ORDER BY m.held_on DESC LIMIT 1
        """,
            [staff_id, cohort_id, today, staff_id],
        )
        .fetchone()
    )
    return row[0] if row else None


def _staff_development(con, staff_id: int, today: date) -> StaffDevelopment | None:
    horizon = today + timedelta(days=SD_LOOKAHEAD_DAYS - 1)
    day = next((d for d in sessions.session_days(con, since=today) if d <= horizon), None)
    if day is None:
        return None
    chosen = sessions.my_choice(con, staff_id, day)
    option = sessions.option(con, chosen) if chosen else None
    if option is None:  # the person leading an option is in it, signed up or not
        name = db.read(con).execute("SELECT name FROM staff WHERE id = ?", [staff_id]).fetchone()
        option = next(
            (o for o in sessions.options_for_day(con, day) if name and o.leader_name == name[0]),
            None,
        )
        leads = option is not None
    else:
        leads = False
    return StaffDevelopment(
        day, option.title if option else None, option.room if option else "", day > today, leads
    )


def _coaching(con, staff_id: int) -> Coaching:
    cur = db.read(con)
    coach = cur.execute(
        "SELECT c.name FROM coach_assignments a JOIN staff c ON c.id = a.coach_id "
        "WHERE a.staff_id = ?",
        [staff_id],
    ).fetchone()
    last = cur.execute(
        "SELECT max(held_on) FROM coaching_sessions WHERE staff_id = ?", [staff_id]
    ).fetchone()[0]
    asked = cur.execute(
        "SELECT count(*) FROM help_requests WHERE staff_id = ? AND kind = 'coach' "
        "AND status = 'open'",
        [staff_id],
    ).fetchone()[0]
    return Coaching(coach[0] if coach else None, last, bool(asked))
