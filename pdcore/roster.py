"""Staff: who is on the roster, their role, and the school's meeting slots."""

from __future__ import annotations

from pdcore import db
from pdcore.model import Role, Slot, StaffMember

_STAFF_COLUMNS = "id, email, name, department, role, school, active, coach_focus"


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and trimmed."""
    return (email or "").strip().lower()


def _member(row) -> StaffMember:
    id_, email, name, dept, role, school, active, focus = row
    return StaffMember(id_, email, name, dept, Role(role), school, active, focus)


def by_email(con, email: str) -> StaffMember | None:
    """The roster entry for this address (any case), or None."""
    row = (
        db.read(con)
        .execute(f"SELECT {_STAFF_COLUMNS} FROM staff WHERE email = ?", [normalize_email(email)])
        .fetchone()
    )
    return _member(row) if row else None


def by_id(con, staff_id: int) -> StaffMember | None:
    row = (
        db.read(con)
        .execute(f"SELECT {_STAFF_COLUMNS} FROM staff WHERE id = ?", [staff_id])
        .fetchone()
    )
    return _member(row) if row else None


def active_staff(con, role: Role | None = None, school: str | None = None) -> list[StaffMember]:
    """Active staff, by name; only one role, or one school, when given."""
    sql = f"SELECT {_STAFF_COLUMNS} FROM staff WHERE active"
    params: list = []
    if role:
        sql += " AND role = ?"
        params.append(str(role))
    if school is not None:
        sql += " AND school = ?"
        params.append(school)
    rows = db.read(con).execute(sql + " ORDER BY name", params).fetchall()
    return [_member(r) for r in rows]


def staff_count(con) -> int:
    return db.read(con).execute("SELECT count(*) FROM staff").fetchone()[0]


def slots(con) -> list[Slot]:
    """The school's meeting slots, in the school's order."""
    rows = (
        db.read(con)
        .execute("SELECT id, label, in_school_day FROM meeting_slots ORDER BY sort_order, id")
        .fetchall()
    )
    return [Slot(*r) for r in rows]


def slot_choices(con) -> dict[int, str]:
    """Slot id -> label for pickers, marking the slots that fall in the school day."""
    return {s.id: s.label + (" (school day)" if s.in_school_day else "") for s in slots(con)}


def slot_key(label: str) -> str:
    """Slot labels compare ignoring case and spaces."""
    return "".join((label or "").lower().split())


def ensure_default_slots(cur) -> None:
    """Give a new school the default meeting slots (inside the caller's transaction)."""
    from pdcore.settings import DEFAULT_SLOTS

    if cur.execute("SELECT count(*) FROM meeting_slots").fetchone()[0]:
        return
    for order, (label, in_day) in enumerate(DEFAULT_SLOTS, start=1):
        cur.execute(
            "INSERT INTO meeting_slots (id, label, in_school_day, sort_order) VALUES (?, ?, ?, ?)",
            [order, label, in_day, order],
        )
