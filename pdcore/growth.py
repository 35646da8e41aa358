"""Professional growth plans: a focus, one to three goals with measures, evidence, a reflection.

One plan per person per school year. Privacy is enforced here, not in the pages: a teacher
sees only their own plan; a coach sees their caseload's plans and the plans of teachers in
their school who have no coach yet (so they can claim them); admins see the plans of their
school (a district admin, with no school, every plan). Only the plan's owner writes it.
One-on-one notes are narrower: see sees_coaching_notes.

The school year runs August 1 to July 31 around the cohort season in the settings (a season
starting November 2026 is in the 2026-27 school year, 2026-08-01 to 2027-07-31). Every date a
person enters in this part of the product (coaching sessions, PLC meetings, staff-development
days) must fall inside it; the small validators below are shared by those modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlparse

import pandas as pd

from pdcore import authz, db, pathways, roster, settings
from pdcore.model import PermissionDenied, Role, StaffMember, ValidationError

MAX_FOCUS = 200
MAX_GOAL = 500
MAX_MEASURE = 500
MAX_NOTE = 2000
MAX_REQUEST_NOTE = 500  # help_requests notes: the same limit as pdcore.help_requests
MAX_LINK = 500
MAX_REFLECTION = 5000
MAX_GOALS = 3


# ---- shared validators ---------------------------------------------------------------------


def clean_text(value: str | None, label: str, limit: int, required: bool = False) -> str:
    """Trimmed text, or a ValidationError naming the field when empty (if required) or too long."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(f"{label} is empty: please write something.")
    if len(text) > limit:
        raise ValidationError(
            f"{label} is {len(text):,} characters long; please keep it under {limit:,}."
        )
    return text


def clean_link(value: str | None) -> str:
    """An http(s) link (or empty); anything else gets a message saying what a link looks like."""
    link = (value or "").strip()
    if not link:
        return ""
    if len(link) > MAX_LINK:
        raise ValidationError(f"That link is too long; please keep it under {MAX_LINK} characters.")
    parts = urlparse(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in link:
        raise ValidationError(
            "Links must be web addresses starting with http:// or https:// "
            "(for example https://drive.google.com/...)."
        )
    return link


def school_year_bounds(s: settings.Settings) -> tuple[date, date]:
    """The school year around the season: August 1 to July 31 (see module docstring)."""
    start = s.season_start
    year = start.year if start.month >= 8 else start.year - 1
    return date(year, 8, 1), date(year + 1, 7, 31)


def school_year_label(s: settings.Settings) -> str:
    """The school year's label, e.g. '2026-27'."""
    first, _ = school_year_bounds(s)
    return f"{first.year}-{str(first.year + 1)[-2:]}"


def long_date(day: date) -> str:
    """A date as people write it: 'November 25, 2026'."""
    return f"{day:%B} {day.day}, {day.year}"


def check_in_school_year(con, day: date | None, what: str) -> date:
    """`day` if it falls in this school year, else a ValidationError saying which dates work."""
    if day is None:
        raise ValidationError(f"Please choose a date for {what}.")
    if isinstance(day, datetime):
        day = day.date()
    first, last = school_year_bounds(settings.load(con))
    if not first <= day <= last:
        raise ValidationError(
            f"{long_date(day)} is outside this school year: {what} must be between "
            f"{long_date(first)} and {long_date(last)}."
        )
    return day


def check_minutes(minutes, what: str = "The session", most: int = 480) -> int:
    """A whole, positive number of minutes, at most `most`."""
    try:
        value = int(minutes)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} length must be a number of minutes.") from None
    if value != minutes and not isinstance(minutes, str):
        raise ValidationError(f"{what} length must be a whole number of minutes.")
    if value <= 0:
        raise ValidationError(f"{what} length must be more than 0 minutes (you entered {value}).")
    if value > most:
        raise ValidationError(f"{what} length must be at most {most} minutes.")
    return value


# ---- who may see what ----------------------------------------------------------------------


def active_person(con, staff_id: int) -> StaffMember:
    """The active roster entry of `staff_id`, or PermissionDenied (signed out, deactivated)."""
    person = roster.by_id(con, staff_id)
    if person is None or not person.active:
        raise PermissionDenied("You are not on the school's active roster.")
    return person


def may_view(con, viewer_id: int, staff_id: int) -> bool:
    """Whether `viewer_id` may see `staff_id`'s growth plan and coaching record."""
    if viewer_id == staff_id:
        return True
    viewer = roster.by_id(con, viewer_id)
    if viewer is None or not viewer.active:
        return False
    if viewer.role not in (Role.COACH, Role.ADMIN):
        return False
    row = (
        db.read(con)
        .execute(
            "SELECT s.school, a.coach_id FROM staff s "
            "LEFT JOIN coach_assignments a ON a.staff_id = s.id WHERE s.id = ?",
            [staff_id],
        )
        .fetchone()
    )
    if row is None:
        return False
    school, coach_id = row
    if viewer.role == Role.ADMIN:
        return authz.covers(viewer, school)  # their school's (a district admin's: all)
    return coach_id == viewer_id or (coach_id is None and school == viewer.school)


def sees_coaching_notes(con, viewer: StaffMember, staff_id: int) -> bool:
    """Whether `viewer` may read the contents of `staff_id`'s coaching record (one-on-one
    session notes, follow-up notes): the teacher, and the coaches involved with them (their
    coach, or a coach who has met or followed up with them). Admins see activity only: who,
    when and how many, never what was said."""
    if viewer.id == staff_id:
        return True
    if viewer.role != Role.COACH:
        return False
    row = (
        db.read(con)
        .execute(
            "SELECT EXISTS (SELECT 1 FROM coach_assignments WHERE staff_id = $t AND coach_id = $c)"
            " OR EXISTS (SELECT 1 FROM coaching_sessions WHERE staff_id = $t AND coach_id = $c)"
            " OR EXISTS (SELECT 1 FROM coach_followups WHERE staff_id = $t AND coach_id = $c)",
            {"t": staff_id, "c": viewer.id},
        )
        .fetchone()
    )
    return bool(row[0])


def require_view(con, viewer_id: int, staff_id: int) -> None:
    """Raise PermissionDenied unless `viewer_id` may see this person's plan."""
    if not may_view(con, viewer_id, staff_id):
        raise PermissionDenied(
            "Growth plans are private: only the teacher, their coach and admins can see one."
        )


# ---- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    position: int
    goal: str
    measure: str


@dataclass(frozen=True)
class Evidence:
    created_at: datetime
    note: str
    link: str
    source: str  # 'note' (added by hand) | 'pathway' (a pathway step finished)


@dataclass(frozen=True)
class GrowthPlan:
    id: int
    staff_id: int
    school_year: str
    focus: str
    topic_id: int | None
    topic: str
    reflection: str
    updated_at: datetime
    goals: tuple[Goal, ...]
    evidence: tuple[Evidence, ...]


def _plan_row(cur, staff_id: int, year: str):
    return cur.execute(
        "SELECT p.id, p.focus, p.topic_id, coalesce(t.name, ''), p.reflection, p.updated_at "
        "FROM growth_plans p LEFT JOIN topics t ON t.id = p.topic_id "
        "WHERE p.staff_id = ? AND p.school_year = ?",
        [staff_id, year],
    ).fetchone()


def plan_for(con, viewer_id: int, staff_id: int) -> GrowthPlan | None:
    """This school year's plan of `staff_id`, as `viewer_id` may see it; None if not written.

    Evidence includes the pathway steps finished this school year, newest first.
    """
    require_view(con, viewer_id, staff_id)
    s = settings.load(con)
    year = school_year_label(s)
    cur = db.read(con)
    row = _plan_row(cur, staff_id, year)
    if row is None:
        return None
    plan_id, focus, topic_id, topic, reflection, updated = row
    goals = tuple(
        Goal(*g)
        for g in cur.execute(
            "SELECT position, goal, measure FROM growth_goals WHERE plan_id = ? ORDER BY position",
            [plan_id],
        ).fetchall()
    )
    notes = [
        Evidence(at, note, link, "note")
        for at, note, link in cur.execute(
            "SELECT created_at, note, link FROM growth_evidence WHERE plan_id = ?", [plan_id]
        ).fetchall()
    ]
    first, last = school_year_bounds(s)
    steps = [
        Evidence(at, text, link, "pathway")
        for at, text, link in pathways.evidence_for(
            con,
            staff_id,
            datetime.combine(first, datetime.min.time()),
            datetime.combine(last, datetime.max.time()),
        )
    ]
    evidence = tuple(sorted(notes + steps, key=lambda e: e.created_at, reverse=True))
    return GrowthPlan(
        plan_id, staff_id, year, focus, topic_id, topic, reflection, updated, goals, evidence
    )


def _clean_goals(goals) -> list[tuple[str, str]]:
    cleaned = []
    for n, (goal, measure) in enumerate(goals, start=1):
        goal = clean_text(goal, f"Goal {n}", MAX_GOAL)
        measure = clean_text(measure, f"How you will know for goal {n}", MAX_MEASURE)
        if not goal and not measure:
            continue
        if not goal:
            raise ValidationError(f"Goal {n} has a measure but no goal: write the goal too.")
        if not measure:
            raise ValidationError(f"Goal {n}: say how you will know you got there.")
        cleaned.append((goal, measure))
    if not cleaned:
        raise ValidationError("Write at least one goal, and how you will know you got there.")
    if len(cleaned) > MAX_GOALS:
        raise ValidationError(f"A plan has one to {MAX_GOALS} goals; you wrote {len(cleaned)}.")
    return cleaned


@authz.write(authz.SELF)
def save_plan(con, actor: StaffMember, focus: str, goals, topic_id: int | None = None) -> int:
    """Write (or rewrite) your own plan for this school year; returns its id.

    `goals` is a list of (goal, measure) pairs; blank pairs are ignored, so a form can always
    offer three rows.
    """
    staff_id = actor.id
    active_person(con, staff_id)
    focus = clean_text(focus, "Your focus", MAX_FOCUS, required=True)
    cleaned = _clean_goals(goals)
    year = school_year_label(settings.load(con))
    with db.transaction(con) as cur:
        if (
            topic_id is not None
            and not cur.execute("SELECT 1 FROM topics WHERE id = ?", [topic_id]).fetchone()
        ):
            raise ValidationError("That topic no longer exists; pick another or none.")
        row = _plan_row(cur, staff_id, year)
        if row is None:
            plan_id = cur.execute(
                "INSERT INTO growth_plans (staff_id, school_year, focus, topic_id) "
                "VALUES (?, ?, ?, ?) RETURNING id",
                [staff_id, year, focus, topic_id],
            ).fetchone()[0]
            action = "growth.plan_create"
        else:
            plan_id = row[0]
            cur.execute(
                "UPDATE growth_plans SET focus = ?, topic_id = ?, "
                "updated_at = current_localtimestamp() WHERE id = ?",
                [focus, topic_id, plan_id],
            )
            action = "growth.plan_edit"
        # Goals are the plan's current wording, not a history: replace them in place.
        cur.execute("DELETE FROM growth_goals WHERE plan_id = ?", [plan_id])
        for pos, (goal, measure) in enumerate(cleaned, start=1):
            cur.execute(
                "INSERT INTO growth_goals (plan_id, position, goal, measure) VALUES (?, ?, ?, ?)",
                [plan_id, pos, goal, measure],
            )
        db.audit(cur, staff_id, action, "growth_plan", plan_id)
    return plan_id


def _own_plan_id(cur, con, staff_id: int) -> int:
    row = _plan_row(cur, staff_id, school_year_label(settings.load(con)))
    if row is None:
        raise ValidationError("Write your growth plan first (focus and goals), then add to it.")
    return row[0]


@authz.write(authz.SELF)
def add_evidence(con, actor: StaffMember, note: str = "", link: str = "") -> int:
    """Add a note and/or an http(s) link as evidence to your own plan; returns its id."""
    staff_id = actor.id
    note = clean_text(note, "The note", MAX_NOTE)
    link = clean_link(link)
    if not note and not link:
        raise ValidationError("Write a note or paste a link to add as evidence.")
    with db.transaction(con) as cur:
        plan_id = _own_plan_id(cur, con, staff_id)
        eid = cur.execute(
            "INSERT INTO growth_evidence (plan_id, note, link) VALUES (?, ?, ?) RETURNING id",
            [plan_id, note, link],
        ).fetchone()[0]
        cur.execute(
            "UPDATE growth_plans SET updated_at = current_localtimestamp() WHERE id = ?", [plan_id]
        )
        db.audit(cur, staff_id, "growth.evidence", "growth_plan", plan_id)
    return eid


@authz.write(authz.SELF)
def save_reflection(con, actor: StaffMember, text: str) -> None:
    """Write (or rewrite) the year-end reflection on your own plan."""
    staff_id = actor.id
    text = clean_text(text, "Your reflection", MAX_REFLECTION, required=True)
    with db.transaction(con) as cur:
        plan_id = _own_plan_id(cur, con, staff_id)
        cur.execute(
            "UPDATE growth_plans SET reflection = ?, updated_at = current_localtimestamp() "
            "WHERE id = ?",
            [text, plan_id],
        )
        db.audit(cur, staff_id, "growth.reflection", "growth_plan", plan_id)


def plans_frame(con, viewer_id: int) -> pd.DataFrame:
    """This year's plans `viewer_id` may see, one row each (see module docstring for who).

    Columns: staff_id, name, email, department, focus, topic, goals, evidence, coach_id, coach,
    reflected, updated_at.
    """
    viewer = active_person(con, viewer_id)
    year = school_year_label(settings.load(con))
    sql = """
        SELECT p.staff_id, s.name, s.email, s.department, p.focus, coalesce(t.name, '') AS topic,
               (SELECT count(*) FROM growth_goals g WHERE g.plan_id = p.id) AS goals,
               (SELECT count(*) FROM growth_evidence e WHERE e.plan_id = p.id) AS evidence,
               a.coach_id, coalesce(c.name, '') AS coach, p.reflection <> '' AS reflected,
               p.updated_at
        FROM growth_plans p
        JOIN staff s ON s.id = p.staff_id AND s.active
        LEFT JOIN topics t ON t.id = p.topic_id
        LEFT JOIN coach_assignments a ON a.staff_id = p.staff_id
        LEFT JOIN staff c ON c.id = a.coach_id
        WHERE p.school_year = ?
    """
    params: list = [year]
    if viewer.role == Role.COACH:
        sql += " AND (p.staff_id = ? OR a.coach_id = ? OR (a.coach_id IS NULL AND s.school = ?))"
        params += [viewer_id, viewer_id, viewer.school]
    elif viewer.role != Role.ADMIN:
        sql += " AND p.staff_id = ?"
        params.append(viewer_id)
    elif viewer.school:
        sql += " AND s.school = ?"
        params.append(viewer.school)
    return db.read(con).execute(sql + " ORDER BY s.name", params).df()
