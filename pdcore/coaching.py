"""Coaching relationships: which coach supports which teacher.

A teacher chooses a coach, a coach claims a teacher by need, or an admin assigns one.
"""

from __future__ import annotations

from pdcore import db
from pdcore.model import ValidationError


def assign(con, staff_id: int, coach_id: int, how: str, actor_id: int | None) -> None:
    """Make `coach_id` the coach of `staff_id` (replacing any earlier coach)."""
    if how not in ("chosen", "claimed", "assigned"):
        raise ValidationError(f"Unknown way to assign a coach: {how!r}.")
    with db.transaction(con) as cur:
        role = cur.execute("SELECT role FROM staff WHERE id = ? AND active", [coach_id]).fetchone()
        if not role or role[0] != "coach":
            raise ValidationError("That person is not one of the school's coaches.")
        cur.execute(
            "INSERT OR REPLACE INTO coach_assignments (staff_id, coach_id, how, assigned_at) "
            "VALUES (?, ?, ?, current_localtimestamp())",
            [staff_id, coach_id, how],
        )
        db.audit(cur, actor_id, f"coach.{how}", "staff", staff_id, f'{{"coach_id": {coach_id}}}')


def coach_of(con, staff_id: int) -> int | None:
    """The id of this teacher's coach, or None."""
    row = (
        db.read(con)
        .execute("SELECT coach_id FROM coach_assignments WHERE staff_id = ?", [staff_id])
        .fetchone()
    )
    return row[0] if row else None
