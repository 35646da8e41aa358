"""Notices: what happened to a person that they should hear about, shown on Home.

Placed in a cohort by an admin or coach, asked to move to a new cohort, the outcome of a
split someone proposed: each leaves a notice for the person until they dismiss it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pdcore import authz, db
from pdcore.model import PermissionDenied


@dataclass(frozen=True)
class Notice:
    id: int
    text: str
    created_at: datetime


def notify(cur, staff_id: int, text: str) -> None:
    """Leave a notice for `staff_id` (inside the caller's transaction)."""
    cur.execute("INSERT INTO notices (staff_id, text) VALUES (?, ?)", [staff_id, text])


def unread(con, staff_id: int) -> list[Notice]:
    """This person's notices they have not dismissed, newest first."""
    rows = (
        db.read(con)
        .execute(
            "SELECT id, text, created_at FROM notices WHERE staff_id = ? AND dismissed_at IS NULL "
            "ORDER BY created_at DESC, id DESC",
            [staff_id],
        )
        .fetchall()
    )
    return [Notice(*r) for r in rows]


@authz.write(authz.SELF)
def dismiss(con, actor, notice_id: int) -> None:
    """The person has read their notice: it leaves Home (it stays in the database)."""
    with db.transaction(con) as cur:
        row = cur.execute("SELECT staff_id FROM notices WHERE id = ?", [notice_id]).fetchone()
        if row is None or row[0] != actor.id:
            raise PermissionDenied("That notice is someone else's.")
        cur.execute(
            "UPDATE notices SET dismissed_at = current_localtimestamp() WHERE id = ?", [notice_id]
        )
