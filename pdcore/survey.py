"""The interest survey and learning preferences: what a teacher wants to learn, and how.

Topics: up to three ranked from the offered and proposed list, or a write-in that becomes a
proposed topic (an existing topic is reused when the name matches ignoring case and spaces).
Answers can change until the admin's survey close date. Answers imported from the school's
Google Form land in the same tables with source 'form' (see :func:`record_answers`).

Preferences (any time): cohort / individual project / expert-led; whether WHO they work with
or WHEN they meet matters more; the meeting slots they are free; colleagues they would like
to work with (roster ids, never typed emails); same department, a mix, or no preference.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pdcore import authz, clock, db, limits, settings, topics
from pdcore.model import Role, StaffMember, ValidationError

MAX_CHOICES = 3
WRITE_IN_MAX = limits.TOPIC_NAME_MAX  # a write-in becomes a topic's name
MAX_COLLEAGUES = 5
MODES = ("cohort", "individual", "expert")
PRIORITIES = ("who", "when")
DEPT_PREFS = ("same", "mix", "none")
MODE_LABELS = {
    "cohort": "In a cohort",
    "individual": "An individual project",
    "expert": "Expert-led, where offered",
}
PRIORITY_LABELS = {"who": "WHO I work with", "when": "WHEN we meet"}
DEPT_LABELS = {"same": "My own department", "mix": "A mix of departments", "none": "No preference"}


@dataclass(frozen=True)
class SurveyAnswer:
    staff_id: int
    choices: tuple[int, ...]  # topic ids, ranked
    choice_names: tuple[str, ...]
    other_topic: str
    source: str  # 'app' | 'form' | 'import' | 'demo'
    submitted_at: datetime


@dataclass(frozen=True)
class Preferences:
    mode: str = "cohort"
    priority: str = "when"
    dept_pref: str = "none"
    slot_ids: tuple[int, ...] = ()
    colleague_ids: tuple[int, ...] = ()
    saved: bool = False  # False: the defaults, never saved


def choosable_topics(con) -> list[topics.TopicInfo]:
    """What the survey offers: offered and proposed topics (never retired or merged away)."""
    return [t for t in topics.topic_list(con) if t.status != "retired"]


def is_open(con, today: date | None = None) -> bool:
    """True until the end of the admin's survey close date (always, when none is set)."""
    close = settings.load(con).survey_close
    return close is None or (today or clock.today()) <= close


def answer(con, staff_id: int) -> SurveyAnswer | None:
    """The person's latest survey answer, or None when they have not answered."""
    cur = db.read(con)
    row = cur.execute(
        "SELECT submitted_at, source, other_topic FROM survey_responses WHERE staff_id = ?",
        [staff_id],
    ).fetchone()
    if row is None:
        return None
    picks = cur.execute(
        "SELECT i.topic_id, t.name FROM interests i JOIN topics t ON t.id = i.topic_id "
        "WHERE i.staff_id = ? ORDER BY i.rank",
        [staff_id],
    ).fetchall()
    return SurveyAnswer(
        staff_id,
        tuple(p[0] for p in picks),
        tuple(p[1] for p in picks),
        row[2],
        row[1],
        row[0],
    )


def topic_for_name(cur, name: str, actor_id: int | None = None) -> int:
    """The topic a typed name means, inside the caller's transaction.

    Reuses a topic whose name matches ignoring case and spaces (following a merge to the topic
    it was folded into); otherwise creates a proposed write-in topic.
    """
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError("Please type the topic you want to learn about.")
    if len(text) > WRITE_IN_MAX:
        raise ValidationError(
            f"Please shorten your topic to {WRITE_IN_MAX} characters (it has {len(text)})."
        )
    resolver = topics.TopicResolver(cur, actor_id)
    found = resolver.find(text)
    if found and found[2] == "retired":
        raise ValidationError(
            f"{found[1]} was retired by the school this year; pick another topic."
        )
    return found[0] if found else resolver.resolve(text)


def record_answers(
    cur,
    staff_id: int,
    topic_ids: Sequence[int],
    *,
    other_topic: str = "",
    source: str = "app",
    submitted_at: datetime | None = None,
    actor_id: int | None = None,
) -> None:
    """Store one person's ranked topics inside the caller's transaction (the latest answer
    wins). Used by the survey page and by imports of the school's Google Form."""
    ids = list(topic_ids)
    if not ids:
        raise ValidationError("Pick at least one topic, or write in your own.")
    if len(ids) > MAX_CHOICES:
        raise ValidationError(f"Rank at most {MAX_CHOICES} topics.")
    if len(set(ids)) != len(ids):
        raise ValidationError("Each topic can be ranked only once; pick different topics.")
    rows = cur.execute(
        "SELECT id, name, status, merged_into FROM topics WHERE id = ANY(?)", [ids]
    ).fetchall()
    by_id = {r[0]: r for r in rows}
    for tid in ids:
        row = by_id.get(tid)
        if row is None:
            raise ValidationError("One of the topics does not exist; pick from the list.")
        if row[2] == "retired" or row[3] is not None:
            raise ValidationError(f"{row[1]} is no longer on the list; pick another topic.")
    previous = [
        r[0]
        for r in cur.execute(
            "SELECT topic_id FROM interests WHERE staff_id = ? ORDER BY rank", [staff_id]
        ).fetchall()
    ]
    cur.execute(
        "INSERT INTO survey_responses (staff_id, submitted_at, source, other_topic) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET submitted_at = excluded.submitted_at,"
        " source = excluded.source, other_topic = excluded.other_topic",
        [staff_id, submitted_at or clock.now(), source, other_topic],
    )
    cur.execute("DELETE FROM interests WHERE staff_id = ?", [staff_id])
    for rank, tid in enumerate(ids, start=1):
        cur.execute(
            "INSERT INTO interests (staff_id, rank, topic_id) VALUES (?, ?, ?)",
            [staff_id, rank, tid],
        )
    # The audit row keeps the previous answer: the table holds only the latest.
    db.audit(
        cur,
        actor_id if actor_id is not None else staff_id,
        "survey.answer",
        "staff",
        staff_id,
        json.dumps({"source": source, "choices": ids, "previous": previous}),
    )


@authz.write(authz.for_person("staff_id", roles=(Role.ADMIN,)))
def submit(
    con,
    actor: StaffMember,
    choices: Sequence[int | None],
    write_in: str = "",
    *,
    staff_id: int | None = None,
    today: date | None = None,
) -> SurveyAnswer:
    """Save a teacher's survey from the app: ranked topic ids (blanks skipped) and an optional
    write-in ranked after them. After the survey closes only a first answer is taken: whoever
    missed it can still say what they want to learn; a change to a kept answer is refused.
    The actor answers for themselves, or an admin of their school for `staff_id`."""
    staff_id = actor.id if staff_id is None else staff_id
    close = settings.load(con).survey_close
    late = close is not None and (today or clock.today()) > close
    if late and answer(con, staff_id) is not None:
        raise ValidationError(
            f"The survey closed on {close:%B} {close.day}. Your answers are kept; "
            "ask an admin if something must change."
        )
    ids = [int(c) for c in choices if c is not None]
    write_in = " ".join((write_in or "").split())
    if len(ids) + (1 if write_in else 0) > MAX_CHOICES:
        raise ValidationError(
            f"You can rank {MAX_CHOICES} topics at most: clear one choice to add your own."
        )
    with db.transaction(con) as cur:
        if write_in:
            tid = topic_for_name(cur, write_in, actor.id)
            if tid in ids:
                raise ValidationError(
                    "Your own topic is already one of your choices; clear it or type another."
                )
            ids.append(tid)
        record_answers(cur, staff_id, ids, other_topic=write_in, source="app", actor_id=actor.id)
    return answer(con, staff_id)


def preferences(con, staff_id: int) -> Preferences:
    """How the person wants to learn (the defaults when they have not said)."""
    cur = db.read(con)
    row = cur.execute(
        "SELECT mode, priority, dept_pref FROM learning_prefs WHERE staff_id = ?", [staff_id]
    ).fetchone()
    slot_ids = tuple(
        r[0]
        for r in cur.execute(
            "SELECT a.slot_id FROM availability a JOIN meeting_slots s ON s.id = a.slot_id "
            "WHERE a.staff_id = ? ORDER BY s.sort_order, s.id",
            [staff_id],
        ).fetchall()
    )
    colleague_ids = tuple(
        r[0]
        for r in cur.execute(
            "SELECT colleague_id FROM colleague_requests WHERE staff_id = ? ORDER BY colleague_id",
            [staff_id],
        ).fetchall()
    )
    if row is None:
        return Preferences(slot_ids=slot_ids, colleague_ids=colleague_ids, saved=False)
    return Preferences(*row, slot_ids=slot_ids, colleague_ids=colleague_ids, saved=True)


@authz.write(authz.for_person("staff_id", roles=(Role.ADMIN,)))
def save_preferences(
    con,
    actor: StaffMember,
    *,
    mode: str | None = None,
    priority: str | None = None,
    dept_pref: str | None = None,
    slot_ids: Sequence[int] | None = None,
    colleague_ids: Sequence[int] | None = None,
    staff_id: int | None = None,
) -> Preferences:
    """Save how the person wants to learn, in one transaction. Anything left as None keeps its
    saved value, so a page can change only the mode, say. The actor saves their own, or an
    admin of their school those of `staff_id`."""
    staff_id = actor.id if staff_id is None else staff_id
    old = preferences(con, staff_id)
    mode = old.mode if mode is None else mode
    priority = old.priority if priority is None else priority
    dept_pref = old.dept_pref if dept_pref is None else dept_pref
    if mode not in MODES:
        raise ValidationError(
            "Choose how to learn: in a cohort, an individual project or expert-led."
        )
    if priority not in PRIORITIES:
        raise ValidationError("Choose what matters more: who you work with, or when you meet.")
    if dept_pref not in DEPT_PREFS:
        raise ValidationError("Choose same department, a mix, or no preference.")
    slots = sorted(set(old.slot_ids if slot_ids is None else (int(s) for s in slot_ids)))
    mates = sorted(
        set(old.colleague_ids if colleague_ids is None else (int(c) for c in colleague_ids))
    )
    if staff_id in mates:
        raise ValidationError("Name colleagues other than yourself.")
    if len(mates) > MAX_COLLEAGUES:
        raise ValidationError(f"Name at most {MAX_COLLEAGUES} colleagues.")
    with db.transaction(con) as cur:
        known_slots = {r[0] for r in cur.execute("SELECT id FROM meeting_slots").fetchall()}
        if any(s not in known_slots for s in slots):
            raise ValidationError("Pick meeting slots from the school's list only.")
        if mates:
            found = cur.execute(
                "SELECT count(*) FROM staff WHERE active AND id = ANY(?)", [mates]
            ).fetchone()[0]
            if found != len(mates):
                raise ValidationError("Pick colleagues from the school's current roster.")
        cur.execute(
            "INSERT INTO learning_prefs (staff_id, mode, priority, dept_pref, "
            "updated_at) VALUES (?, ?, ?, ?, current_localtimestamp()) ON CONFLICT (staff_id)"
            " DO UPDATE SET mode = excluded.mode, priority = excluded.priority,"
            " dept_pref = excluded.dept_pref, updated_at = excluded.updated_at",
            [staff_id, mode, priority, dept_pref],
        )
        cur.execute("DELETE FROM availability WHERE staff_id = ?", [staff_id])
        for s in slots:
            cur.execute("INSERT INTO availability (staff_id, slot_id) VALUES (?, ?)", [staff_id, s])
        cur.execute("DELETE FROM colleague_requests WHERE staff_id = ?", [staff_id])
        for c in mates:
            cur.execute(
                "INSERT INTO colleague_requests (staff_id, colleague_id) VALUES (?, ?)",
                [staff_id, c],
            )
        db.audit(
            cur, actor.id, "survey.prefs", "staff", staff_id,
            subject_id=staff_id if staff_id != actor.id else None,
        )  # fmt: skip
    return preferences(con, staff_id)
