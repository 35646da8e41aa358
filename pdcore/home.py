"""The home page's few facts: one person's status and the school in four numbers."""

from __future__ import annotations

from dataclasses import dataclass

from pdcore import clock, db, feedback, settings, survey


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
    survey_due = feedback.is_open(settings.load(con), clock.today()) and not (
        feedback.my_answer(con, staff_id)
    )
    return TeacherStatus(
        bool(answered),
        *(cohort or (None, None)),
        bool(place_me),
        survey_due,
        survey.is_open(con),
    )


def staff_overview(con) -> Overview:
    """Active staff, how many are in an active cohort or project, and open 'place me' asks."""
    active, placed, place_me = (
        db.read(con)
        .execute(
            """
        SELECT
          (SELECT count(*) FROM staff WHERE active AND role = 'teacher'),
          (SELECT count(DISTINCT m.staff_id) FROM memberships m
             JOIN cohorts c ON c.id = m.cohort_id
             JOIN staff s ON s.id = m.staff_id
           WHERE m.left_at IS NULL AND c.status = 'active' AND s.active AND s.role = 'teacher'),
          (SELECT count(*) FROM help_requests WHERE kind = 'place_me' AND status = 'open')
        """
        )
        .fetchone()
    )
    return Overview(active, placed, active - placed, place_me)
