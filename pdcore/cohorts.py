"""Cohorts and memberships: create, join (exact under concurrency), and who is in what.

A person is in at most one active cohort (an individual project counts as one). Memberships
are never deleted: leaving sets left_at and a reason, so history stays.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pdcore import db, settings
from pdcore.model import ValidationError


class CohortFull(ValidationError):
    """The cohort has no open seat (someone may just have taken the last one)."""


class AlreadyInCohort(ValidationError):
    """The person is already in an active cohort or individual project."""


@dataclass(frozen=True)
class CohortInfo:
    id: int
    name: str
    topic_id: int
    topic: str
    kind: str  # 'cohort' | 'individual' | 'expert'
    slot_id: int | None
    slot_label: str
    school: str
    status: str
    parent_id: int | None
    member_ids: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.member_ids)


_COHORT_SQL = """
    SELECT c.id, c.name, c.topic_id, t.name, c.kind, c.slot_id, coalesce(s.label, ''),
           c.school, c.status, c.parent_id,
           coalesce(list(m.staff_id ORDER BY m.joined_at, m.staff_id)
                    FILTER (WHERE m.staff_id IS NOT NULL), [])
    FROM cohorts c
    JOIN topics t ON t.id = c.topic_id
    LEFT JOIN meeting_slots s ON s.id = c.slot_id
    LEFT JOIN memberships m ON m.cohort_id = c.id AND m.left_at IS NULL
"""


def _info(row) -> CohortInfo:
    return CohortInfo(*row[:10], member_ids=tuple(row[10]))


def get(con, cohort_id: int) -> CohortInfo | None:
    """One cohort with its current members."""
    row = db.read(con).execute(_COHORT_SQL + " WHERE c.id = ? GROUP BY ALL", [cohort_id]).fetchone()
    return _info(row) if row else None


def active_cohorts(con, school: str | None = None, topic_id: int | None = None) -> list[CohortInfo]:
    """Active cohorts (and individual projects) with their current members."""
    sql = _COHORT_SQL + " WHERE c.status = 'active'"
    params: list = []
    if school is not None:
        sql += " AND c.school = ?"
        params.append(school)
    if topic_id is not None:
        sql += " AND c.topic_id = ?"
        params.append(topic_id)
    rows = db.read(con).execute(sql + " GROUP BY ALL ORDER BY c.id", params).fetchall()
    return [_info(r) for r in rows]


def current_cohort(con, staff_id: int) -> CohortInfo | None:
    """The active cohort or individual project this person is in now, or None."""
    row = (
        db.read(con)
        .execute(
            "SELECT m.cohort_id FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
            "WHERE m.staff_id = ? AND m.left_at IS NULL AND c.status = 'active' "
            "ORDER BY m.joined_at DESC LIMIT 1",
            [staff_id],
        )
        .fetchone()
    )
    return get(con, row[0]) if row else None


def create_cohort(
    cur,
    *,
    topic_id: int,
    name: str,
    slot_id: int | None,
    school: str,
    created_by: int | None,
    kind: str = "cohort",
    parent_id: int | None = None,
) -> int:
    """Insert a cohort inside the caller's transaction; returns its id."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the cohort a name.")
    if len(name) > 80:
        raise ValidationError("Keep the cohort name under 80 characters.")
    cohort_id = cur.execute(
        "INSERT INTO cohorts (topic_id, name, kind, slot_id, school, created_by, parent_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [topic_id, name, kind, slot_id, school, created_by, parent_id],
    ).fetchone()[0]
    db.audit(cur, created_by, "cohort.create", "cohort", cohort_id)
    return cohort_id


def add_member(cur, cohort_id: int, staff_id: int, how: str = "joined") -> None:
    """Add a person to a cohort inside the caller's transaction (which holds the write lock).

    Refuses with AlreadyInCohort when they are in another active cohort, and CohortFull when
    the cohort is at the school's maximum (an individual project holds exactly one person).
    """
    cohort = cur.execute(
        "SELECT kind, status, (SELECT count(*) FROM memberships "
        "  WHERE cohort_id = c.id AND left_at IS NULL) FROM cohorts c WHERE id = ?",
        [cohort_id],
    ).fetchone()
    if cohort is None or cohort[1] != "active":
        raise ValidationError("That cohort is no longer running.")
    kind, _status, size = cohort
    existing = cur.execute(
        "SELECT c.name FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
        "WHERE m.staff_id = ? AND m.left_at IS NULL AND c.status = 'active'",
        [staff_id],
    ).fetchone()
    if existing:
        raise AlreadyInCohort(
            f"You are already in {existing[0]}. Leave it first to join another cohort."
        )
    capacity = 1 if kind == "individual" else _max_size(cur)
    if size >= capacity:
        raise CohortFull("This cohort just filled up. Here are other cohorts with open seats.")
    cur.execute(
        "INSERT INTO memberships (cohort_id, staff_id, how) VALUES (?, ?, ?)",
        [cohort_id, staff_id, how],
    )
    db.audit(cur, staff_id, f"cohort.{how}", "cohort", cohort_id)


def _max_size(cur) -> int:
    row = cur.execute("SELECT value FROM settings WHERE key = 'max_size'").fetchone()
    return int(row[0]) if row else settings.Settings.max_size


def join(con, staff_id: int, cohort_id: int, actor_id: int | None = None) -> None:
    """Join a cohort with an open seat, in one transaction (exact under concurrent joins)."""
    with db.transaction(con) as cur:
        add_member(cur, cohort_id, staff_id, "joined" if actor_id in (None, staff_id) else "placed")


def cohort_frame(con) -> pd.DataFrame:
    """One row per current member of an active cohort: the `export cohorts` table."""
    return (
        db.read(con)
        .execute(
            """
        SELECT c.id AS cohort_id, c.name AS cohort_name, t.name AS topic,
               coalesce(s.label, '') AS meeting_slot, p.email, p.name
        FROM cohorts c
        JOIN topics t ON t.id = c.topic_id
        LEFT JOIN meeting_slots s ON s.id = c.slot_id
        JOIN memberships m ON m.cohort_id = c.id AND m.left_at IS NULL
        JOIN staff p ON p.id = m.staff_id
        WHERE c.status = 'active'
        ORDER BY c.id, p.name
        """
        )
        .df()
    )
