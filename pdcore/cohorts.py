"""Cohorts and memberships: create, join (exact under concurrency), and who is in what.

A person is in at most one active cohort (an individual project counts as one). Memberships
are never deleted: leaving sets left_at and a reason, so history stays. Starting a cohort or
an individual project, leaving and splitting each happen in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pdcore import db, seasons, settings
from pdcore.model import PermissionDenied, ValidationError


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
        "INSERT INTO cohorts (topic_id, name, kind, slot_id, school, created_by, parent_id, "
        "season_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [topic_id, name, kind, slot_id, school, created_by, parent_id, seasons.current_id(cur)],
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
    # Someone who is now in a group no longer needs to be placed: close their private ask.
    cur.execute(
        "UPDATE help_requests SET status = 'done', resolved_at = current_localtimestamp() "
        "WHERE staff_id = ? AND kind = 'place_me' AND status = 'open'",
        [staff_id],
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


# ------------------------------------------------------------------ a cohort's own life

NAME_MAX = 80
GOAL_MAX = 500
REASON_MAX = 200


def clean_text(value: str | None, what: str, max_len: int, required: bool = True) -> str:
    """Trimmed text, or a ValidationError that says what to change (empty or too long)."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(f"Please write {what}.")
    if len(text) > max_len:
        raise ValidationError(
            f"Please shorten {what} to {max_len} characters (it has {len(text)})."
        )
    return text


def is_member(cur, cohort_id: int, staff_id: int) -> bool:
    """True when the person is a current member of the cohort."""
    return bool(
        cur.execute(
            "SELECT count(*) FROM memberships WHERE cohort_id = ? AND staff_id = ? "
            "AND left_at IS NULL",
            [cohort_id, staff_id],
        ).fetchone()[0]
    )


def require_member(cur, cohort_id: int, staff_id: int | None) -> None:
    """The member-only check behind every cohort write: PermissionDenied for anyone else."""
    if staff_id is None or not is_member(cur, cohort_id, staff_id):
        raise PermissionDenied(
            "Only the cohort's current members can change its records. "
            "Join the cohort first, or open your own cohort from My cohort."
        )


def check_slot(cur, slot_id: int | None, required: bool = True) -> int | None:
    """The slot id when it is one of the school's meeting slots; a ValidationError if not."""
    if slot_id is None:
        if required:
            raise ValidationError("Pick a meeting slot from the school's list.")
        return None
    found = cur.execute("SELECT count(*) FROM meeting_slots WHERE id = ?", [slot_id]).fetchone()
    if not found[0]:
        raise ValidationError("That meeting slot is not in the school's list; pick one from it.")
    return int(slot_id)


def add_goal(cur, cohort_id: int, text: str, author_id: int | None) -> int:
    """Add the next version of a cohort's goal (inside the caller's transaction); returns it.

    Every version is kept, so the cohort can see how its goal narrowed over the season.
    """
    text = clean_text(text, "the goal", GOAL_MAX)
    version = cur.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM goals WHERE cohort_id = ?", [cohort_id]
    ).fetchone()[0]
    cur.execute(
        "INSERT INTO goals (cohort_id, version, text, author_id) VALUES (?, ?, ?, ?)",
        [cohort_id, version, text, author_id],
    )
    db.audit(cur, author_id, "goal.revise", "cohort", cohort_id, f'{{"version": {version}}}')
    return version


def _staff_school(cur, staff_id: int) -> str:
    row = cur.execute("SELECT school FROM staff WHERE id = ? AND active", [staff_id]).fetchone()
    if row is None:
        raise ValidationError("You are not on the school's active roster.")
    return row[0]


def _check_topic(cur, topic_id: int | None) -> str:
    if topic_id is None:
        raise ValidationError("Pick a topic first.")
    row = cur.execute(
        "SELECT name, status, merged_into FROM topics WHERE id = ?", [topic_id]
    ).fetchone()
    if row is None:
        raise ValidationError("That topic does not exist; pick one from the list.")
    if row[1] == "retired" or row[2] is not None:
        raise ValidationError(f"{row[0]} is no longer offered; pick another topic.")
    return row[0]


def start_cohort(
    con,
    staff_id: int,
    *,
    topic_id: int,
    name: str,
    slot_id: int | None,
    goal: str,
) -> int:
    """Start a new cohort others can find: name, meeting slot and first goal, in one
    transaction, with the starter as its first member. Returns the new cohort's id."""
    name = clean_text(name, "a name for the cohort", NAME_MAX)
    goal = clean_text(goal, "a first goal", GOAL_MAX)
    with db.transaction(con) as cur:
        _check_topic(cur, topic_id)
        slot_id = check_slot(cur, slot_id)
        school = _staff_school(cur, staff_id)
        cohort_id = create_cohort(
            cur, topic_id=topic_id, name=name, slot_id=slot_id, school=school, created_by=staff_id
        )
        add_member(cur, cohort_id, staff_id, "started")
        add_goal(cur, cohort_id, goal, staff_id)
    return cohort_id


def start_individual(
    con, staff_id: int, *, topic_id: int, goal: str, slot_id: int | None = None
) -> int:
    """Start an individual project on a topic with its own goal (same meeting and reflection
    log as a cohort, one person). Returns its id."""
    goal = clean_text(goal, "a goal for your project", GOAL_MAX)
    with db.transaction(con) as cur:
        topic = _check_topic(cur, topic_id)
        slot_id = check_slot(cur, slot_id, required=False)
        school = _staff_school(cur, staff_id)
        cohort_id = create_cohort(
            cur,
            topic_id=topic_id,
            name=f"Individual project: {topic}"[:NAME_MAX],
            slot_id=slot_id,
            school=school,
            created_by=staff_id,
            kind="individual",
        )
        add_member(cur, cohort_id, staff_id, "started")
        add_goal(cur, cohort_id, goal, staff_id)
    return cohort_id


def _end_membership(cur, cohort_id: int, staff_id: int, reason: str) -> None:
    cur.execute(
        "UPDATE memberships SET left_at = current_localtimestamp(), left_reason = ? "
        "WHERE cohort_id = ? AND staff_id = ? AND left_at IS NULL",
        [reason, cohort_id, staff_id],
    )


def _close_if_empty(cur, cohort_id: int, actor_id: int | None) -> bool:
    left = cur.execute(
        "SELECT count(*) FROM memberships WHERE cohort_id = ? AND left_at IS NULL", [cohort_id]
    ).fetchone()[0]
    if left:
        return False
    # An empty cohort stops being offered; its goals, meetings and reflections stay.
    cur.execute("UPDATE cohorts SET status = 'closed' WHERE id = ?", [cohort_id])
    db.audit(cur, actor_id, "cohort.close", "cohort", cohort_id)
    return True


def leave(con, staff_id: int, cohort_id: int, reason: str = "") -> None:
    """Leave a cohort with an optional reason. The membership ends (never deleted); a cohort
    nobody is left in is closed, keeping its history."""
    reason = clean_text(reason, "the reason", REASON_MAX, required=False)
    with db.transaction(con) as cur:
        require_member(cur, cohort_id, staff_id)
        _end_membership(cur, cohort_id, staff_id, reason)
        db.audit(cur, staff_id, "cohort.leave", "cohort", cohort_id)
        _close_if_empty(cur, cohort_id, staff_id)


SPLIT_REASON = "split into a new cohort"


def split(
    con,
    actor_id: int,
    cohort_id: int,
    mover_ids,
    *,
    name: str,
    slot_id: int | None = None,
) -> int:
    """A member moves chosen members (possibly themselves) into a new cohort of the same topic.

    The new cohort records its parent and starts from the parent's current goal; the movers'
    old memberships end with a reason and new ones start with how='split', so both cohorts
    keep their history. Each side keeps at least one person. Returns the new cohort's id.
    """
    name = clean_text(name, "a name for the new cohort", NAME_MAX)
    movers = sorted(set(int(m) for m in mover_ids))
    if not movers:
        raise ValidationError("Choose who moves to the new cohort.")
    with db.transaction(con) as cur:
        require_member(cur, cohort_id, actor_id)
        parent = cur.execute(
            "SELECT topic_id, slot_id, school, kind FROM cohorts WHERE id = ?", [cohort_id]
        ).fetchone()
        topic_id, parent_slot, school, kind = parent
        if kind != "cohort":
            raise ValidationError("Only a cohort can be split, not an individual project.")
        current = {
            r[0]
            for r in cur.execute(
                "SELECT staff_id FROM memberships WHERE cohort_id = ? AND left_at IS NULL",
                [cohort_id],
            ).fetchall()
        }
        strangers = [m for m in movers if m not in current]
        if strangers:
            raise ValidationError("Only current members of this cohort can move to the new one.")
        if len(movers) == len(current):
            raise ValidationError(
                "Someone has to stay: leave at least one member in this cohort, or rename it."
            )
        slot_id = check_slot(cur, slot_id if slot_id is not None else parent_slot, required=False)
        new_id = create_cohort(
            cur,
            topic_id=topic_id,
            name=name,
            slot_id=slot_id,
            school=school,
            created_by=actor_id,
            parent_id=cohort_id,
        )
        for m in movers:
            _end_membership(cur, cohort_id, m, SPLIT_REASON)
            add_member(cur, new_id, m, "split")
        goal = cur.execute(
            "SELECT text FROM goals WHERE cohort_id = ? ORDER BY version DESC LIMIT 1",
            [cohort_id],
        ).fetchone()
        if goal:
            add_goal(cur, new_id, goal[0], actor_id)
        db.audit(cur, actor_id, "cohort.split", "cohort", cohort_id, f'{{"new": {new_id}}}')
    return new_id


def open_seats(con, cohort: CohortInfo) -> int:
    """Seats left in a cohort under the school's maximum (an individual project has none)."""
    if cohort.kind == "individual" or cohort.status != "active":
        return 0
    return max(0, settings.load(con).max_size - cohort.size)


@dataclass(frozen=True)
class Member:
    staff_id: int
    name: str
    email: str
    department: str
    how: str
    joined_at: object
    slots: tuple[str, ...]  # the meeting slots this person said they are free


def members(con, cohort_id: int) -> list[Member]:
    """A cohort's current members with the slots each is free, by name."""
    rows = (
        db.read(con)
        .execute(
            """
        SELECT p.id, p.name, p.email, p.department, m.how, m.joined_at,
               coalesce(list(s.label ORDER BY s.sort_order, s.id)
                        FILTER (WHERE s.label IS NOT NULL), [])
        FROM memberships m
        JOIN staff p ON p.id = m.staff_id
        LEFT JOIN availability a ON a.staff_id = p.id
        LEFT JOIN meeting_slots s ON s.id = a.slot_id
        WHERE m.cohort_id = ? AND m.left_at IS NULL
        GROUP BY ALL ORDER BY p.name
        """,
            [cohort_id],
        )
        .fetchall()
    )
    return [Member(*r[:6], slots=tuple(r[6])) for r in rows]


def membership_history(con, cohort_id: int) -> pd.DataFrame:
    """Everyone who was ever in the cohort: how they came, when, and why they left."""
    return (
        db.read(con)
        .execute(
            """
        SELECT p.name, m.how, m.joined_at, m.left_at, m.left_reason
        FROM memberships m JOIN staff p ON p.id = m.staff_id
        WHERE m.cohort_id = ? ORDER BY m.joined_at, p.name
        """,
            [cohort_id],
        )
        .df()
    )
