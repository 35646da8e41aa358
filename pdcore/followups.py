"""The coach follow-up log: who a coach contacted, what they noted, the next step, resolved.

Coaches and admins of the person's school log follow-ups. Coaching stays between coach and
teacher: the note and next step are read by the teacher and the coaches involved with them
(growth.sees_coaching_notes); admins see the activity (who, when, resolved), not the words.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from pdcore import authz, clock, db
from pdcore.growth import sees_coaching_notes
from pdcore.model import PermissionDenied, Role, StaffMember, ValidationError

NOTE_MAX = 2000


def _require_coach_or_admin(person: StaffMember) -> None:
    if person.role not in (Role.COACH, Role.ADMIN):
        raise PermissionDenied("Follow-ups are logged and read by coaches and admins only.")


@authz.write(authz.for_person("staff_id", self_ok=False))
def log(
    con,
    actor: StaffMember,
    staff_id: int,
    contacted_on: date,
    note: str = "",
    next_step: str = "",
    resolved: bool = False,
    today: date | None = None,
) -> int:
    """Record a contact with `staff_id` by `actor` (a coach or admin); returns its id.

    Marking it resolved closes the person's watchlist case until a new entry reopens it.
    """
    _require_coach_or_admin(actor)
    today = today or clock.today()
    note, next_step = (note or "").strip(), (next_step or "").strip()
    if contacted_on > today:
        raise ValidationError("The contact date is in the future; pick the day you talked.")
    if not note and not next_step and not resolved:
        raise ValidationError("Write a short note or a next step, or mark the case resolved.")
    if len(note) > NOTE_MAX or len(next_step) > NOTE_MAX:
        raise ValidationError(f"Keep the note and next step under {NOTE_MAX} characters each.")
    with db.transaction(con) as cur:
        found = cur.execute("SELECT active FROM staff WHERE id = ?", [staff_id]).fetchone()
        if not found:
            raise ValidationError("That person is not on the roster.")
        followup_id = cur.execute(
            "INSERT INTO coach_followups (staff_id, coach_id, contacted_on, note, next_step, "
            "resolved) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [staff_id, actor.id, contacted_on, note, next_step, resolved],
        ).fetchone()[0]
        db.audit(
            cur,
            actor.id,
            "followup.resolve" if resolved else "followup.log",
            "staff",
            staff_id,
            json.dumps({"followup_id": followup_id}),
            subject_id=staff_id,
        )
    return followup_id


def history(con, viewer: StaffMember, staff_id: int) -> pd.DataFrame:
    """Every follow-up about one person, newest first: contacted_on, coach, resolved, and
    for the teacher and the coaches involved with them also note and next_step (admins, and
    coaches who are not involved yet, see the activity only)."""
    if viewer.id != staff_id:
        _require_coach_or_admin(viewer)
        school = db.read(con).execute("SELECT school FROM staff WHERE id = ?", [staff_id])
        row = school.fetchone()
        if row is None or not authz.covers(viewer, row[0]):
            raise PermissionDenied("That person's follow-ups belong to their own school.")
    notes = sees_coaching_notes(con, viewer, staff_id)
    return (
        db.read(con)
        .execute(
            "SELECT f.contacted_on, c.name AS coach"
            + (", f.note, f.next_step" if notes else "")
            + """, f.resolved
        FROM coach_followups f LEFT JOIN staff c ON c.id = f.coach_id
        WHERE f.staff_id = ? ORDER BY f.contacted_on DESC, f.id DESC
        """,
            [staff_id],
        )
        .df()
    )
