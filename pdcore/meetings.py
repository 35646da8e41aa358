"""A cohort's working record: its goal (every version kept), meetings held and planned,
attendance, reflections, the staff gallery of shared learning, and an .ics calendar file.

Every write is member-only: a teacher changes only their own cohorts' records
(pdcore.cohorts.require_member raises PermissionDenied otherwise). Every form input is
validated with a message that says what to change.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from urllib.parse import urlparse

import pandas as pd

from pdcore import authz, clock, db, settings
from pdcore.cohorts import GOAL_MAX, add_goal, check_slot, clean_text, require_member
from pdcore.model import PermissionDenied, Role, StaffMember, ValidationError

AGENDAS = ("read", "try-a-lesson", "share", "modules", "other")
AGENDA_LABELS = {
    "read": "Read something",
    "try-a-lesson": "Try a lesson and debrief",
    "share": "Share practice",
    "modules": "Work through certification modules",
    "other": "Other",
}
NOTE_MAX = 1000
REFLECTION_MAX = 2000
LINK_MAX = 500
MAX_MINUTES = 480  # a working day; anything longer is a typo
VISIBILITIES = ("cohort", "all")


# ------------------------------------------------------------------ goals


@dataclass(frozen=True)
class Goal:
    version: int
    text: str
    author: str
    created_at: datetime


def goal_history(con, cohort_id: int) -> list[Goal]:
    """Every version of the cohort's goal, newest first."""
    rows = (
        db.read(con)
        .execute(
            "SELECT g.version, g.text, coalesce(p.name, ''), g.created_at FROM goals g "
            "LEFT JOIN staff p ON p.id = g.author_id WHERE g.cohort_id = ? "
            "ORDER BY g.version DESC",
            [cohort_id],
        )
        .fetchall()
    )
    return [Goal(*r) for r in rows]


def current_goal(con, cohort_id: int) -> Goal | None:
    """The cohort's latest goal, or None when it has not set one."""
    history = goal_history(con, cohort_id)
    return history[0] if history else None


@authz.write(authz.member_of("cohort_id"))
def revise_goal(con, actor: StaffMember, cohort_id: int, text: str) -> int:
    """Any member writes a new version of the goal; earlier versions stay. Returns the new
    version number."""
    staff_id = actor.id
    text = clean_text(text, "the goal", GOAL_MAX)
    with db.transaction(con) as cur:
        require_member(cur, cohort_id, staff_id)
        latest = cur.execute(
            "SELECT text FROM goals WHERE cohort_id = ? ORDER BY version DESC LIMIT 1",
            [cohort_id],
        ).fetchone()
        if latest and latest[0] == text:
            raise ValidationError("That is already the goal; change the text to revise it.")
        return add_goal(cur, cohort_id, text, staff_id)


# ------------------------------------------------------------------ meetings


def _check_season_date(con, day: date | None, what: str = "The date") -> date:
    if day is None:
        raise ValidationError("Pick a date.")
    if isinstance(day, datetime):
        day = day.date()
    s = settings.load(con)
    if not (s.season_start <= day <= s.season_end):
        raise ValidationError(
            f"{what} must be within this season ({s.season_start:%b} {s.season_start.day}, "
            f"{s.season_start.year} to {s.season_end:%b} {s.season_end.day}, "
            f"{s.season_end.year})."
        )
    return day


def _check_minutes(minutes) -> int:
    try:
        value = int(minutes)
    except (TypeError, ValueError):
        raise ValidationError("Minutes must be a whole number.") from None
    if value <= 0:
        raise ValidationError("A meeting lasts more than 0 minutes.")
    if value > MAX_MINUTES:
        raise ValidationError(f"A meeting lasts at most {MAX_MINUTES} minutes.")
    return value


def _check_school_day(day: date, in_school_day: bool) -> None:
    if in_school_day and day.weekday() >= 5:
        raise ValidationError(
            f"{day:%b} {day.day} is a {day:%A}, so the meeting was not in the school day: "
            "untick 'In the school day' (or fix the date)."
        )


def _checked_meeting(
    con, held_on, minutes, in_school_day, note, agenda, attendee_ids, today, future: str
) -> tuple[date, int, str, list[int]]:
    """The checks a held meeting passes when it is logged and when it is corrected: a season
    date not in the future (`future` says what to do instead), minutes, a school day that is
    one, a note, a known agenda, at least one attendee. Returns the cleaned values."""
    held_on = _check_season_date(con, held_on, "The meeting date")
    if held_on > (today or clock.today()):
        raise ValidationError(f"That date is in the future: {future}.")
    minutes = _check_minutes(minutes)
    _check_school_day(held_on, in_school_day)
    note = clean_text(note, "the note", NOTE_MAX, required=False)
    if agenda and agenda not in AGENDAS:
        raise ValidationError("Pick the agenda from the list.")
    attendees = sorted({int(a) for a in attendee_ids})
    if not attendees:
        raise ValidationError("Tick who attended (at least one member).")
    return held_on, minutes, note, attendees


@authz.write(authz.member_of("cohort_id"))
def log_meeting(
    con,
    actor: StaffMember,
    cohort_id: int,
    *,
    held_on: date,
    minutes: int,
    in_school_day: bool,
    attendee_ids: Sequence[int],
    note: str = "",
    agenda: str = "",
    slot_id: int | None = None,
    today: date | None = None,
) -> int:
    """Log a meeting that happened: date in the season (not in the future), minutes, whether
    it was in the school day, who attended (current members only) and a note. A planned
    meeting on the same day becomes this held one. Returns the meeting id."""
    staff_id = actor.id
    held_on, minutes, note, attendees = _checked_meeting(
        con, held_on, minutes, in_school_day, note, agenda, attendee_ids, today,
        future="plan the meeting instead of logging it",
    )  # fmt: skip
    with db.transaction(con) as cur:
        require_member(cur, cohort_id, staff_id)
        slot_id = check_slot(cur, slot_id, required=False)
        if slot_id is not None and slot_weekday(_slot_label(cur, slot_id)) not in (
            None,
            held_on.weekday(),
        ):
            slot_id = None  # met on another day than its slot's: do not record a contradiction
        members = {
            r[0]
            for r in cur.execute(
                "SELECT staff_id FROM memberships WHERE cohort_id = ? AND left_at IS NULL",
                [cohort_id],
            ).fetchall()
        }
        if any(a not in members for a in attendees):
            raise ValidationError("Only the cohort's members can be marked as attending.")
        _refuse_a_second_log(cur, cohort_id, held_on)
        planned = cur.execute(
            "SELECT id, agenda, slot_id FROM meetings WHERE cohort_id = ? AND status = 'planned' "
            "AND held_on = ? ORDER BY id LIMIT 1",
            [cohort_id, held_on],
        ).fetchone()
        if planned:
            meeting_id = planned[0]
            cur.execute(
                "UPDATE meetings SET status = 'held', minutes = ?, in_school_day = ?, "
                "agenda = ?, note = ?, logged_by = ?, slot_id = ? WHERE id = ?",
                [
                    minutes,
                    bool(in_school_day),
                    agenda or planned[1],
                    note,
                    staff_id,
                    slot_id if slot_id is not None else planned[2],
                    meeting_id,
                ],
            )
        else:
            meeting_id = cur.execute(
                "INSERT INTO meetings (cohort_id, status, held_on, slot_id, minutes, "
                "in_school_day, agenda, note, logged_by) VALUES (?, 'held', ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                [cohort_id, held_on, slot_id, minutes, bool(in_school_day), agenda, note, staff_id],
            ).fetchone()[0]
        for a in attendees:
            cur.execute(
                "INSERT INTO attendance (meeting_id, staff_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [meeting_id, a],
            )
        db.audit(cur, staff_id, "meeting.log", "meeting", meeting_id)
    return meeting_id


def _refuse_a_second_log(cur, cohort_id: int, held_on: date, except_id: int | None = None):
    """One held meeting per cohort per day: a second submit of the same form (or a second
    member logging the same meeting) would double the hours on every dashboard."""
    found = cur.execute(
        "SELECT count(*) FROM meetings WHERE cohort_id = ? AND status = 'held' AND held_on = ? "
        "AND id IS DISTINCT FROM ?",
        [cohort_id, held_on, except_id],
    ).fetchone()[0]
    if found:
        raise ValidationError(
            f"A meeting on {held_on:%a %b} {held_on.day} is already logged. Whoever logged it "
            "(or an admin) can change it under 'Correct or delete a meeting you logged'."
        )


def _meeting_for_change(cur, actor: StaffMember, meeting_id: int) -> tuple:
    """(cohort_id, held_on, minutes, in_school_day, agenda, note) of a held meeting the actor
    may correct: the person who logged it, or an admin of its school."""
    row = cur.execute(
        "SELECT m.cohort_id, m.held_on, m.minutes, m.in_school_day, m.agenda, m.note, "
        "m.logged_by, coalesce(c.school, '') FROM meetings m "
        "JOIN cohorts c ON c.id = m.cohort_id WHERE m.id = ? AND m.status = 'held'",
        [meeting_id],
    ).fetchone()
    if row is None:
        raise ValidationError("That meeting is not in the log any more; refresh the page.")
    is_admin = actor.role == Role.ADMIN and (not actor.school or actor.school == row[7])
    if not is_admin and row[6] != actor.id:
        raise PermissionDenied(
            "Only the person who logged a meeting, or an admin, can correct or delete it."
        )
    return row[:6]


# The person who logged a meeting, or an admin of their school (checked again, against the
# cohort's school, inside the transaction by _meeting_for_change).
_MEETING_OWNER = authz.for_person(
    "meeting_id", roles=(Role.ADMIN,), owner_sql="SELECT logged_by FROM meetings WHERE id = ?"
)


@authz.write(_MEETING_OWNER)
def edit_meeting(
    con,
    actor: StaffMember,
    meeting_id: int,
    *,
    held_on: date,
    minutes: int,
    in_school_day: bool,
    attendee_ids: Sequence[int],
    note: str = "",
    agenda: str = "",
    today: date | None = None,
) -> None:
    """Correct a held meeting (its logger or an admin): the same checks as logging it, and
    attendees may be anyone who has been in the cohort. Audited with the values before."""
    held_on, minutes, note, attendees = _checked_meeting(
        con, held_on, minutes, in_school_day, note, agenda, attendee_ids, today,
        future="a held meeting has happened",
    )  # fmt: skip
    with db.transaction(con) as cur:
        before = _meeting_for_change(cur, actor, meeting_id)
        cohort_id = before[0]
        ever = {
            r[0]
            for r in cur.execute(
                "SELECT staff_id FROM memberships WHERE cohort_id = ?", [cohort_id]
            ).fetchall()
        }
        if any(a not in ever for a in attendees):
            raise ValidationError("Only people who have been in the cohort can have attended.")
        _refuse_a_second_log(cur, cohort_id, held_on, except_id=meeting_id)
        was = cur.execute(
            "SELECT staff_id FROM attendance WHERE meeting_id = ? ORDER BY staff_id", [meeting_id]
        ).fetchall()
        cur.execute(
            "UPDATE meetings SET held_on = ?, minutes = ?, in_school_day = ?, agenda = ?, "
            "note = ? WHERE id = ?",
            [held_on, minutes, bool(in_school_day), agenda or before[4], note, meeting_id],
        )
        cur.execute("DELETE FROM attendance WHERE meeting_id = ?", [meeting_id])
        for a in attendees:
            cur.execute(
                "INSERT INTO attendance (meeting_id, staff_id) VALUES (?, ?)", [meeting_id, a]
            )
        db.audit(
            cur, actor.id, "meeting.edit", "meeting", meeting_id,
            json.dumps(_before(before, was)),
        )  # fmt: skip


@authz.write(_MEETING_OWNER)
def delete_meeting(con, actor: StaffMember, meeting_id: int) -> None:
    """Delete a held meeting logged by mistake (its logger or an admin), with its attendance;
    reflections that pointed at it stay, unlinked. The audit row keeps every deleted value, so
    nothing a person did is lost."""
    with db.transaction(con) as cur:
        before = _meeting_for_change(cur, actor, meeting_id)
        was = cur.execute(
            "SELECT staff_id FROM attendance WHERE meeting_id = ? ORDER BY staff_id", [meeting_id]
        ).fetchall()
        cur.execute("UPDATE reflections SET meeting_id = NULL WHERE meeting_id = ?", [meeting_id])
        cur.execute("DELETE FROM attendance WHERE meeting_id = ?", [meeting_id])
        cur.execute("DELETE FROM meetings WHERE id = ?", [meeting_id])
        db.audit(
            cur, actor.id, "meeting.delete", "meeting", meeting_id,
            json.dumps(_before(before, was)),
        )  # fmt: skip


def attendee_ids(con, meeting_id: int) -> list[int]:
    """Who attended a meeting (staff ids)."""
    rows = (
        db.read(con)
        .execute(
            "SELECT staff_id FROM attendance WHERE meeting_id = ? ORDER BY staff_id", [meeting_id]
        )
        .fetchall()
    )
    return [r[0] for r in rows]


def _before(row: tuple, attendance: list) -> dict:
    cohort_id, held_on, minutes, in_day, agenda, note = row
    return {
        "cohort_id": cohort_id,
        "held_on": held_on.isoformat(),
        "minutes": minutes,
        "in_school_day": bool(in_day),
        "agenda": agenda,
        "note": note,
        "attendee_ids": [r[0] for r in attendance],
    }


def _slot_label(cur, slot_id: int) -> str:
    row = cur.execute("SELECT label FROM meeting_slots WHERE id = ?", [slot_id]).fetchone()
    return row[0] if row else ""


def held_meetings(con, cohort_id: int) -> pd.DataFrame:
    """The cohort's held meetings, newest first: id, held_on, minutes, in_school_day, agenda,
    note, logged_by (staff id), attended (count) and attendees (names)."""
    return (
        db.read(con)
        .execute(
            """
        SELECT m.id, m.held_on, m.minutes, m.in_school_day, m.agenda, m.note, m.logged_by,
               count(a.staff_id) AS attended,
               coalesce(string_agg(p.name, ', ' ORDER BY p.name), '') AS attendees
        FROM meetings m
        LEFT JOIN attendance a ON a.meeting_id = m.id
        LEFT JOIN staff p ON p.id = a.staff_id
        WHERE m.cohort_id = ? AND m.status = 'held'
        GROUP BY m.id, m.held_on, m.minutes, m.in_school_day, m.agenda, m.note, m.logged_by
        ORDER BY m.held_on DESC, m.id DESC
        """,
            [cohort_id],
        )
        .df()
    )


@dataclass(frozen=True)
class PlannedMeeting:
    id: int
    cohort_id: int
    on: date
    slot_id: int | None
    slot_label: str
    agenda: str
    note: str
    minutes: int

    @property
    def agenda_label(self) -> str:
        return AGENDA_LABELS.get(self.agenda, self.agenda or "Not decided")


@authz.write(authz.member_of("cohort_id"))
def plan_meeting(
    con,
    actor: StaffMember,
    cohort_id: int,
    *,
    on: date,
    slot_id: int | None,
    agenda: str,
    note: str = "",
    today: date | None = None,
) -> int:
    """Put the next meeting on the cohort's calendar: a date in the season (today or later),
    one of the school's slots, and the agenda the cohort chose. Returns the meeting id."""
    staff_id = actor.id
    on = _check_season_date(con, on, "The meeting date")
    if on < (today or clock.today()):
        raise ValidationError("That date has passed: pick today or a later date.")
    if agenda not in AGENDAS:
        raise ValidationError("Pick what the cohort will do from the agenda list.")
    note = clean_text(note, "the note", NOTE_MAX, required=False)
    minutes = settings.load(con).meeting_minutes
    with db.transaction(con) as cur:
        require_member(cur, cohort_id, staff_id)
        slot_id = check_slot(cur, slot_id)
        label, in_day = cur.execute(
            "SELECT label, in_school_day FROM meeting_slots WHERE id = ?", [slot_id]
        ).fetchone()
        weekday = slot_weekday(label)
        if weekday is not None and on.weekday() != weekday:
            day_name = calendar.day_name[weekday]
            raise ValidationError(
                f"{label} is on {day_name}s, and {on:%b} {on.day} is a {on:%A}: pick a "
                f"{day_name} (the next is {next_day_on(label, on):%b} "
                f"{next_day_on(label, on).day}), or another slot."
            )
        status = cur.execute(
            "SELECT status FROM meetings WHERE cohort_id = ? AND held_on = ? LIMIT 1",
            [cohort_id, on],
        ).fetchone()
        if status:
            raise ValidationError(
                f"A meeting on {on:%a %b} {on.day} is already "
                + ("planned." if status[0] == "planned" else "logged as held: pick a later day.")
            )
        meeting_id = cur.execute(
            "INSERT INTO meetings (cohort_id, status, held_on, slot_id, minutes, in_school_day, "
            "agenda, note, logged_by) VALUES (?, 'planned', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [cohort_id, on, slot_id, minutes, in_day, agenda, note, staff_id],
        ).fetchone()[0]
        db.audit(cur, staff_id, "meeting.plan", "meeting", meeting_id)
    return meeting_id


def planned_meetings(con, cohort_id: int, since: date | None = None) -> list[PlannedMeeting]:
    """The cohort's planned meetings in date order (from `since` on, when given)."""
    rows = (
        db.read(con)
        .execute(
            "SELECT m.id, m.cohort_id, m.held_on, m.slot_id, coalesce(s.label, ''), m.agenda, "
            "m.note, m.minutes FROM meetings m LEFT JOIN meeting_slots s ON s.id = m.slot_id "
            "WHERE m.cohort_id = ? AND m.status = 'planned' AND (? IS NULL OR m.held_on >= ?) "
            "ORDER BY m.held_on, m.id",
            [cohort_id, since, since],
        )
        .fetchall()
    )
    return [PlannedMeeting(*r) for r in rows]


# ------------------------------------------------------------------ reflections


def check_link(link: str | None) -> str:
    """An empty link, or an http(s) address with a host; a ValidationError otherwise."""
    text = (link or "").strip()
    if not text:
        return ""
    if len(text) > LINK_MAX:
        raise ValidationError(f"Please shorten the link to {LINK_MAX} characters.")
    parsed = urlparse(text)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc or " " in text:
        raise ValidationError("The link must be a web address starting with http:// or https://.")
    return text


@authz.write(authz.member_of("cohort_id"))
def add_reflection(
    con,
    actor: StaffMember,
    cohort_id: int,
    text: str,
    *,
    link: str = "",
    visibility: str = "cohort",
    is_shareout: bool = False,
    meeting_id: int | None = None,
) -> int:
    """A member adds a reflection: text, an optional http(s) link (e.g. a video share-out),
    visible to the cohort or to all staff, optionally the season's final share-out."""
    staff_id = actor.id
    text = clean_text(text, "your reflection", REFLECTION_MAX)
    link = check_link(link)
    if visibility not in VISIBILITIES:
        raise ValidationError("Choose who sees it: your cohort, or all staff.")
    with db.transaction(con) as cur:
        require_member(cur, cohort_id, staff_id)
        if (
            meeting_id is not None
            and not cur.execute(
                "SELECT count(*) FROM meetings WHERE id = ? AND cohort_id = ?",
                [meeting_id, cohort_id],
            ).fetchone()[0]
        ):
            raise ValidationError("That meeting is not one of this cohort's.")
        reflection_id = cur.execute(
            "INSERT INTO reflections (cohort_id, author_id, meeting_id, text, link, visibility, "
            "is_shareout) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [cohort_id, staff_id, meeting_id, text, link, visibility, bool(is_shareout)],
        ).fetchone()[0]
        db.audit(cur, staff_id, "reflection.add", "reflection", reflection_id)
    return reflection_id


def reflections(con, cohort_id: int, viewer_id: int) -> pd.DataFrame:
    """A cohort's reflections, newest first. Members see all of them; anyone else sees only
    those shared with all staff."""
    cur = db.read(con)
    member = cur.execute(
        "SELECT count(*) FROM memberships WHERE cohort_id = ? AND staff_id = ? AND left_at IS NULL",
        [cohort_id, viewer_id],
    ).fetchone()[0]
    return cur.execute(
        """
        SELECT r.id, r.created_at, p.name AS author, r.text, r.link, r.visibility,
               r.is_shareout
        FROM reflections r JOIN staff p ON p.id = r.author_id
        WHERE r.cohort_id = ? AND (? OR r.visibility = 'all')
        ORDER BY r.created_at DESC, r.id DESC
        """,
        [cohort_id, bool(member)],
    ).df()


def gallery(con, topic_id: int | None = None) -> pd.DataFrame:
    """'What we learned': reflections shared with all staff, this season's first (share-outs
    first, then newest), optionally of one topic. Columns: id, created_at, topic_id, topic,
    cohort, author, text, link, is_shareout."""
    return (
        db.read(con)
        .execute(
            """
        SELECT r.id, r.created_at, c.topic_id, t.name AS topic, c.name AS cohort,
               p.name AS author, r.text, r.link, r.is_shareout
        FROM reflections r
        JOIN cohorts c ON c.id = r.cohort_id
        JOIN topics t ON t.id = c.topic_id
        JOIN staff p ON p.id = r.author_id
        LEFT JOIN seasons s ON s.id = c.season_id
        WHERE r.visibility = 'all' AND (? IS NULL OR c.topic_id = ?)
        ORDER BY s.starts_on DESC NULLS FIRST, r.is_shareout DESC, r.created_at DESC, r.id DESC
        """,
            [topic_id, topic_id],
        )
        .df()
    )


# ------------------------------------------------------------------ calendar (.ics)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime  # naive, the school's own clock (ics_text writes it in UTC)
    end: datetime
    summary: str
    description: str = ""


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def slot_weekday(label: str) -> int | None:
    """The weekday a slot's label names (0 = Monday), e.g. "Mon before school" -> 0; None for
    a slot on no fixed weekday ("Planning day")."""
    words = (label or "").lower().replace(",", " ").split()
    for word in words:
        for n, day in enumerate(WEEKDAYS):
            if word.startswith(day) and (len(word) <= 4 or word.rstrip("s").endswith("day")):
                return n
    return None


def next_day_on(slot_label: str, since: date) -> date:
    """The first day from `since` on that the slot meets (since itself when it has no weekday)."""
    weekday = slot_weekday(slot_label)
    if weekday is None:
        return since
    return since + timedelta(days=(weekday - since.weekday()) % 7)


def slot_start(label: str) -> time:
    """A clock time for a meeting slot, read from its label (the school's slots are words)."""
    words = (label or "").lower()
    if "before school" in words:
        return time(7, 0)
    if "lunch" in words:
        return time(11, 45)
    if "after school" in words:
        return time(15, 30)
    if "planning" in words or "workday" in words:
        return time(13, 0)
    return time(15, 30)


def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Split a content line into pieces of at most 75 octets (RFC 5545 section 3.1), never
    inside a UTF-8 character; continuation pieces start with one space."""
    pieces, current, size, limit = [], "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            pieces.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    pieces.append(current)
    return pieces


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _utc_stamp(naive: datetime, zone: tzinfo | None) -> str:
    aware = naive.replace(tzinfo=zone) if zone is not None else clock.localize(naive)
    return _stamp(aware.astimezone(UTC)) + "Z"


def ics_text(
    events: Iterable[CalendarEvent],
    *,
    stamp: datetime,
    name: str = "PD Cohorts",
    zone: tzinfo | None = None,
) -> str:
    """An RFC 5545 calendar with one VEVENT per event, CRLF line endings, folded lines.

    Start and end are the school's clock (`zone`, else pdcore.clock's school zone) written in
    UTC, so a 15:30 meeting shows at 15:30 school time in any calendar, whatever its own zone
    (a floating time would move with the calendar's zone). DTSTAMP is UTC too.
    """
    utc = stamp.astimezone(UTC) if stamp.tzinfo else stamp
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//PD Cohorts//Cohort meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    zone_name = getattr(zone or clock.school_timezone(), "key", "")
    if zone_name:  # a hint for calendar apps that show the calendar's own zone
        lines.append(f"X-WR-TIMEZONE:{zone_name}")
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_stamp(utc)}Z",
            f"DTSTART:{_utc_stamp(event.start, zone)}",
            f"DTEND:{_utc_stamp(event.end, zone)}",
            f"SUMMARY:{_escape(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(piece + "\r\n" for line in lines for piece in _fold(line))


def meeting_events(cohort_name: str, planned: Iterable[PlannedMeeting]) -> list[CalendarEvent]:
    """Calendar events for planned meetings (start time from the slot's label)."""
    events = []
    for m in planned:
        start = datetime.combine(m.on, slot_start(m.slot_label))
        detail = f"Agenda: {m.agenda_label}." + (f" {m.note}" if m.note else "")
        if m.slot_label:
            detail += f" Slot: {m.slot_label}."
        events.append(
            CalendarEvent(
                uid=f"pd-cohorts-meeting-{m.id}@pd-cohorts",
                start=start,
                end=start + timedelta(minutes=m.minutes or 60),
                summary=f"{cohort_name}: cohort meeting",
                description=detail,
            )
        )
    return events


def calendar_file(con, cohort_id: int, cohort_name: str, since: date | None = None) -> bytes:
    """The cohort's planned meetings as an .ics file to add to Google Calendar."""
    events = meeting_events(cohort_name, planned_meetings(con, cohort_id, since))
    return ics_text(events, stamp=clock.utc_now(), name=cohort_name).encode("utf-8")
