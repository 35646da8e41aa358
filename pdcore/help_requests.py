"""Help requests: a quiet "place me", a wish to learn from an expert, or a coach's help.

A "place me" request is private: colleagues never see who asked. Only the asker, coaches,
admins and the auto-formation read it. A person has at most one open "place me"; it closes
by itself when they join or are placed in a cohort (see pdcore.cohorts.add_member).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from pdcore import authz, clock, db
from pdcore.model import StaffMember, ValidationError

KINDS = ("place_me", "expert", "coach")
KIND_LABELS = {
    "place_me": "Place me in a cohort",
    "expert": "Learn from an expert",
    "coach": "Help from a coach",
}
STATUS_WORDS = {"open": "waiting", "done": "done", "withdrawn": "withdrawn"}
NOTE_MAX = 500


@dataclass(frozen=True)
class HelpRequest:
    id: int
    kind: str
    topic_id: int | None
    topic: str
    note: str
    status: str  # 'open' | 'done' | 'withdrawn'
    created_at: datetime
    resolved_at: datetime | None

    def describe(self) -> str:
        """One line for the asker, e.g. "Place me in a cohort (Web Tools): waiting since Nov 3"."""
        what = KIND_LABELS.get(self.kind, self.kind) + (f" ({self.topic})" if self.topic else "")
        if self.status == "open":
            return f"{what}: waiting since {self.created_at:%b} {self.created_at.day}."
        when = self.resolved_at or self.created_at
        return f"{what}: {STATUS_WORDS[self.status]} on {when:%b} {when.day}."


@authz.write(authz.SELF)
def ask(con, actor: StaffMember, kind: str, topic_id: int | None = None, note: str = "") -> int:
    """Ask for help; returns the request id.

    A second "place me" while one is open returns the open one instead of a duplicate, and
    someone already in a cohort is told so rather than queued.
    """
    if kind not in KINDS:
        raise ValidationError(f"Unknown kind of request: {kind!r}.")
    staff_id = actor.id
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            f"Please shorten the note to {NOTE_MAX} characters (it has {len(note)})."
        )
    with db.transaction(con) as cur:
        active = cur.execute("SELECT active FROM staff WHERE id = ?", [staff_id]).fetchone()
        if not active or not active[0]:
            raise ValidationError("You are not on the school's active roster.")
        if (
            topic_id is not None
            and not cur.execute("SELECT count(*) FROM topics WHERE id = ?", [topic_id]).fetchone()[
                0
            ]
        ):
            raise ValidationError("That topic does not exist; pick one from the list.")
        if kind == "place_me":
            existing = cur.execute(
                "SELECT id FROM help_requests WHERE staff_id = ? AND kind = 'place_me' "
                "AND status = 'open'",
                [staff_id],
            ).fetchone()
            if existing:
                return existing[0]
            in_cohort = cur.execute(
                "SELECT c.name FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
                "WHERE m.staff_id = ? AND m.left_at IS NULL AND c.status = 'active'",
                [staff_id],
            ).fetchone()
            if in_cohort:
                raise ValidationError(
                    f"You are already in {in_cohort[0]}, so there is nothing to place. "
                    "Leave it first if you want a different group."
                )
        request_id = cur.execute(
            "INSERT INTO help_requests (staff_id, kind, topic_id, note) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            [staff_id, kind, topic_id, note],
        ).fetchone()[0]
        db.audit(cur, staff_id, f"help.{kind}", "help_request", request_id)
    return request_id


_SELECT = """
    SELECT h.id, h.kind, h.topic_id, coalesce(t.name, ''), h.note, h.status, h.created_at,
           h.resolved_at
    FROM help_requests h LEFT JOIN topics t ON t.id = h.topic_id
"""


def my_requests(con, staff_id: int) -> list[HelpRequest]:
    """The person's own requests, open ones first, newest first."""
    rows = (
        db.read(con)
        .execute(
            _SELECT + " WHERE h.staff_id = ? ORDER BY h.status = 'open' DESC, h.created_at DESC",
            [staff_id],
        )
        .fetchall()
    )
    return [HelpRequest(*r) for r in rows]


def open_place_me(con, staff_id: int) -> HelpRequest | None:
    """The person's open "place me" request, if any."""
    return next(
        (r for r in my_requests(con, staff_id) if r.kind == "place_me" and r.status == "open"),
        None,
    )


def open_requests(con, kind: str | None = None, school: str | None = None) -> pd.DataFrame:
    """Open requests with who asked (for coaches, admins and formation only), oldest first;
    of the people of one `school` when given (see authz.scope).

    Columns: id, staff_id, email, name, department, kind, topic_id, topic, note, created_at,
    days_open.
    """
    if kind is not None and kind not in KINDS:
        raise ValidationError(f"Unknown kind of request: {kind!r}.")
    return (
        db.read(con)
        .execute(
            """
        SELECT h.id, h.staff_id, p.email, p.name, p.department, h.kind, h.topic_id,
               coalesce(t.name, '') AS topic, h.note, h.created_at,
               (CAST(? AS DATE) - CAST(h.created_at AS DATE)) AS days_open
        FROM help_requests h
        JOIN staff p ON p.id = h.staff_id
        LEFT JOIN topics t ON t.id = h.topic_id
        WHERE h.status = 'open' AND (? IS NULL OR h.kind = ?) AND (? IS NULL OR p.school = ?)
        ORDER BY h.created_at, h.id
        """,
            [clock.today(), kind, kind, school, school],
        )
        .df()
    )


_OWNER = "SELECT staff_id FROM help_requests WHERE id = ?"


@authz.write(authz.for_person("request_id", owner_sql=_OWNER))
def resolve(con, actor: StaffMember, request_id: int, status: str = "done") -> None:
    """Close an open request as done (or withdrawn). Coaches and admins of the asker's
    school close anyone's; a teacher closes only their own."""
    actor_id = actor.id
    if status not in ("done", "withdrawn"):
        raise ValidationError(f"A request can be closed as done or withdrawn, not {status!r}.")
    with db.transaction(con) as cur:
        row = cur.execute(
            "SELECT staff_id, status FROM help_requests WHERE id = ?", [request_id]
        ).fetchone()
        if row is None:
            raise ValidationError("That request does not exist.")
        owner, current = row
        if current != "open":
            raise ValidationError(f"That request is already {STATUS_WORDS[current]}.")
        cur.execute(
            "UPDATE help_requests SET status = ?, resolved_at = current_localtimestamp(), "
            "resolved_by = ? WHERE id = ?",
            [status, actor_id, request_id],
        )
        db.audit(
            cur, actor_id, f"help.{status}", "help_request", request_id,
            subject_id=owner if owner != actor_id else None,
        )  # fmt: skip


@authz.write(authz.for_person("request_id", roles=(), owner_sql=_OWNER))
def withdraw(con, actor: StaffMember, request_id: int) -> None:
    """The asker takes back their own open request."""
    resolve(con, actor, request_id, status="withdrawn")
