"""Staff-development days: a day's options, one sign-up per person per day, and attendance.

A coach or an admin publishes a day's options (typically three), each led by a coach, a
teacher, a staff member or an outside expert, with a room and a capacity. Each person signs
up for one option per day and can change or cancel until the day comes: sign-ups close at
the start of the day itself (then the rooms are set). Capacity is exact under concurrent
sign-ups: the seat count and the insert happen in one transaction under the write lock.
Attendance is marked by coaches and admins on or after the day.

"I want to learn this from an expert" requests (help_requests kind 'expert') are collected
here and shown to whoever plans sessions, beside the survey's topic demand and the needs
coaches note in their PLC meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from pdcore import authz, clock, db, topics
from pdcore.growth import (
    MAX_REQUEST_NOTE,
    active_person,
    check_in_school_year,
    clean_text,
    long_date,
)
from pdcore.model import PermissionDenied, Role, StaffMember, ValidationError

LEADER_KINDS = ("coach", "teacher", "staff", "expert")
LEADER_LABELS = {
    "coach": "coach",
    "teacher": "teacher",
    "staff": "staff member",
    "expert": "outside expert",
}
LEADER_ARTICLES = {k: ("an " if v[0] in "aeiou" else "a ") + v for k, v in LEADER_LABELS.items()}
MAX_TITLE = 120
MAX_DESCRIPTION = 1000
MAX_NAME = 100
MAX_ROOM = 60
MAX_CAPACITY = 500


class SessionFull(ValidationError):
    """Every seat of the option is taken (someone may just have taken the last one)."""


class SignupClosed(ValidationError):
    """The day has come (or passed): sign-ups and changes are closed."""


@dataclass(frozen=True)
class Option:
    id: int
    day: date
    title: str
    description: str
    leader_name: str
    leader_kind: str
    room: str
    capacity: int
    topic_id: int | None
    topic: str
    taken: int
    attended: int

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def is_full(self) -> bool:
        return self.taken >= self.capacity

    def leader(self) -> str:
        """'Led by Maya Okafor (coach)' or 'Led by a staff member'."""
        if self.leader_name:
            return f"Led by {self.leader_name} ({LEADER_LABELS[self.leader_kind]})"
        return f"Led by {LEADER_ARTICLES[self.leader_kind]}"


def _planner(con, actor_id: int) -> StaffMember:
    person = active_person(con, actor_id)
    if person.role not in (Role.COACH, Role.ADMIN):
        raise PermissionDenied("Only coaches and admins plan staff-development sessions.")
    return person


def _clean_option(title, capacity, leader_kind, leader_name, room, description):
    title = clean_text(title, "The title", MAX_TITLE, required=True)
    if leader_kind not in LEADER_KINDS:
        raise ValidationError(f"Who leads it must be one of: {', '.join(LEADER_KINDS)}.")
    leader_name = clean_text(leader_name, "The leader's name", MAX_NAME)
    room = clean_text(room, "The room", MAX_ROOM)
    description = clean_text(description, "The description", MAX_DESCRIPTION)
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise ValidationError("Capacity must be a number of seats.") from None
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError(f"Capacity must be between 1 and {MAX_CAPACITY} seats.")
    return title, capacity, leader_kind, leader_name, room, description


@authz.write(authz.COACH)
def publish(
    con,
    actor: StaffMember,
    day: date,
    title: str,
    capacity: int,
    leader_kind: str = "coach",
    leader_name: str = "",
    room: str = "",
    description: str = "",
    topic_id: int | None = None,
    today: date | None = None,
) -> int:
    """Publish one option for a staff-development day (coaches and admins); returns its id."""
    actor_id = actor.id
    _planner(con, actor_id)
    today = today or clock.today()
    day = check_in_school_year(con, day, "a staff-development day")
    if day < today:
        raise ValidationError("That day has passed: publish options for today or a later day.")
    title, capacity, leader_kind, leader_name, room, description = _clean_option(
        title, capacity, leader_kind, leader_name, room, description
    )
    with db.transaction(con) as cur:
        if cur.execute(
            "SELECT 1 FROM sd_sessions WHERE day = ? AND lower(title) = lower(?)", [day, title]
        ).fetchone():
            raise ValidationError(f"{long_date(day)} already has an option called {title!r}.")
        sid = cur.execute(
            "INSERT INTO sd_sessions (day, title, description, leader_name, leader_kind, room, "
            "capacity, topic_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [day, title, description, leader_name, leader_kind, room, capacity, topic_id, actor_id],
        ).fetchone()[0]
        db.audit(cur, actor_id, "sessions.publish", "sd_session", sid)
    return sid


@authz.write(authz.COACH)
def edit(
    con,
    actor: StaffMember,
    session_id: int,
    title: str,
    capacity: int,
    leader_kind: str,
    leader_name: str = "",
    room: str = "",
    description: str = "",
    topic_id: int | None = None,
) -> None:
    """Change an option (coaches and admins); capacity may not drop below those signed up."""
    actor_id = actor.id
    _planner(con, actor_id)
    title, capacity, leader_kind, leader_name, room, description = _clean_option(
        title, capacity, leader_kind, leader_name, room, description
    )
    with db.transaction(con) as cur:
        row = cur.execute("SELECT day FROM sd_sessions WHERE id = ?", [session_id]).fetchone()
        if not row:
            raise ValidationError("That session no longer exists; reload the page.")
        taken = cur.execute(
            "SELECT count(*) FROM sd_signups WHERE session_id = ?", [session_id]
        ).fetchone()[0]
        if capacity < taken:
            raise ValidationError(
                f"{taken} people are already signed up, so capacity must be at least {taken}."
            )
        if cur.execute(
            "SELECT 1 FROM sd_sessions WHERE day = ? AND lower(title) = lower(?) AND id <> ?",
            [row[0], title, session_id],
        ).fetchone():
            raise ValidationError(f"That day already has another option called {title!r}.")
        cur.execute(
            "UPDATE sd_sessions SET title = ?, capacity = ?, leader_kind = ?, leader_name = ?, "
            "room = ?, description = ?, topic_id = ? WHERE id = ?",
            [title, capacity, leader_kind, leader_name, room, description, topic_id, session_id],
        )
        db.audit(cur, actor_id, "sessions.edit", "sd_session", session_id)


_OPTION_SQL = """
    SELECT o.id, o.day, o.title, o.description, o.leader_name, o.leader_kind, o.room, o.capacity,
           o.topic_id, coalesce(t.name, ''),
           count(s.staff_id) AS taken, count(s.staff_id) FILTER (WHERE s.attended) AS attended
    FROM sd_sessions o
    LEFT JOIN topics t ON t.id = o.topic_id
    LEFT JOIN sd_signups s ON s.session_id = o.id
"""
_OPTION_GROUP = (
    " GROUP BY o.id, o.day, o.title, o.description, o.leader_name, o.leader_kind, o.room,"
    " o.capacity, o.topic_id, t.name"
)


def options_for_day(con, day: date) -> list[Option]:
    """A day's options with seats taken, in the order they were published."""
    rows = (
        db.read(con)
        .execute(_OPTION_SQL + " WHERE o.day = ?" + _OPTION_GROUP + " ORDER BY o.id", [day])
        .fetchall()
    )
    return [Option(*r) for r in rows]


def option(con, session_id: int) -> Option | None:
    """One option with its seats taken."""
    row = (
        db.read(con)
        .execute(_OPTION_SQL + " WHERE o.id = ?" + _OPTION_GROUP, [session_id])
        .fetchone()
    )
    return Option(*row) if row else None


def session_days(con, since: date | None = None) -> list[date]:
    """Days with published options (from `since` on when given), earliest first."""
    rows = (
        db.read(con)
        .execute(
            "SELECT DISTINCT day FROM sd_sessions WHERE (? IS NULL OR day >= ?) ORDER BY day",
            [since, since],
        )
        .fetchall()
    )
    return [r[0] for r in rows]


def my_choice(con, staff_id: int, day: date) -> int | None:
    """The option this person signed up for on `day`, or None."""
    row = (
        db.read(con)
        .execute(
            "SELECT session_id FROM sd_signups WHERE staff_id = ? AND day = ?", [staff_id, day]
        )
        .fetchone()
    )
    return row[0] if row else None


@authz.write(authz.SELF)
def sign_up(con, actor: StaffMember, session_id: int, today: date | None = None) -> None:
    """Sign up for an option (replacing any other choice that day); exact under concurrency.

    Raises SessionFull when every seat is taken and SignupClosed once the day has come.
    """
    staff_id = actor.id
    today = today or clock.today()
    active_person(con, staff_id)
    with db.transaction(con) as cur:
        row = cur.execute(
            "SELECT day, title, capacity FROM sd_sessions WHERE id = ?", [session_id]
        ).fetchone()
        if not row:
            raise ValidationError("That session no longer exists; reload the page.")
        day, title, capacity = row
        if day <= today:
            raise SignupClosed(
                f"Sign-ups for {long_date(day)} are closed: they close when the day begins."
            )
        current = cur.execute(
            "SELECT session_id FROM sd_signups WHERE staff_id = ? AND day = ?", [staff_id, day]
        ).fetchone()
        if current and current[0] == session_id:
            return  # already there: nothing to do
        taken = cur.execute(
            "SELECT count(*) FROM sd_signups WHERE session_id = ?", [session_id]
        ).fetchone()[0]
        if taken >= capacity:
            raise SessionFull(
                f"{title} is full ({capacity} seats); pick another option"
                + (" (your current choice is kept)." if current else ".")
            )
        cur.execute(
            "INSERT INTO sd_signups (staff_id, day, session_id, signed_at, attended) "
            "VALUES (?, ?, ?, current_localtimestamp(), NULL) ON CONFLICT (staff_id, day) DO UPDATE"
            " SET session_id = excluded.session_id, signed_at = excluded.signed_at, attended = NULL",
            [staff_id, day, session_id],
        )
        action = "sessions.change" if current else "sessions.sign_up"
        db.audit(cur, staff_id, action, "sd_session", session_id)


@authz.write(authz.SELF)
def cancel(con, actor: StaffMember, day: date, today: date | None = None) -> None:
    """Withdraw your sign-up for `day` (until the day comes)."""
    staff_id = actor.id
    today = today or clock.today()
    if day <= today:
        raise SignupClosed(f"Sign-ups for {long_date(day)} are closed; you can no longer change.")
    with db.transaction(con) as cur:
        gone = cur.execute(
            "DELETE FROM sd_signups WHERE staff_id = ? AND day = ? RETURNING session_id",
            [staff_id, day],
        ).fetchone()
        if not gone:
            raise ValidationError(f"You are not signed up for anything on {long_date(day)}.")
        db.audit(cur, staff_id, "sessions.cancel", "sd_session", gone[0])


def my_signups(con, staff_id: int) -> pd.DataFrame:
    """This person's sign-ups across the year, newest first: day, title, leader, room, attended."""
    return (
        db.read(con)
        .execute(
            """
        SELECT s.day, o.title,
               CASE WHEN o.leader_name <> '' THEN o.leader_name || ' (' || o.leader_kind || ')'
                    ELSE o.leader_kind END AS leader,
               o.room, s.attended
        FROM sd_signups s JOIN sd_sessions o ON o.id = s.session_id
        WHERE s.staff_id = ? ORDER BY s.day DESC
        """,
            [staff_id],
        )
        .df()
    )


def attendees(con, actor_id: int, session_id: int) -> pd.DataFrame:
    """Who of the planner's school (every school for a district-wide one) signed up for an
    option (coaches and admins): staff_id, name, email, department, attended (None until
    marked)."""
    school = authz.scope(_planner(con, actor_id))
    return (
        db.read(con)
        .execute(
            "SELECT p.id AS staff_id, p.name, p.email, p.department, s.attended "
            "FROM sd_signups s JOIN staff p ON p.id = s.staff_id WHERE s.session_id = ? "
            "AND (? IS NULL OR p.school = ?) ORDER BY p.name",
            [session_id, school, school],
        )
        .df()
    )


@authz.write(authz.COACH)
def mark_attendance(
    con, actor: StaffMember, session_id: int, present_ids, today: date | None = None
) -> tuple[int, int]:
    """Mark who came (everyone else signed up is marked absent); returns (present, absent).

    Coaches and admins only, on or after the day; a planner of one school marks the people
    of their school (the ones `attendees` shows them) and nobody else.
    """
    actor_id = actor.id
    school = authz.scope(_planner(con, actor_id))
    today = today or clock.today()
    present = set(present_ids)
    with db.transaction(con) as cur:
        row = cur.execute("SELECT day FROM sd_sessions WHERE id = ?", [session_id]).fetchone()
        if not row:
            raise ValidationError("That session no longer exists; reload the page.")
        if row[0] > today:
            raise ValidationError(
                f"Attendance can be marked on or after the day ({long_date(row[0])})."
            )
        signed = {
            r[0]
            for r in cur.execute(
                "SELECT s.staff_id FROM sd_signups s JOIN staff p ON p.id = s.staff_id "
                "WHERE s.session_id = ? AND (? IS NULL OR p.school = ?)",
                [session_id, school, school],
            ).fetchall()
        }
        if present - signed:
            raise ValidationError("Only people signed up for this session can be marked present.")
        for staff_id in signed:
            cur.execute(
                "UPDATE sd_signups SET attended = ? WHERE session_id = ? AND staff_id = ?",
                [staff_id in present, session_id, staff_id],
            )
        db.audit(
            cur, actor_id, "sessions.attendance", "sd_session", session_id,
            f'{{"present": {len(present)}, "absent": {len(signed - present)}}}',
        )  # fmt: skip
    return len(present), len(signed - present)


def per_session(con, actor_id: int) -> pd.DataFrame:
    """Sign-ups and attendance per option across the year (coaches and admins), counting the
    people of the planner's school (every school's for a district-wide one).

    Columns: session_id, day, title, leader_kind, leader_name, room, capacity, signed_up,
    attended, absent, unmarked.
    """
    school = authz.scope(_planner(con, actor_id))
    return (
        db.read(con)
        .execute(
            """
        SELECT o.id AS session_id, o.day, o.title, o.leader_kind, o.leader_name, o.room,
               o.capacity, count(s.staff_id) AS signed_up,
               count(s.staff_id) FILTER (WHERE s.attended) AS attended,
               count(s.staff_id) FILTER (WHERE NOT s.attended) AS absent,
               count(s.staff_id) FILTER (WHERE s.attended IS NULL) AS unmarked
        FROM sd_sessions o LEFT JOIN sd_signups s ON s.session_id = o.id
             AND (? IS NULL OR s.staff_id IN (SELECT id FROM staff WHERE school = ?))
        GROUP BY o.id, o.day, o.title, o.leader_kind, o.leader_name, o.room, o.capacity
        ORDER BY o.day DESC, o.id
        """,
            [school, school],
        )
        .df()
    )


def per_teacher(con, actor_id: int) -> pd.DataFrame:
    """Sign-ups and attendance per active teacher of the planner's school (every school for a
    district-wide one) across the year (coaches and admins).

    Columns: staff_id, name, email, department, signed_up, attended, absent.
    """
    school = authz.scope(_planner(con, actor_id))
    return (
        db.read(con)
        .execute(
            """
        SELECT p.id AS staff_id, p.name, p.email, p.department,
               count(s.day) AS signed_up,
               count(s.day) FILTER (WHERE s.attended) AS attended,
               count(s.day) FILTER (WHERE NOT s.attended) AS absent
        FROM staff p LEFT JOIN sd_signups s ON s.staff_id = p.id
        WHERE p.active AND p.role = 'teacher' AND (? IS NULL OR p.school = ?)
        GROUP BY p.id, p.name, p.email, p.department ORDER BY p.name
        """,
            [school, school],
        )
        .df()
    )


# ---- expert requests and demand --------------------------------------------------------------


@authz.write(authz.SELF)
def request_expert(con, actor: StaffMember, topic_id: int | None, note: str = "") -> int:
    """'I want to learn this from an expert': recorded for the session planners; returns its id.

    Asking again about the same topic updates the open request instead of adding another.
    """
    staff_id = actor.id
    active_person(con, staff_id)
    note = clean_text(note, "Your note", MAX_REQUEST_NOTE)
    if topic_id is None and not note:
        raise ValidationError("Pick a topic or write what you would like to learn.")
    with db.transaction(con) as cur:
        if (
            topic_id is not None
            and not cur.execute("SELECT 1 FROM topics WHERE id = ?", [topic_id]).fetchone()
        ):
            raise ValidationError("That topic no longer exists; pick another.")
        row = cur.execute(
            "SELECT id FROM help_requests WHERE staff_id = ? AND kind = 'expert' "
            "AND status = 'open' AND topic_id IS NOT DISTINCT FROM ?",
            [staff_id, topic_id],
        ).fetchone()
        if row:
            rid = row[0]
            cur.execute("UPDATE help_requests SET note = ? WHERE id = ?", [note, rid])
        else:
            rid = cur.execute(
                "INSERT INTO help_requests (staff_id, kind, topic_id, note) "
                "VALUES (?, 'expert', ?, ?) RETURNING id",
                [staff_id, topic_id, note],
            ).fetchone()[0]
        db.audit(cur, staff_id, "sessions.expert_request", "help_request", rid)
    return rid


def expert_requests(con, actor_id: int) -> pd.DataFrame:
    """Open expert requests grouped by topic (coaches and admins): topic, requests, latest,
    notes (the notes people wrote, without names: a wish, not a roster); of the planner's
    school's people (every school's for a district-wide one)."""
    school = authz.scope(_planner(con, actor_id))
    return (
        db.read(con)
        .execute(
            """
        SELECT coalesce(t.name, '(no topic)') AS topic, count(*) AS requests,
               max(h.created_at)::DATE AS latest,
               coalesce(string_agg(DISTINCT nullif(trim(h.note), ''), ' | '), '') AS notes
        FROM help_requests h LEFT JOIN topics t ON t.id = h.topic_id
        JOIN staff p ON p.id = h.staff_id
        WHERE h.kind = 'expert' AND h.status = 'open' AND (? IS NULL OR p.school = ?)
        GROUP BY t.name ORDER BY requests DESC, topic
        """,
            [school, school],
        )
        .df()
    )


def topic_demand(con, actor_id: int) -> pd.DataFrame:
    """Survey demand per topic with open expert requests beside it (coaches and admins), of
    the planner's school (every school's for a district-wide one).

    Columns: topic, first_choice, any_rank, expert_requests, expert_led.
    """
    requests = expert_requests(con, actor_id)
    asked = dict(zip(requests["topic"], requests["requests"], strict=True))
    demand = topics.demand_frame(con, authz.scope(active_person(con, actor_id)))
    rows = [
        (t.topic, t.first_choice, t.any_rank, int(asked.get(t.topic, 0)), t.expert_led)
        for t in demand[demand["status"] != "retired"].itertuples()
    ]
    return pd.DataFrame(
        rows, columns=["topic", "first_choice", "any_rank", "expert_requests", "expert_led"]
    )
