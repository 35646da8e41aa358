"""Cohorts and memberships: create, join (exact under concurrency), and who is in what.

A person is in at most one active cohort (an individual project counts as one). Memberships
are never deleted: leaving sets left_at and a reason, so history stays. Starting a cohort or
an individual project, leaving and splitting each happen in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from pdcore import authz, clock, db, limits, notices, seasons, settings
from pdcore.model import PermissionDenied, StaffMember, ValidationError


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
           coalesce(array_agg(m.staff_id ORDER BY m.joined_at, m.staff_id)
                    FILTER (WHERE m.staff_id IS NOT NULL), ARRAY[]::INTEGER[])
    FROM cohorts c
    JOIN topics t ON t.id = c.topic_id
    LEFT JOIN meeting_slots s ON s.id = c.slot_id
    LEFT JOIN memberships m ON m.cohort_id = c.id AND m.left_at IS NULL
"""
_COHORT_GROUP = (
    " GROUP BY c.id, c.name, c.topic_id, t.name, c.kind, c.slot_id, s.label, c.school,"
    " c.status, c.parent_id"
)


def _info(row) -> CohortInfo:
    return CohortInfo(*row[:10], member_ids=tuple(row[10]))


def get(con, cohort_id: int) -> CohortInfo | None:
    """One cohort with its current members."""
    row = (
        db.read(con)
        .execute(_COHORT_SQL + " WHERE c.id = ?" + _COHORT_GROUP, [cohort_id])
        .fetchone()
    )
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
    rows = db.read(con).execute(sql + _COHORT_GROUP + " ORDER BY c.id", params).fetchall()
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


def add_member(
    cur, cohort_id: int, staff_id: int, how: str = "joined", actor_id: int | None = None
) -> None:
    """Add a person to a cohort inside the caller's transaction (which holds the write lock).

    Refuses with AlreadyInCohort when they are in another active cohort, and CohortFull when
    the cohort is at the school's maximum (an individual project holds exactly one person).
    `actor_id` is who did it when that is not the person themselves (an admin placing them).
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
    by = staff_id if actor_id is None else actor_id
    db.audit(
        cur,
        by,
        f"cohort.{how}",
        "cohort",
        cohort_id,
        subject_id=None if by == staff_id else staff_id,
    )


def _max_size(cur) -> int:
    row = cur.execute("SELECT value FROM settings WHERE key = 'max_size'").fetchone()
    return int(row[0]) if row else settings.Settings.max_size


@authz.write(authz.for_person("staff_id"))
def join(con, actor: StaffMember, cohort_id: int, staff_id: int | None = None) -> None:
    """Join a cohort with an open seat, in one transaction (exact under concurrent joins).

    With `staff_id` of someone else, an admin or coach of their school places them (they
    are told on Home). Nobody joins a cohort of another school.
    """
    staff_id = actor.id if staff_id is None else staff_id
    placed = staff_id != actor.id
    with db.transaction(con) as cur:
        row = cur.execute(
            "SELECT c.school, c.name, s.school, s.name FROM cohorts c, staff s "
            "WHERE c.id = ? AND s.id = ?",
            [cohort_id, staff_id],
        ).fetchone()
        if row is None:
            raise ValidationError("That cohort or person no longer exists; reload the page.")
        cohort_school, cohort_name, person_school, person_name = row
        if cohort_school != person_school:
            who = f"{person_name} is" if placed else "You are"
            raise PermissionDenied(
                f"{who} in {person_school or 'no school'}; {cohort_name} belongs to "
                f"{cohort_school or 'no school'}. Pick a cohort of the same school."
            )
        add_member(cur, cohort_id, staff_id, "placed" if placed else "joined", actor.id)
        if placed:
            notices.notify(cur, staff_id, f"{actor.name} placed you in the cohort {cohort_name}.")


def cohort_frame(con, school: str | None = None) -> pd.DataFrame:
    """One row per current member of an active cohort (of one `school`'s cohorts when
    given): the `export cohorts` table."""
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
        WHERE c.status = 'active' AND ($school IS NULL OR c.school = $school)
        ORDER BY c.id, p.name
        """,
            {"school": school},
        )
        .df()
    )


# ------------------------------------------------------------------ a cohort's own life

NAME_MAX = limits.COHORT_NAME_MAX
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


@authz.write(authz.SELF)
def start_cohort(
    con,
    actor: StaffMember,
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
    staff_id = actor.id
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


@authz.write(authz.SELF)
def start_individual(
    con, actor: StaffMember, *, topic_id: int, goal: str, slot_id: int | None = None
) -> int:
    """Start an individual project on a topic with its own goal (same meeting and reflection
    log as a cohort, one person). Returns its id."""
    goal = clean_text(goal, "a goal for your project", GOAL_MAX)
    staff_id = actor.id
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


@authz.write(authz.member_of("cohort_id"))
def leave(con, actor: StaffMember, cohort_id: int, reason: str = "") -> None:
    """Leave a cohort with an optional reason. The membership ends (never deleted); a cohort
    nobody is left in is closed, keeping its history. A split waiting for this person's
    answer counts them as declining."""
    reason = clean_text(reason, "the reason", REASON_MAX, required=False)
    staff_id = actor.id
    with db.transaction(con) as cur:
        require_member(cur, cohort_id, staff_id)
        _end_membership(cur, cohort_id, staff_id, reason)
        db.audit(cur, staff_id, "cohort.leave", "cohort", cohort_id)
        for (proposal_id,) in cur.execute(
            "SELECT a.proposal_id FROM split_answers a JOIN split_proposals p "
            "ON p.id = a.proposal_id WHERE p.cohort_id = ? AND p.status = 'open' "
            "AND a.staff_id = ? AND a.answer = 'pending'",
            [cohort_id, staff_id],
        ).fetchall():
            _answer(cur, proposal_id, staff_id, accepted=False)
        _close_if_empty(cur, cohort_id, staff_id)


SPLIT_REASON = "split into a new cohort"


@dataclass(frozen=True)
class Split:
    """What a split did: moved now (`new_cohort_id`), or waits for answers (`waiting_for`)."""

    proposal_id: int | None
    new_cohort_id: int | None
    waiting_for: tuple[str, ...] = ()


@authz.write(authz.member_of("cohort_id"))
def split(
    con,
    actor: StaffMember,
    cohort_id: int,
    mover_ids,
    *,
    name: str,
    slot_id: int | None = None,
) -> Split:
    """A member proposes moving chosen members (possibly themselves) into a new cohort of
    the same topic. Nobody is moved without saying yes: moving only yourself happens at
    once; naming others asks each of them (a notice on Home, an answer on My cohort), and
    the new cohort starts when all have answered, with those who accepted.

    The new cohort records its parent and starts from the parent's current goal; the movers'
    old memberships end with a reason and new ones start with how='split', so both cohorts
    keep their history. Each side keeps at least one person.
    """
    name = clean_text(name, "a name for the new cohort", NAME_MAX)
    movers = sorted(set(int(m) for m in mover_ids))
    if not movers:
        raise ValidationError("Choose who moves to the new cohort.")
    with db.transaction(con) as cur:
        require_member(cur, cohort_id, actor.id)
        parent = cur.execute(
            "SELECT topic_id, slot_id, kind, name FROM cohorts WHERE id = ?", [cohort_id]
        ).fetchone()
        _topic_id, parent_slot, kind, parent_name = parent
        if kind != "cohort":
            raise ValidationError("Only a cohort can be split, not an individual project.")
        current = _current_ids(cur, cohort_id)
        if any(m not in current for m in movers):
            raise ValidationError("Only current members of this cohort can move to the new one.")
        if len(movers) == len(current):
            raise ValidationError(
                "Someone has to stay: leave at least one member in this cohort, or rename it."
            )
        if cur.execute(
            "SELECT count(*) FROM split_proposals WHERE cohort_id = ? AND status = 'open'",
            [cohort_id],
        ).fetchone()[0]:
            raise ValidationError(
                "A split of this cohort is already waiting for answers; wait until it is decided."
            )
        slot_id = check_slot(cur, slot_id if slot_id is not None else parent_slot, required=False)
        proposal_id = cur.execute(
            "INSERT INTO split_proposals (cohort_id, proposer_id, name, slot_id) "
            "VALUES (?, ?, ?, ?) RETURNING id",
            [cohort_id, actor.id, name, slot_id],
        ).fetchone()[0]
        others = [m for m in movers if m != actor.id]
        for m in movers:
            cur.execute(
                "INSERT INTO split_answers (proposal_id, staff_id, answer, answered_at) "
                "VALUES (?, ?, ?, ?)",
                [
                    proposal_id,
                    m,
                    *(("accepted", clock.now()) if m == actor.id else ("pending", None)),
                ],
            )
        for m in others:
            notices.notify(
                cur,
                m,
                f"{actor.name} proposes that you move from {parent_name} to a new cohort, "
                f"{name}. Say yes or no on My cohort.",
            )
        db.audit(
            cur, actor.id, "cohort.split_propose", "cohort", cohort_id,
            json.dumps({"proposal": proposal_id, "movers": movers}),
        )  # fmt: skip
        new_id = _decide_if_answered(cur, proposal_id)
        waiting = [r[0] for r in cur.execute(
            "SELECT s.name FROM split_answers a JOIN staff s ON s.id = a.staff_id "
            "WHERE a.proposal_id = ? AND a.answer = 'pending' ORDER BY s.name",
            [proposal_id],
        ).fetchall()]  # fmt: skip
    return Split(None if new_id else proposal_id, new_id, tuple(waiting))


@authz.write(authz.SELF)
def answer_split(con, actor: StaffMember, proposal_id: int, accept: bool) -> Split:
    """A member named in a split says yes (they will move) or no (they stay). When everyone
    named has answered, the split is decided and the proposer is told."""
    with db.transaction(con) as cur:
        row = cur.execute(
            "SELECT a.answer, p.status, p.cohort_id FROM split_answers a "
            "JOIN split_proposals p ON p.id = a.proposal_id "
            "WHERE a.proposal_id = ? AND a.staff_id = ?",
            [proposal_id, actor.id],
        ).fetchone()
        if row is None:
            raise PermissionDenied("That split does not name you, so it is not yours to answer.")
        answer, status, cohort_id = row
        if status != "open" or answer != "pending":
            raise ValidationError("You already answered; the split is decided or waits for others.")
        require_member(cur, cohort_id, actor.id)
        new_id = _answer(cur, proposal_id, actor.id, accepted=bool(accept))
    return Split(None if new_id else proposal_id, new_id)


def _answer(cur, proposal_id: int, staff_id: int, accepted: bool) -> int | None:
    cur.execute(
        "UPDATE split_answers SET answer = ?, answered_at = ? WHERE proposal_id = ? AND staff_id = ?",
        ["accepted" if accepted else "declined", clock.now(), proposal_id, staff_id],
    )
    db.audit(
        cur, staff_id, "cohort.split_accept" if accepted else "cohort.split_decline",
        "split_proposal", proposal_id,
    )  # fmt: skip
    return _decide_if_answered(cur, proposal_id)


def _decide_if_answered(cur, proposal_id: int) -> int | None:
    """Once nobody named is still to answer: move those who accepted (if any) into the new
    cohort and tell the proposer. Returns the new cohort's id when one was made."""
    cohort_id, proposer, name, slot_id = cur.execute(
        "SELECT cohort_id, proposer_id, name, slot_id FROM split_proposals WHERE id = ?",
        [proposal_id],
    ).fetchone()
    answers = cur.execute(
        "SELECT a.staff_id, a.answer, s.name FROM split_answers a JOIN staff s "
        "ON s.id = a.staff_id WHERE a.proposal_id = ? ORDER BY s.name",
        [proposal_id],
    ).fetchall()
    if any(answer == "pending" for _id, answer, _name in answers):
        return None
    current = _current_ids(cur, cohort_id)
    movers = [sid for sid, answer, _n in answers if answer == "accepted" and sid in current]
    declined = [n for sid, answer, n in answers if answer == "declined" and sid != proposer]
    moved = [n for sid, answer, n in answers if sid in movers and sid != proposer]
    new_id = None
    # The proposer alone, when everyone they named said no, is no split at all.
    if movers and not (set(movers) == {proposer} and declined):
        new_id = _move(cur, proposer, cohort_id, movers, name, slot_id)
    cur.execute(
        "UPDATE split_proposals SET status = ?, new_cohort_id = ?, decided_at = ? WHERE id = ?",
        ["done" if new_id else "declined", new_id, clock.now(), proposal_id],
    )
    if any(sid != proposer for sid, _a, _n in answers):
        words = f"Your proposal to start {name}: "
        words += f"{_names(moved)} moved. " if moved else "nobody else moved. "
        words += f"{_names(declined)} chose to stay." if declined else ""
        notices.notify(cur, proposer, words.strip())
    return new_id


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _current_ids(cur, cohort_id: int) -> set[int]:
    rows = cur.execute(
        "SELECT staff_id FROM memberships WHERE cohort_id = ? AND left_at IS NULL", [cohort_id]
    ).fetchall()
    return {r[0] for r in rows}


def _move(cur, actor_id: int, cohort_id: int, movers: list[int], name: str, slot_id) -> int:
    """Start the new cohort with `movers` (who each said yes) inside the caller's transaction."""
    topic_id, school = cur.execute(
        "SELECT topic_id, school FROM cohorts WHERE id = ?", [cohort_id]
    ).fetchone()
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
        add_member(cur, new_id, m, "split", actor_id)  # by the proposer; each mover said yes
    goal = cur.execute(
        "SELECT text FROM goals WHERE cohort_id = ? ORDER BY version DESC LIMIT 1",
        [cohort_id],
    ).fetchone()
    if goal:
        add_goal(cur, new_id, goal[0], actor_id)
    db.audit(cur, actor_id, "cohort.split", "cohort", cohort_id, f'{{"new": {new_id}}}')
    _close_if_empty(cur, cohort_id, actor_id)
    return new_id


@dataclass(frozen=True)
class SplitQuestion:
    proposal_id: int
    cohort_id: int
    proposer: str
    name: str  # the new cohort's
    movers: tuple[str, ...]  # everyone the proposal names


def questions_for(con, staff_id: int) -> list[SplitQuestion]:
    """Open splits waiting for this person's yes or no."""
    rows = (
        db.read(con)
        .execute(
            """
        SELECT p.id, p.cohort_id, s.name, p.name,
               (SELECT array_agg(o.name ORDER BY o.name) FROM split_answers x
                JOIN staff o ON o.id = x.staff_id WHERE x.proposal_id = p.id)
        FROM split_answers a JOIN split_proposals p ON p.id = a.proposal_id
        JOIN staff s ON s.id = p.proposer_id
        WHERE a.staff_id = ? AND a.answer = 'pending' AND p.status = 'open'
        ORDER BY p.id
        """,
            [staff_id],
        )
        .fetchall()
    )
    return [SplitQuestion(*r[:4], movers=tuple(r[4])) for r in rows]


@dataclass(frozen=True)
class PendingSplit:
    proposal_id: int
    proposer_id: int
    name: str  # the new cohort's
    waiting_for: tuple[str, ...]  # names still to answer


def pending_split(con, cohort_id: int) -> PendingSplit | None:
    """The cohort's open split, or None."""
    row = (
        db.read(con)
        .execute(
            """
        SELECT p.id, p.proposer_id, p.name,
               array_agg(s.name ORDER BY s.name) FILTER (WHERE a.answer = 'pending')
        FROM split_proposals p JOIN split_answers a ON a.proposal_id = p.id
        JOIN staff s ON s.id = a.staff_id
        WHERE p.cohort_id = ? AND p.status = 'open' GROUP BY p.id, p.proposer_id, p.name
        """,
            [cohort_id],
        )
        .fetchone()
    )
    return PendingSplit(row[0], row[1], row[2], tuple(row[3] or ())) if row else None


@authz.write(
    authz.for_person(
        "proposal_id", roles=(), owner_sql="SELECT proposer_id FROM split_proposals WHERE id = ?"
    )
)
def withdraw_split(con, actor: StaffMember, proposal_id: int) -> None:
    """The proposer takes back a split still waiting for answers; everyone it named is told."""
    with db.transaction(con) as cur:
        row = cur.execute(
            "SELECT name, status FROM split_proposals WHERE id = ?", [proposal_id]
        ).fetchone()
        if row is None or row[1] != "open":
            raise ValidationError("That split is no longer waiting for answers; reload the page.")
        cur.execute(
            "UPDATE split_proposals SET status = 'declined', decided_at = ? WHERE id = ?",
            [clock.now(), proposal_id],
        )
        named = cur.execute(
            "SELECT staff_id FROM split_answers WHERE proposal_id = ? AND staff_id <> ?",
            [proposal_id, actor.id],
        ).fetchall()
        for (staff_id,) in named:
            notices.notify(cur, staff_id, f"{actor.name} withdrew the split into {row[0]}.")
        db.audit(cur, actor.id, "cohort.split_withdrawn", "split_proposal", proposal_id)


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
               coalesce(array_agg(s.label ORDER BY s.sort_order, s.id)
                        FILTER (WHERE s.label IS NOT NULL), ARRAY[]::VARCHAR[])
        FROM memberships m
        JOIN staff p ON p.id = m.staff_id
        LEFT JOIN availability a ON a.staff_id = p.id
        LEFT JOIN meeting_slots s ON s.id = a.slot_id
        WHERE m.cohort_id = ? AND m.left_at IS NULL
        GROUP BY p.id, p.name, p.email, p.department, m.how, m.joined_at ORDER BY p.name
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
