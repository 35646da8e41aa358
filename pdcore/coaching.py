"""Coaching: which coach supports which teacher, one-on-one sessions, PLC notes and coverage.

A teacher chooses a coach, a coach claims a teacher by need, or an admin assigns one. A
teacher may also leave it to the coaches: their plan then shows as unassigned to the coaches
of their school, sorted by how well it matches each coach's focus. One-on-one coaching is
asked for with a help request of kind 'coach' (preferred slots in coaching_request_slots);
logging a session with that teacher closes their open requests. Privacy follows
pdcore.growth.may_view: a coach works with their caseload and unassigned teachers of their
school; admins see everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from pdcore import authz, clock, db
from pdcore.growth import (
    MAX_REQUEST_NOTE,
    active_person,
    check_in_school_year,
    check_minutes,
    clean_text,
    require_view,
    sees_coaching_notes,
)
from pdcore.model import PermissionDenied, Role, StaffMember, ValidationError

MAX_FOCUS = 200
MAX_NEXT_STEP = 500
MAX_PLC_NOTES = 5000
MAX_NEEDS = 2000


@authz.write(authz.for_person("staff_id", roles=(Role.ADMIN,), self_ok=False))
def assign(con, actor: StaffMember, staff_id: int, coach_id: int) -> None:
    """An admin makes `coach_id` (a coach of the teacher's school) the coach of `staff_id`,
    replacing any earlier coach."""
    with db.transaction(con) as cur:
        same = cur.execute(
            "SELECT s.school = c.school FROM staff s, staff c WHERE s.id = ? AND c.id = ?",
            [staff_id, coach_id],
        ).fetchone()
        if same is not None and not same[0]:
            raise PermissionDenied("That coach works in another school; pick one of theirs.")
        _assign(cur, staff_id, coach_id, "assigned", actor.id)


def _assign(cur, staff_id: int, coach_id: int, how: str, actor_id: int | None) -> None:
    role = cur.execute("SELECT role FROM staff WHERE id = ? AND active", [coach_id]).fetchone()
    if not role or role[0] != "coach":
        raise ValidationError("That person is not one of the school's coaches.")
    cur.execute(
        "INSERT INTO coach_assignments (staff_id, coach_id, how, assigned_at) "
        "VALUES (?, ?, ?, current_localtimestamp()) ON CONFLICT (staff_id) DO UPDATE"
        " SET coach_id = excluded.coach_id, how = excluded.how, assigned_at = excluded.assigned_at",
        [staff_id, coach_id, how],
    )
    db.audit(
        cur, actor_id, f"coach.{how}", "staff", staff_id, f'{{"coach_id": {coach_id}}}',
        subject_id=staff_id if actor_id != staff_id else None,
    )  # fmt: skip


def coach_of(con, staff_id: int) -> int | None:
    """The id of this teacher's coach, or None."""
    row = (
        db.read(con)
        .execute("SELECT coach_id FROM coach_assignments WHERE staff_id = ?", [staff_id])
        .fetchone()
    )
    return row[0] if row else None


# ---- coaches and choosing one ----------------------------------------------------------------


@dataclass(frozen=True)
class CoachInfo:
    id: int
    name: str
    email: str
    focus: str
    school: str
    caseload: int  # teachers assigned to this coach now

    def label(self) -> str:
        """'Maya Okafor: Blended learning... (12 teachers)', for a picker."""
        focus = f": {self.focus}" if self.focus else ""
        return f"{self.name}{focus} ({self.caseload} teacher{'s' if self.caseload != 1 else ''})"


def coaches(con, school: str | None = None) -> list[CoachInfo]:
    """The active coaches (of one school when given), with focus and current caseload."""
    sql = """
        SELECT c.id, c.name, c.email, c.coach_focus, c.school, count(t.id) AS caseload
        FROM staff c
        LEFT JOIN coach_assignments a ON a.coach_id = c.id
        LEFT JOIN staff t ON t.id = a.staff_id AND t.active
        WHERE c.role = 'coach' AND c.active
    """
    params: list = []
    if school is not None:
        sql += " AND c.school = ?"
        params.append(school)
    rows = (
        db.read(con)
        .execute(
            sql + " GROUP BY c.id, c.name, c.email, c.coach_focus, c.school ORDER BY c.name", params
        )
        .fetchall()
    )
    return [CoachInfo(*r) for r in rows]


@authz.write(authz.SELF)
def choose_coach(con, actor: StaffMember, coach_id: int) -> None:
    """The teacher picks their own coach from their school's coaches."""
    me, staff_id = actor, actor.id
    if coach_id not in {c.id for c in coaches(con, me.school)}:
        raise ValidationError("Pick one of your school's coaches from the list.")
    with db.transaction(con) as cur:
        _assign(cur, staff_id, coach_id, "chosen", staff_id)


@authz.write(authz.SELF)
def leave_to_coaches(con, actor: StaffMember) -> None:
    """The teacher has no preference: drop any coach, so the coaches can claim their plan."""
    staff_id = actor.id
    with db.transaction(con) as cur:
        had = cur.execute(
            "DELETE FROM coach_assignments WHERE staff_id = ? RETURNING coach_id", [staff_id]
        ).fetchone()
        if had:
            db.audit(cur, staff_id, "coach.release", "staff", staff_id, f'{{"coach_id": {had[0]}}}')


@authz.write(authz.for_person("staff_id", roles=(Role.COACH,), self_ok=False))
def claim(con, actor: StaffMember, staff_id: int) -> None:
    """A coach takes on a teacher who has no coach yet (exact: two coaches cannot both claim)."""
    coach, coach_id = actor, actor.id
    if coach.role != Role.COACH:
        raise PermissionDenied("Only coaches can claim a teacher.")
    with db.transaction(con) as cur:
        row = cur.execute(
            "SELECT s.name, s.school, s.active, c.name FROM staff s "
            "LEFT JOIN coach_assignments a ON a.staff_id = s.id "
            "LEFT JOIN staff c ON c.id = a.coach_id WHERE s.id = ?",
            [staff_id],
        ).fetchone()
        if row is None or not row[2]:
            raise ValidationError("That person is not on the active roster.")
        name, school, _active, current = row
        if current:
            raise ValidationError(f"{name} already has a coach ({current}).")
        if school != coach.school:
            raise PermissionDenied(f"{name} is in another school; their coaches can claim them.")
        _assign(cur, staff_id, coach_id, "claimed", coach_id)


_STOP = {
    "and", "the", "for", "with", "every", "from", "into", "their", "new", "plans", "plan",
    "room", "tech", "grow", "learning", "students", "student", "level", "using", "classroom", "practice", "teachers", "teaching",
}  # fmt: skip


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", (text or "").lower()) if len(w) >= 4} - _STOP


def focus_match(coach_focus: str, text: str) -> list[str]:
    """Words a coach's focus statement shares with a plan's focus/topic/goals (sorted)."""
    return sorted(_words(coach_focus) & _words(text))


def unassigned_plans(con, coach_id: int) -> pd.DataFrame:
    """Plans of teachers in the coach's school without a coach, best match to their focus first.

    Columns: staff_id, name, email, department, focus, topic, goals, matches (shared words).
    """
    coach = active_person(con, coach_id)
    if coach.role not in (Role.COACH, Role.ADMIN):
        raise PermissionDenied("Only coaches and admins see unassigned growth plans.")
    from pdcore.growth import plans_frame

    frame = plans_frame(con, coach_id)
    frame = frame[frame["coach_id"].isna() & (frame["staff_id"] != coach_id)].copy()
    if coach.role == Role.COACH:
        cur = db.read(con)
        goal_text = dict(
            cur.execute(
                "SELECT p.staff_id, string_agg(g.goal || ' ' || g.measure, ' ') "
                "FROM growth_plans p JOIN growth_goals g ON g.plan_id = p.id GROUP BY p.staff_id"
            ).fetchall()
        )
        frame["matches"] = [
            ", ".join(focus_match(coach.coach_focus, f"{f} {t} {goal_text.get(s, '')}"))
            for s, f, t in zip(frame["staff_id"], frame["focus"], frame["topic"], strict=True)
        ]
    else:
        frame["matches"] = ""
    frame["_n"] = frame["matches"].str.len() > 0
    frame = frame.sort_values(["_n", "name"], ascending=[False, True])
    cols = ["staff_id", "name", "email", "department", "focus", "topic", "goals", "matches"]
    return frame[cols].reset_index(drop=True)


def caseload(con, coach_id: int) -> pd.DataFrame:
    """The coach's teachers: plan, coaching so far and last contact (session or follow-up).

    Columns: staff_id, name, email, department, how, focus, goals, sessions, minutes,
    last_contact, open_request.
    """
    active_person(con, coach_id)
    return (
        db.read(con)
        .execute(
            """
        SELECT s.id AS staff_id, s.name, s.email, s.department, a.how,
               coalesce(p.focus, '') AS focus,
               (SELECT count(*) FROM growth_goals g WHERE g.plan_id = p.id) AS goals,
               (SELECT count(*) FROM coaching_sessions cs WHERE cs.staff_id = s.id) AS sessions,
               (SELECT coalesce(sum(minutes), 0) FROM coaching_sessions cs
                 WHERE cs.staff_id = s.id) AS minutes,
               greatest(
                   (SELECT max(held_on) FROM coaching_sessions cs WHERE cs.staff_id = s.id),
                   (SELECT max(contacted_on) FROM coach_followups f WHERE f.staff_id = s.id)
               ) AS last_contact,
               EXISTS (SELECT 1 FROM help_requests h WHERE h.staff_id = s.id
                        AND h.kind = 'coach' AND h.status = 'open') AS open_request
        FROM coach_assignments a
        JOIN staff s ON s.id = a.staff_id AND s.active
        LEFT JOIN growth_plans p ON p.staff_id = s.id
             AND p.id = (SELECT max(id) FROM growth_plans q WHERE q.staff_id = s.id)
        WHERE a.coach_id = ?
        ORDER BY last_contact NULLS FIRST, s.name
        """,
            [coach_id],
        )
        .df()
    )


# ---- one-on-one coaching ---------------------------------------------------------------------


@authz.write(authz.SELF)
def request_coaching(
    con, actor: StaffMember, topic_id: int | None = None, slot_ids=(), note: str = ""
) -> int:
    """Ask for one-on-one coaching (a topic, the slots that suit, a note); returns the request id.

    One open request at a time: asking again updates the open one.
    """
    staff_id = actor.id
    note = clean_text(note, "Your note", MAX_REQUEST_NOTE)
    slot_ids = sorted(set(slot_ids))
    if topic_id is None and not note:
        raise ValidationError("Pick a topic or write a line about what you would like help with.")
    with db.transaction(con) as cur:
        if (
            topic_id is not None
            and not cur.execute("SELECT 1 FROM topics WHERE id = ?", [topic_id]).fetchone()
        ):
            raise ValidationError("That topic no longer exists; pick another.")
        known = {r[0] for r in cur.execute("SELECT id FROM meeting_slots").fetchall()}
        if set(slot_ids) - known:
            raise ValidationError("Pick the slots from the list shown.")
        row = cur.execute(
            "SELECT id FROM help_requests WHERE staff_id = ? AND kind = 'coach' AND status = 'open'",
            [staff_id],
        ).fetchone()
        if row:
            rid = row[0]
            cur.execute(
                "UPDATE help_requests SET topic_id = ?, note = ? WHERE id = ?",
                [topic_id, note, rid],
            )
            cur.execute("DELETE FROM coaching_request_slots WHERE request_id = ?", [rid])
        else:
            rid = cur.execute(
                "INSERT INTO help_requests (staff_id, kind, topic_id, note) "
                "VALUES (?, 'coach', ?, ?) RETURNING id",
                [staff_id, topic_id, note],
            ).fetchone()[0]
        for slot in slot_ids:
            cur.execute(
                "INSERT INTO coaching_request_slots (request_id, slot_id) VALUES (?, ?)",
                [rid, slot],
            )
        db.audit(cur, staff_id, "coach.request", "help_request", rid)
    return rid


_REQUESTS_SQL = """
    SELECT h.id AS request_id, h.staff_id, s.name, s.email, s.department,
           coalesce(t.name, '') AS topic, h.note,
           coalesce(string_agg(ms.label, ', ' ORDER BY ms.sort_order), '') AS preferred_slots,
           h.created_at::DATE AS asked_on, h.status, coalesce(c.name, '') AS coach
    FROM help_requests h
    JOIN staff s ON s.id = h.staff_id
    LEFT JOIN topics t ON t.id = h.topic_id
    LEFT JOIN coaching_request_slots rs ON rs.request_id = h.id
    LEFT JOIN meeting_slots ms ON ms.id = rs.slot_id
    LEFT JOIN coach_assignments a ON a.staff_id = h.staff_id
    LEFT JOIN staff c ON c.id = a.coach_id
    WHERE h.kind = 'coach'
"""
_REQUESTS_GROUP = (
    " GROUP BY h.id, h.staff_id, s.name, s.email, s.department, t.name, h.note, h.created_at,"
    " h.status, c.name"
)


def my_requests(con, staff_id: int) -> pd.DataFrame:
    """This person's coaching requests, newest first."""
    return (
        db.read(con)
        .execute(
            _REQUESTS_SQL + " AND h.staff_id = ?" + _REQUESTS_GROUP + " ORDER BY request_id DESC",
            [staff_id],
        )
        .df()
    )


def open_requests(con, viewer_id: int) -> pd.DataFrame:
    """Open one-on-one requests a coach may act on (caseload and unassigned), or all of their
    school's for admins (every school's for a district admin)."""
    viewer = active_person(con, viewer_id)
    if viewer.role not in (Role.COACH, Role.ADMIN):
        raise PermissionDenied("Only coaches and admins see coaching requests.")
    sql = _REQUESTS_SQL + " AND h.status = 'open'"
    params: list = []
    if viewer.role == Role.COACH:
        sql += " AND (a.coach_id = ? OR (a.coach_id IS NULL AND s.school = ?))"
        params += [viewer_id, viewer.school]
    elif viewer.school:
        sql += " AND s.school = ?"
        params.append(viewer.school)
    return db.read(con).execute(sql + _REQUESTS_GROUP + " ORDER BY request_id", params).df()


@authz.write(authz.for_person("staff_id", roles=(Role.COACH,), self_ok=False))
def log_session(
    con,
    actor: StaffMember,
    staff_id: int,
    held_on: date,
    minutes: int,
    focus: str = "",
    next_step: str = "",
    today: date | None = None,
) -> int:
    """A coach logs a one-on-one session that took place; returns its id.

    The teacher must be on the coach's caseload (or have no coach yet). Their open coaching
    requests are marked done: the session answers them.
    """
    today = today or clock.today()
    coach, coach_id = actor, actor.id
    if coach.role != Role.COACH:
        raise PermissionDenied("Only coaches log one-on-one coaching sessions.")
    if staff_id == coach_id:
        raise ValidationError("Pick the teacher you coached.")
    require_view(con, coach_id, staff_id)
    held_on = check_in_school_year(con, held_on, "a coaching session")
    if held_on > today:
        raise ValidationError("Log a session after it takes place (that date is in the future).")
    minutes = check_minutes(minutes, "The session")
    focus = clean_text(focus, "The focus", MAX_FOCUS, required=True)
    next_step = clean_text(next_step, "The next step", MAX_NEXT_STEP)
    with db.transaction(con) as cur:
        sid = cur.execute(
            "INSERT INTO coaching_sessions (coach_id, staff_id, held_on, minutes, focus, next_step) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [coach_id, staff_id, held_on, minutes, focus, next_step],
        ).fetchone()[0]
        cur.execute(
            "UPDATE help_requests SET status = 'done', resolved_at = current_localtimestamp(), "
            "resolved_by = ? WHERE staff_id = ? AND kind = 'coach' AND status = 'open'",
            [coach_id, staff_id],
        )
        db.audit(
            cur, coach_id, "coach.session", "staff", staff_id, f'{{"session_id": {sid}}}',
            subject_id=staff_id,
        )  # fmt: skip
    return sid


def sessions_for(con, viewer_id: int, staff_id: int) -> pd.DataFrame:
    """One-on-one sessions this person has had, newest first (private like their plan).

    Columns: held_on, coach, minutes, and for the teacher and the coaches involved (see
    growth.sees_coaching_notes) also focus and next_step: admins see the activity only.
    """
    require_view(con, viewer_id, staff_id)
    notes = sees_coaching_notes(con, active_person(con, viewer_id), staff_id)
    return (
        db.read(con)
        .execute(
            "SELECT cs.held_on, c.name AS coach, cs.minutes"
            + (", cs.focus, cs.next_step" if notes else "")
            + " FROM coaching_sessions cs JOIN staff c ON c.id = cs.coach_id "
            "WHERE cs.staff_id = ? ORDER BY cs.held_on DESC, cs.id DESC",
            [staff_id],
        )
        .df()
    )


# ---- PLC notes -------------------------------------------------------------------------------


@authz.write(authz.COACH)
def add_plc_note(con, actor: StaffMember, met_on: date, notes: str, needs: str = "") -> int:
    """A coach records a PLC meeting they led, with the school-wide needs (one per line)."""
    coach, coach_id = actor, actor.id
    if coach.role != Role.COACH:
        raise PermissionDenied("PLC notes are kept by the coaches who lead the PLCs.")
    met_on = check_in_school_year(con, met_on, "a PLC meeting")
    notes = clean_text(notes, "The notes", MAX_PLC_NOTES)
    lines = [clean_text(n, "A need", MAX_FOCUS) for n in (needs or "").splitlines()]
    needs = "\n".join(n for n in lines if n)
    if len(needs) > MAX_NEEDS:
        raise ValidationError(f"The needs are too long; please keep them under {MAX_NEEDS:,}.")
    if not notes and not needs:
        raise ValidationError("Write the meeting's notes or at least one need.")
    with db.transaction(con) as cur:
        nid = cur.execute(
            "INSERT INTO plc_notes (coach_id, met_on, notes, needs) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            [coach_id, met_on, notes, needs],
        ).fetchone()[0]
        db.audit(cur, coach_id, "plc.note", "plc_note", nid)
    return nid


def plc_notes(con) -> pd.DataFrame:
    """Every PLC note, newest first: met_on, coach, notes, needs."""
    return (
        db.read(con)
        .execute(
            "SELECT n.met_on, c.name AS coach, n.notes, n.needs FROM plc_notes n "
            "JOIN staff c ON c.id = n.coach_id ORDER BY n.met_on DESC, n.id DESC"
        )
        .df()
    )


def plc_needs(con) -> pd.DataFrame:
    """School-wide needs named in PLC notes: need, mentions, last_raised (most mentioned first).

    Needs compare ignoring case and surrounding spaces; the first spelling is shown.
    """
    rows = db.read(con).execute("SELECT met_on, needs FROM plc_notes ORDER BY met_on").fetchall()
    found: dict[str, list] = {}
    for met_on, needs in rows:
        for line in needs.splitlines():
            need = line.strip().lstrip("-*• ").strip()
            if not need:
                continue
            entry = found.setdefault(need.lower(), [need, 0, met_on])
            entry[1] += 1
            entry[2] = max(entry[2], met_on)
    frame = pd.DataFrame(list(found.values()), columns=["need", "mentions", "last_raised"])
    return frame.sort_values(["mentions", "last_raised"], ascending=[False, False]).reset_index(
        drop=True
    )


# ---- coverage for admins ---------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    teachers: int
    with_plan: int
    with_coach: int
    met_this_month: int

    def share(self, part: int) -> float:
        return part / self.teachers if self.teachers else 0.0


def coverage_frame(con, viewer_id: int, today: date | None = None) -> pd.DataFrame:
    """One row per active teacher of the admin's school (every school for a district admin):
    has_plan, has_coach, coach, met_this_month (admins only)."""
    viewer = active_person(con, viewer_id)
    if viewer.role != Role.ADMIN:
        raise PermissionDenied("Coaching coverage is for admins.")
    from pdcore import settings
    from pdcore.growth import school_year_label

    today = today or clock.today()
    month_start = today.replace(day=1)
    year = school_year_label(settings.load(con))
    return (
        db.read(con)
        .execute(
            """
        SELECT s.id AS staff_id, s.name, s.email, s.department,
               p.id IS NOT NULL AS has_plan,
               a.coach_id IS NOT NULL AS has_coach,
               coalesce(c.name, '') AS coach,
               EXISTS (SELECT 1 FROM coaching_sessions cs
                        WHERE cs.staff_id = s.id AND cs.coach_id = a.coach_id
                          AND cs.held_on >= ? AND cs.held_on <= ?) AS met_this_month
        FROM staff s
        LEFT JOIN growth_plans p ON p.staff_id = s.id AND p.school_year = ?
        LEFT JOIN coach_assignments a ON a.staff_id = s.id
        LEFT JOIN staff c ON c.id = a.coach_id
        WHERE s.active AND s.role = 'teacher' AND (? IS NULL OR s.school = ?)
        ORDER BY s.department, s.name
        """,
            [month_start, today, year, authz.scope(viewer), authz.scope(viewer)],
        )
        .df()
    )


def coverage(con, viewer_id: int, today: date | None = None) -> Coverage:
    """Teachers with a plan, with a coach, and who met their coach this month (admins only)."""
    frame = coverage_frame(con, viewer_id, today)
    return Coverage(
        len(frame),
        int(frame["has_plan"].sum()),
        int(frame["has_coach"].sum()),
        int(frame["met_this_month"].sum()),
    )
