"""The coaches' watchlist: teachers who may be isolated, each with the reasons that fired.

The rules are a pure function over plain facts (`WatchFacts` + `WatchRules` -> reasons),
tested on hand-built people; `watch_facts(con)` gathers the facts for every active teacher in
one query. A case is open while a reason fires and the person's latest follow-up is not
marked resolved (a new follow-up reopens it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import pandas as pd

from pdcore import authz, clock, db, settings
from pdcore.model import PermissionDenied, Role, StaffMember

# (code, sentence) in the order a coach should read them.
NO_GROUP = "no_group"
PLACE_ME = "place_me"
SHRUNK = "shrunk"
MISSED_TWO = "missed_two"
LEFT_NONE = "left_none"
NO_SURVEY = "no_survey"
REASON_LABELS = {
    PLACE_ME: "Asked privately to be placed",
    NO_GROUP: "No group yet",
    SHRUNK: "Their cohort is down to one member",
    MISSED_TWO: "Missed their cohort's last two meetings",
    LEFT_NONE: "Left a cohort and joined none",
    NO_SURVEY: "Never answered the interest survey",
}


@dataclass(frozen=True)
class WatchFacts:
    """What the watchlist needs to know about one teacher."""

    staff_id: int
    answered_survey: bool = True
    in_group: bool = True  # a current membership of an active cohort or individual project
    group_kind: str = "cohort"
    group_size: int = 0  # current members of their cohort
    last_two_meetings: int = 0  # held meetings of their cohort since they joined, up to 2
    attended_last_two: int = 0  # how many of those they attended
    ever_left: bool = False
    place_me_open: bool = False


@dataclass(frozen=True)
class WatchRules:
    """The day and the settings the rules read."""

    today: date
    season_start: date
    unmatched_alert_days: int = 14

    @classmethod
    def from_settings(cls, s: settings.Settings, today: date) -> WatchRules:
        return cls(today, s.season_start, s.unmatched_alert_days)


def reasons(f: WatchFacts, rules: WatchRules) -> list[str]:
    """The codes of every watchlist rule this person meets, in REASON_LABELS order."""
    fired = set()
    days_in = (rules.today - rules.season_start).days
    if f.place_me_open:
        fired.add(PLACE_ME)
    if not f.in_group and days_in >= rules.unmatched_alert_days:
        fired.add(NO_GROUP)
    if f.in_group and f.group_kind == "cohort" and f.group_size == 1:
        fired.add(SHRUNK)
    if f.in_group and f.last_two_meetings >= 2 and f.attended_last_two == 0:
        fired.add(MISSED_TWO)
    if not f.in_group and f.ever_left:
        fired.add(LEFT_NONE)
    if not f.answered_survey:
        fired.add(NO_SURVEY)
    return [code for code in REASON_LABELS if code in fired]


def describe(codes: list[str], rules: WatchRules) -> str:
    """The reasons as one line a coach reads, e.g. 'No group yet (22 days into the season)'."""
    days_in = (rules.today - rules.season_start).days
    words = []
    for code in codes:
        label = REASON_LABELS[code]
        if code == NO_GROUP:
            label += f" ({days_in} days into the season)"
        words.append(label)
    return "; ".join(words)


_FACTS_SQL = """
WITH cur AS (
    SELECT DISTINCT ON (m.staff_id) m.staff_id, m.cohort_id, c.kind, m.joined_at
    FROM memberships m JOIN cohorts c ON c.id = m.cohort_id
    WHERE m.left_at IS NULL AND c.status = 'active'
    ORDER BY m.staff_id, m.joined_at DESC, m.id DESC
),
sizes AS (
    SELECT m.cohort_id, count(*) AS size FROM memberships m
    WHERE m.left_at IS NULL GROUP BY m.cohort_id
),
recent AS (
    -- each person's last two held meetings of their current cohort since they joined
    SELECT staff_id, meeting_id FROM (
        SELECT cur.staff_id, mt.id AS meeting_id,
               row_number() OVER (PARTITION BY cur.staff_id ORDER BY mt.held_on DESC, mt.id DESC) AS n
        FROM cur JOIN meetings mt ON mt.cohort_id = cur.cohort_id
        WHERE mt.status = 'held' AND mt.held_on <= ?::DATE AND mt.held_on >= cur.joined_at::DATE
    ) numbered WHERE n <= 2
),
last_two AS (
    SELECT r.staff_id, count(*) AS meetings, count(a.staff_id) AS attended
    FROM recent r LEFT JOIN attendance a ON a.meeting_id = r.meeting_id AND a.staff_id = r.staff_id
    GROUP BY r.staff_id
),
fu AS (
    SELECT DISTINCT ON (staff_id) staff_id, contacted_on, next_step, resolved,
           coach_id AS author_id
    FROM coach_followups
    ORDER BY staff_id, contacted_on DESC, id DESC
),
place_me AS (
    -- an open "place me" request, the latest one's note (a join: PostgreSQL would scan
    -- help_requests once per teacher for a correlated subquery)
    SELECT DISTINCT ON (staff_id) staff_id, note
    FROM help_requests WHERE kind = 'place_me' AND status = 'open'
    ORDER BY staff_id, created_at DESC, id DESC
)
SELECT s.id, s.name, s.email, s.department, s.school,
       EXISTS (SELECT 1 FROM survey_responses sr WHERE sr.staff_id = s.id) AS answered,
       cur.cohort_id IS NOT NULL AS in_group, coalesce(cur.kind, ''), coalesce(sizes.size, 0),
       coalesce(last_two.meetings, 0), coalesce(last_two.attended, 0),
       EXISTS (SELECT 1 FROM memberships m WHERE m.staff_id = s.id AND m.left_at IS NOT NULL),
       place_me.staff_id IS NOT NULL,
       ca.coach_id, coalesce(coach.name, ''),
       fu.contacted_on, coalesce(fu.next_step, ''), coalesce(fu.resolved, FALSE),
       fu.contacted_on IS NOT NULL, fu.author_id,
       coalesce(place_me.note, '')
FROM staff s
LEFT JOIN cur ON cur.staff_id = s.id
LEFT JOIN sizes ON sizes.cohort_id = cur.cohort_id
LEFT JOIN last_two ON last_two.staff_id = s.id
LEFT JOIN coach_assignments ca ON ca.staff_id = s.id
LEFT JOIN staff coach ON coach.id = ca.coach_id
LEFT JOIN fu ON fu.staff_id = s.id
LEFT JOIN place_me ON place_me.staff_id = s.id
WHERE s.active AND s.role = 'teacher'
ORDER BY s.name, s.id
"""

WATCH_COLUMNS = [
    "staff_id",
    "name",
    "email",
    "department",
    "school",
    "reasons",
    "reason_count",
    "reason_codes",
    "coach_id",
    "coach",
    "last_contact",
    "next_step",
    "status",
    "next_step_by",  # the coach or admin who wrote the latest follow-up
    "place_me_note",
]


class CaseInfo(NamedTuple):
    """What a coach reads beside a teacher's facts: who they are and the latest follow-up."""

    name: str
    email: str
    department: str
    school: str
    coach_id: int | None
    coach: str
    last_contact: date | None
    next_step: str
    resolved: bool
    has_followup: bool
    next_step_by: int | None  # the coach or admin who wrote the latest follow-up
    place_me_note: str


def watch_facts(con, today: date | None = None) -> list[tuple[WatchFacts, CaseInfo]]:
    """Every active teacher's facts, with their CaseInfo beside them, in one query."""
    today = today or clock.today()
    rows = db.read(con).execute(_FACTS_SQL, [today]).fetchall()
    out = []
    for r in rows:
        sid, name, email, dept, school, answered, in_group, kind, size, n_last, att_last = r[:11]
        ever_left, place_me, *latest = r[11:]
        facts = WatchFacts(
            staff_id=sid,
            answered_survey=answered,
            in_group=in_group,
            group_kind=kind,
            group_size=size,
            last_two_meetings=n_last,
            attended_last_two=att_last,
            ever_left=ever_left,
            place_me_open=place_me,
        )
        out.append((facts, CaseInfo(name, email, dept, school, *latest)))
    return out


def case_status(has_followup: bool, latest_resolved: bool) -> str:
    """'new' (nobody has followed up), 'in progress', or 'resolved' (latest entry says so)."""
    if not has_followup:
        return "new"
    return "resolved" if latest_resolved else "in progress"


def watchlist_frame(con, today: date | None = None, include_resolved: bool = False) -> pd.DataFrame:
    """One row per teacher with at least one reason, most reasons first."""
    today = today or clock.today()
    rules = WatchRules.from_settings(settings.load(con), today)
    records = []
    for facts, extra in watch_facts(con, today):
        codes = reasons(facts, rules)
        if not codes:
            continue
        status = case_status(extra.has_followup, extra.resolved)
        if status == "resolved" and not include_resolved:
            continue
        records.append(
            (
                facts.staff_id,
                extra.name,
                extra.email,
                extra.department,
                extra.school,
                describe(codes, rules),
                len(codes),
                ",".join(codes),
                extra.coach_id,
                extra.coach,
                extra.last_contact,
                extra.next_step,
                status,
                extra.next_step_by,
                extra.place_me_note,
            )
        )
    frame = pd.DataFrame.from_records(records, columns=WATCH_COLUMNS)
    frame["coach_id"] = frame["coach_id"].astype("Int64")
    frame["next_step_by"] = frame["next_step_by"].astype("Int64")
    return frame.sort_values(["reason_count", "name"], ascending=[False, True], kind="stable")


PRIVATE_STEP = "(private to the teacher's coaches)"


def for_viewer(watch: pd.DataFrame, viewer: StaffMember) -> pd.DataFrame:
    """The part of a watchlist_frame that `viewer` (a coach or admin) works with: the people
    of their own school (all schools for a district-wide viewer). The latest next step is
    coaching between coach and teacher: shown to the teacher's coach and to its author, and
    replaced by a word of privacy for anyone else (admins see who followed up and when)."""
    if viewer.role not in (Role.COACH, Role.ADMIN):
        raise PermissionDenied("The watchlist is for coaches and admins.")
    mine = watch[[authz.covers(viewer, s) for s in watch["school"]]].copy()
    involved = (mine["coach_id"] == viewer.id).fillna(False) | (
        mine["next_step_by"] == viewer.id
    ).fillna(False)
    if viewer.role != Role.COACH:
        involved[:] = False
    mine.loc[~involved & (mine["next_step"] != ""), "next_step"] = PRIVATE_STEP
    return mine


def coaches_for(caseload: pd.DataFrame, viewer: StaffMember) -> pd.DataFrame:
    """The rows of a caseload_frame for the coaches of `viewer`'s school."""
    return caseload[[authz.covers(viewer, s) for s in caseload["school"]]]


# (connection id, data version, day) -> watchlist: the home page asks on every visit, and the
# answer only changes after a write (db.data_version) or overnight.
_OPEN_CACHE: dict[tuple, pd.DataFrame] = {}


def open_case_count(con, coach_id: int | None = None, today: date | None = None) -> int:
    """Open cases on the watchlist; only those assigned to `coach_id` when given.

    Remembered until the next committed write, so a home page can show it on every visit.
    """
    today = today or clock.today()
    key = (id(con), db.data_version(con), today)
    frame = _OPEN_CACHE.get(key)
    if frame is None:
        frame = watchlist_frame(con, today)
        _OPEN_CACHE.clear()
        _OPEN_CACHE[key] = frame
    if coach_id is not None:
        frame = frame[frame["coach_id"] == coach_id]
    return len(frame)


def caseload_frame(
    con, today: date | None = None, watch: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per coach: teachers assigned, of them on the watchlist, follow-ups, last contact.

    Pass `watch` (a watchlist_frame already at hand) to save computing it twice."""
    today = today or clock.today()
    watch = watchlist_frame(con, today) if watch is None else watch
    on_list = watch.groupby("coach_id").size() if len(watch) else pd.Series(dtype=int)
    frame = (
        db.read(con)
        .execute(
            """
        SELECT c.id AS coach_id, c.name AS coach, c.school,
               (SELECT count(*) FROM coach_assignments a JOIN staff t ON t.id = a.staff_id
                WHERE a.coach_id = c.id AND t.active) AS assigned,
               (SELECT count(*) FROM coach_followups f WHERE f.coach_id = c.id) AS followups,
               (SELECT max(contacted_on) FROM coach_followups f WHERE f.coach_id = c.id)
                   AS last_contact
        FROM staff c WHERE c.active AND c.role = 'coach' ORDER BY c.school, c.name
        """
        )
        .df()
    )
    frame.insert(4, "open_cases", [int(on_list.get(cid, 0)) for cid in frame["coach_id"]])
    return frame
