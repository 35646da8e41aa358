"""Cohort health: a score and a traffic light from measures a PD lead would recognise.

The rules are pure functions over plain data (`CohortMeasures` + `HealthRules` -> `Health`),
so they are tested on hand-built cohorts; `cohort_measures(con)` gathers the measures for
every active cohort in one query, and `health_table(con)` joins the two for the dashboard
and the CLI export.

Measures and their part of the score (weights from settings, shown on the page):
- cadence: meetings held vs expected to date (meetings_per_month, pro-rated, rounded);
- attendance: member-meetings attended / possible;
- size: inside the school's bounds, scaled down by members who left;
- goal: a goal set by the second meeting (revisions are healthy and only shown);
- evidence: reflections per meeting, or the final share-out;
- recency: days since the last meeting (a month is fine, two months is zero);
- school_day (only when a school gives it a weight): share of meetings in the school day.
Contact hours per member are information, not a grade: a note says when the season will end
under the target (14 h by default, where research on PD effects puts the line).

A measure that is not due yet (no meeting expected, no second meeting) is left out of the
weighted average instead of counted as a failure, so a cohort formed last week is not red;
nor is it praised: a cohort that has not met is not "on cadence". A group cohort down to one
member is red whatever its other measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from pdcore import clock, db, settings

DAYS_PER_MONTH = 30.44
COMPONENTS = ("cadence", "attendance", "size", "goal", "evidence", "recency", "school_day")
LIGHTS = ("green", "amber", "red")


@dataclass(frozen=True)
class CohortMeasures:
    """What happened in one cohort so far this season (plain numbers, no judgement)."""

    cohort_id: int
    kind: str = "cohort"  # 'cohort' | 'individual' | 'expert'
    members: int = 0  # current members
    left: int = 0  # members who left (not counting those who split into a new cohort)
    held: int = 0  # meetings held to date
    expected: int = 0  # meetings expected to date
    attended: int = 0  # member-meetings attended
    possible: int = 0  # member-meetings possible (members at the time of each meeting)
    goal_set: bool = False
    goal_on_time: bool = False  # the first goal was set by the second meeting
    goal_versions: int = 0
    reflections: int = 0
    shareout: bool = False
    member_hours: float = 0.0  # contact hours attended, per current member
    in_day: int = 0  # meetings held in the school day
    days_since_last: int | None = None  # None when it never met
    days_active: int = 0  # days since the cohort's season began (for a cohort that never met)


@dataclass(frozen=True)
class HealthRules:
    """The school's settings that the health rules read."""

    weights: dict = field(default_factory=lambda: dict(settings.DEFAULT_HEALTH_WEIGHTS))
    amber: float = 0.5
    green: float = 0.75
    min_size: int = 2
    max_size: int = 10
    meetings_per_month: int = 1
    meeting_minutes: int = 60
    contact_hours_target: float = 14.0
    meetings_remaining: int = 0  # still expected between today and the season's end

    @classmethod
    def from_settings(cls, s: settings.Settings, today: date) -> HealthRules:
        """The rules for `today` from the school's settings."""
        whole = expected_meetings(s.season_start, s.season_end, s.season_end, s.meetings_per_month)
        so_far = expected_meetings(s.season_start, s.season_end, today, s.meetings_per_month)
        return cls(
            weights=dict(s.health_weights),
            amber=s.health_amber,
            green=s.health_green,
            min_size=s.min_size,
            max_size=s.max_size,
            meetings_per_month=s.meetings_per_month,
            meeting_minutes=s.meeting_minutes,
            contact_hours_target=s.contact_hours_target,
            meetings_remaining=max(0, whole - so_far),
        )


@dataclass(frozen=True)
class Health:
    """A cohort's score (0-1), its light, each measure's part, and notes in plain words."""

    score: float
    light: str  # 'green' | 'amber' | 'red'
    parts: dict  # component -> 0..1 (only the components that were due)
    projected_hours: float
    notes: tuple[str, ...]


def expected_meetings(start: date, season_end: date, today: date, per_month: int) -> int:
    """Meetings expected between `start` and `today` (capped at the season's end).

    Pro-rated by days and rounded, so on the 23rd day of a one-a-month season one meeting is
    expected, and on the 10th none yet.
    """
    days = (min(today, season_end) - start).days
    if days <= 0:
        return 0
    return round(days / DAYS_PER_MONTH * per_month)


def light_for(score: float, amber: float, green: float) -> str:
    """Green at or above `green`, amber at or above `amber`, else red."""
    if score >= green:
        return "green"
    if score >= amber:
        return "amber"
    return "red"


def component_scores(m: CohortMeasures, rules: HealthRules) -> dict[str, float]:
    """Each measure as a 0-1 part of the score; a measure not due yet is left out."""
    parts: dict[str, float] = {}
    # Cadence: held vs expected. Nothing expected yet and nothing held is not due (a cohort
    # that has not met is not "100% on cadence"); a meeting held early is on cadence.
    if m.expected > 0:
        parts["cadence"] = min(1.0, m.held / m.expected)
    elif m.held > 0:
        parts["cadence"] = 1.0
    if m.possible > 0:
        parts["attendance"] = min(1.0, m.attended / m.possible)
    elif m.expected > 0:
        parts["attendance"] = 0.0  # meetings were due and none were held
    if m.kind == "cohort":
        if m.members <= 0:
            parts["size"] = 0.0
        else:
            in_bounds = 1.0 if rules.min_size <= m.members <= rules.max_size else 0.0
            parts["size"] = in_bounds * m.members / (m.members + m.left)
    if m.goal_set:
        parts["goal"] = 1.0 if m.goal_on_time else 0.6
    elif m.held >= 2:
        parts["goal"] = 0.0  # past the second meeting with no goal
    if m.shareout:
        parts["evidence"] = 1.0
    elif m.held > 0:
        parts["evidence"] = min(1.0, m.reflections / m.held)
    elif m.expected > 0:
        parts["evidence"] = 0.0
    period = DAYS_PER_MONTH / max(1, rules.meetings_per_month)
    days = m.days_since_last if m.days_since_last is not None else m.days_active
    parts["recency"] = 1.0 if days <= period else max(0.0, 1.0 - (days - period) / period)
    if m.held > 0:
        parts["school_day"] = m.in_day / m.held
    return parts


def assess(m: CohortMeasures, rules: HealthRules) -> Health:
    """Score a cohort: the weighted mean of its due measures, its light, and notes."""
    parts = component_scores(m, rules)
    weighted = {k: float(w) for k, w in rules.weights.items() if k in parts and float(w) > 0}
    total = sum(weighted.values())
    score = sum(parts[k] * w for k, w in weighted.items()) / total if total else 0.0
    if isolated(m):
        # One person is not a group, however well they keep meeting: red, so an admin who
        # filters red and amber finds every isolated person.
        score = min(score, max(0.0, rules.amber - 0.01))
    score = round(score, 4)
    projected = m.member_hours + rules.meetings_remaining * rules.meeting_minutes / 60
    return Health(
        score=score,
        light=light_for(score, rules.amber, rules.green),
        parts={k: round(v, 4) for k, v in parts.items()},
        projected_hours=round(projected, 1),
        notes=tuple(_notes(m, rules, parts, projected)),
    )


def isolated(m: CohortMeasures) -> bool:
    """A group cohort down to one member (or none)."""
    return m.kind == "cohort" and m.members <= 1


def _notes(m: CohortMeasures, rules: HealthRules, parts: dict, projected: float) -> list[str]:
    notes = []
    if m.expected > m.held:
        notes.append(f"Met {m.held} of {m.expected} expected meetings.")
    if m.days_since_last is None and m.expected > 0:
        notes.append("Has not met yet.")
    elif parts.get("recency", 1.0) < 1.0 and m.days_since_last is not None:
        notes.append(f"No meeting in {m.days_since_last} days.")
    if m.kind == "cohort" and m.members == 1:
        notes.append("Down to one member.")
    elif m.kind == "cohort" and m.members < rules.min_size:
        notes.append("No members left.")
    elif m.kind == "cohort" and m.members > rules.max_size:
        notes.append(f"Over the maximum size of {rules.max_size}.")
    if m.left:
        notes.append(f"{m.left} left.")
    if not m.goal_set and m.held >= 2:
        notes.append("No goal after two meetings.")
    if m.possible and m.attended / m.possible < 0.6:
        notes.append(f"Attendance {m.attended / m.possible:.0%}.")
    if projected < rules.contact_hours_target:
        notes.append(
            f"On pace for at most {projected:.0f} contact hours per member by the season's end, "
            f"under {rules.contact_hours_target:g} (information, not part of the score)."
        )
    return notes


_MEASURES_SQL = """
WITH c AS (
    SELECT c.id, c.name, c.kind, c.school, t.name AS topic,
           greatest(?::DATE, c.created_at::DATE) AS began
    FROM cohorts c JOIN topics t ON t.id = c.topic_id
    WHERE c.status = 'active'
),
mem AS (
    SELECT m.cohort_id,
           count(*) FILTER (WHERE m.left_at IS NULL) AS members,
           -- moving into a cohort split from this one is not leaving
           count(*) FILTER (WHERE m.left_at IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM memberships m2 JOIN cohorts k ON k.id = m2.cohort_id
               WHERE m2.staff_id = m.staff_id AND k.parent_id = m.cohort_id)) AS left_count
    FROM memberships m GROUP BY m.cohort_id
),
mt AS (
    SELECT id, cohort_id, held_on, minutes, in_school_day
    FROM meetings WHERE status = 'held' AND held_on <= ?::DATE
),
mtagg AS (
    SELECT cohort_id, count(*) AS held, count(*) FILTER (WHERE in_school_day) AS in_day,
           max(held_on) AS last_on, (array_agg(held_on ORDER BY held_on))[2] AS second_on
    FROM mt GROUP BY cohort_id
),
seats AS (
    -- one row per meeting and person who was a member that day, with whether they came
    SELECT mt.cohort_id, m.staff_id, mt.minutes, m.left_at IS NULL AS current,
           a.staff_id IS NOT NULL AS came
    FROM mt
    JOIN memberships m ON m.cohort_id = mt.cohort_id
         AND m.joined_at::DATE <= mt.held_on
         AND (m.left_at IS NULL OR m.left_at::DATE > mt.held_on)
    LEFT JOIN attendance a ON a.meeting_id = mt.id AND a.staff_id = m.staff_id
),
att AS (
    SELECT cohort_id, count(*) AS possible, count(*) FILTER (WHERE came) AS attended,
           coalesce(sum(minutes) FILTER (WHERE came AND current), 0) AS current_minutes
    FROM seats GROUP BY cohort_id
),
g AS (
    SELECT cohort_id, count(*) AS versions, min(created_at)::DATE AS first_on
    FROM goals GROUP BY cohort_id
),
r AS (
    SELECT cohort_id, count(*) AS reflections, bool_or(is_shareout) AS shareout
    FROM reflections GROUP BY cohort_id
)
SELECT c.id, c.name, c.topic, c.kind, c.school,
       coalesce(mem.members, 0), coalesce(mem.left_count, 0),
       coalesce(mtagg.held, 0), coalesce(mtagg.in_day, 0), mtagg.last_on, mtagg.second_on,
       coalesce(att.possible, 0), coalesce(att.attended, 0), coalesce(att.current_minutes, 0),
       coalesce(g.versions, 0), g.first_on,
       coalesce(r.reflections, 0), coalesce(r.shareout, FALSE), c.began
FROM c
LEFT JOIN mem ON mem.cohort_id = c.id
LEFT JOIN mtagg ON mtagg.cohort_id = c.id
LEFT JOIN att ON att.cohort_id = c.id
LEFT JOIN g ON g.cohort_id = c.id
LEFT JOIN r ON r.cohort_id = c.id
ORDER BY c.name, c.id
"""


@dataclass(frozen=True)
class CohortRow:
    """A cohort's name and place beside its measures."""

    name: str
    topic: str
    school: str
    measures: CohortMeasures


def cohort_measures(con, today: date | None = None) -> list[CohortRow]:
    """The measures of every active cohort (and individual project), in one query."""
    today = today or clock.today()
    s = settings.load(con)
    rows = db.read(con).execute(_MEASURES_SQL, [s.season_start, today]).fetchall()
    out = []
    for (
        cid,
        name,
        topic,
        kind,
        school,
        members,
        left,
        held,
        in_day,
        last_on,
        second_on,
        possible,
        attended,
        minutes,
        versions,
        goal_on,
        reflections,
        shareout,
        began,
    ) in rows:
        goal_on_time = goal_on is not None and (second_on is None or goal_on <= second_on)
        out.append(
            CohortRow(
                name,
                topic,
                school,
                CohortMeasures(
                    cohort_id=cid,
                    kind=kind,
                    members=members,
                    left=left,
                    held=held,
                    expected=expected_meetings(began, s.season_end, today, s.meetings_per_month),
                    attended=attended,
                    possible=possible,
                    goal_set=versions > 0,
                    goal_on_time=goal_on_time,
                    goal_versions=versions,
                    reflections=reflections,
                    shareout=bool(shareout),
                    member_hours=round(minutes / 60 / members, 2) if members else 0.0,
                    in_day=in_day,
                    days_since_last=(today - last_on).days if last_on else None,
                    days_active=max(0, (today - began).days),
                ),
            )
        )
    return out


HEALTH_COLUMNS = [
    "cohort_id",
    "cohort",
    "topic",
    "kind",
    "school",
    "score",
    "light",
    "members",
    "left",
    "meetings_held",
    "meetings_expected",
    "attendance",
    "goal",
    "goal_revisions",
    "reflections_per_meeting",
    "shareout",
    "contact_hours",
    "projected_hours",
    "in_school_day",
    "days_since_last",
    "notes",
    *[f"part_{c}" for c in COMPONENTS],
]


def _goal_words(m: CohortMeasures) -> str:
    if m.goal_set:
        return "set on time" if m.goal_on_time else "set late"
    return "missing" if m.held >= 2 else "not due yet"


def health_table(con, today: date | None = None, school: str | None = None) -> pd.DataFrame:
    """One row per active cohort (of one `school` when given, see authz.scope): score, light
    and every measure beside them (worst first)."""
    today = today or clock.today()
    rules = HealthRules.from_settings(settings.load(con), today)
    records = []
    for row in cohort_measures(con, today):
        if school is not None and row.school != school:
            continue
        m = row.measures
        h = assess(m, rules)
        records.append(
            (
                m.cohort_id,
                row.name,
                row.topic,
                m.kind,
                row.school,
                h.score,
                h.light,
                m.members,
                m.left,
                m.held,
                m.expected,
                round(m.attended / m.possible, 3) if m.possible else None,
                _goal_words(m),
                max(0, m.goal_versions - 1),
                round(m.reflections / m.held, 2) if m.held else None,
                m.shareout,
                m.member_hours,
                h.projected_hours,
                round(m.in_day / m.held, 3) if m.held else None,
                m.days_since_last,
                " ".join(h.notes),
                *[h.parts.get(c) for c in COMPONENTS],
            )
        )
    frame = pd.DataFrame.from_records(records, columns=HEALTH_COLUMNS)
    return frame.sort_values(["score", "cohort"], kind="stable").reset_index(drop=True)


def light_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many cohorts show each light, green to red."""
    counts = frame["light"].value_counts() if len(frame) else pd.Series(dtype=int)
    return {light: int(counts.get(light, 0)) for light in LIGHTS}


@dataclass(frozen=True)
class CohortDetail:
    """A cohort's drill-down: its meetings, who came, its goals and reflections."""

    meetings: pd.DataFrame
    attendance: pd.DataFrame
    goals: pd.DataFrame
    reflections: pd.DataFrame


def cohort_detail(con, cohort_id: int) -> CohortDetail:
    """Meetings, attendance per member, goal versions and reflections of one cohort."""
    cur = db.read(con)
    meetings = cur.execute(
        """
        SELECT mt.held_on AS date, mt.status, mt.minutes, mt.in_school_day, mt.agenda, mt.note,
               (SELECT count(*) FROM attendance a WHERE a.meeting_id = mt.id) AS attended
        FROM meetings mt WHERE mt.cohort_id = ? ORDER BY mt.held_on DESC, mt.id DESC
        """,
        [cohort_id],
    ).df()
    attendance = cur.execute(
        """
        SELECT s.name, s.email, s.department, m.joined_at::DATE AS joined,
               m.left_at::DATE AS left, m.left_reason,
               count(a.meeting_id) AS meetings_attended
        FROM memberships m JOIN staff s ON s.id = m.staff_id
        LEFT JOIN (SELECT a.* FROM attendance a JOIN meetings mt ON mt.id = a.meeting_id
                   WHERE mt.cohort_id = ? AND mt.status = 'held') a ON a.staff_id = m.staff_id
        WHERE m.cohort_id = ?
        GROUP BY m.id, s.name, s.email, s.department, m.joined_at, m.left_at, m.left_reason
        ORDER BY m.left_at NULLS FIRST, s.name
        """,
        [cohort_id, cohort_id],
    ).df()
    goals = cur.execute(
        """
        SELECT g.version, g.text, coalesce(s.name, '') AS author, g.created_at::DATE AS set_on
        FROM goals g LEFT JOIN staff s ON s.id = g.author_id
        WHERE g.cohort_id = ? ORDER BY g.version DESC
        """,
        [cohort_id],
    ).df()
    reflections = cur.execute(
        """
        SELECT r.created_at::DATE AS date, s.name AS author, r.text, r.link, r.is_shareout
        FROM reflections r JOIN staff s ON s.id = r.author_id
        WHERE r.cohort_id = ? ORDER BY r.created_at DESC
        """,
        [cohort_id],
    ).df()
    return CohortDetail(meetings, attendance, goals, reflections)


def by_season(con, school: str | None = None) -> pd.DataFrame:
    """Year over year: per season (oldest first), its cohorts, meetings held per cohort, the
    share of member-meetings attended, and contact hours per member (of one `school`'s
    cohorts when given, see authz.scope)."""
    return (
        db.read(con)
        .execute(
            """
        WITH per AS (
            SELECT c.season_id, c.id,
                   (SELECT count(*) FROM meetings mt
                    WHERE mt.cohort_id = c.id AND mt.status = 'held') AS held,
                   (SELECT count(*) FROM memberships m WHERE m.cohort_id = c.id) AS members,
                   (SELECT count(*) FROM attendance a JOIN meetings mt ON mt.id = a.meeting_id
                    WHERE mt.cohort_id = c.id AND mt.status = 'held') AS came,
                   (SELECT coalesce(sum(mt.minutes), 0) FROM attendance a
                    JOIN meetings mt ON mt.id = a.meeting_id
                    WHERE mt.cohort_id = c.id AND mt.status = 'held') AS minutes
            FROM cohorts c WHERE $school IS NULL OR c.school = $school
        )
        SELECT z.label AS season, z.starts_on, count(per.id) AS cohorts,
               round(coalesce(avg(per.held), 0), 2) AS meetings_per_cohort,
               round(coalesce(sum(per.came) / nullif(sum(per.held * per.members), 0), 0), 3)
                   AS attendance,
               round(coalesce(sum(per.minutes) / 60.0 / nullif(sum(per.members), 0), 0), 2)
                   AS contact_hours_per_member
        FROM seasons z LEFT JOIN per ON per.season_id = z.id
        WHERE z.status <> 'upcoming'
        GROUP BY z.label, z.starts_on ORDER BY z.starts_on
        """,
            {"school": school},
        )
        .df()
    )
