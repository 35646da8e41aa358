"""Participation: who is in and who is not, as a funnel a PD lead reads top to bottom.

on the roster -> answered the survey -> chose a topic -> in a cohort or individual project
-> met at least once -> meeting on cadence. `participation_table(con)` has one row per active
staff member with a flag per stage (the CLI exports it); the other functions summarise it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from pdcore import clock, db, settings
from pdcore.health import expected_meetings

# (column, label) in funnel order.
STAGES = (
    ("on_roster", "On the roster"),
    ("answered_survey", "Answered the survey"),
    ("chose_topic", "Chose a topic"),
    ("in_group", "In a cohort or project"),
    ("met_once", "Met at least once"),
    ("on_cadence", "Meeting on cadence"),
)
STAGE_LABELS = dict(STAGES)

_SQL = """
WITH cur AS (
    SELECT DISTINCT ON (m.staff_id) m.staff_id, c.id AS cohort_id, c.name AS cohort, c.kind,
           t.name AS topic, greatest(?::DATE, c.created_at::DATE) AS began, m.joined_at
    FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN topics t ON t.id = c.topic_id
    WHERE m.left_at IS NULL AND c.status = 'active'
    ORDER BY m.staff_id, m.joined_at DESC, m.id DESC
),
held AS (
    SELECT cohort_id, count(*) AS held FROM meetings
    WHERE status = 'held' AND held_on <= ?::DATE GROUP BY cohort_id
),
came AS (
    SELECT DISTINCT a.staff_id, mt.cohort_id FROM attendance a
    JOIN meetings mt ON mt.id = a.meeting_id
    WHERE mt.status = 'held' AND mt.held_on <= ?::DATE
),
first_choice AS (
    SELECT DISTINCT ON (i.staff_id) i.staff_id, t.name AS topic
    FROM interests i JOIN topics t ON t.id = i.topic_id
    ORDER BY i.staff_id, i.rank
)
SELECT s.id AS staff_id, s.email, s.name, s.department, s.role, s.school,
       coalesce(cur.topic, fc.topic, '') AS topic,
       coalesce(cur.cohort, '') AS cohort,
       coalesce(cur.kind, '') AS kind,
       TRUE AS on_roster,
       sr.staff_id IS NOT NULL AS answered_survey,
       fc.staff_id IS NOT NULL OR cur.staff_id IS NOT NULL AS chose_topic,
       cur.staff_id IS NOT NULL AS in_group,
       came.staff_id IS NOT NULL AS met_once,
       coalesce(held.held, 0) AS meetings_held,
       cur.began
FROM staff s
LEFT JOIN cur ON cur.staff_id = s.id
LEFT JOIN survey_responses sr ON sr.staff_id = s.id
LEFT JOIN first_choice fc ON fc.staff_id = s.id
LEFT JOIN held ON held.cohort_id = cur.cohort_id
LEFT JOIN came ON came.staff_id = s.id AND came.cohort_id = cur.cohort_id
WHERE s.active
ORDER BY s.name, s.id
"""


def participation_table(con, today: date | None = None, school: str | None = None) -> pd.DataFrame:
    """One row per active staff member (of one `school` when given, see authz.scope):
    department, topic, cohort and a flag per stage.

    `topic` is the current cohort's topic, else the first survey choice. `on_cadence` means
    their cohort has held at least the meetings expected to date (see pdcore.health).
    """
    today = today or clock.today()
    s = settings.load(con)
    frame = db.read(con).execute(_SQL, [s.season_start, today, today]).df()
    if school is not None:
        frame = frame[frame["school"] == school].reset_index(drop=True)
    expected = [
        expected_meetings(
            began.date() if hasattr(began, "date") else began,
            s.season_end,
            today,
            s.meetings_per_month,
        )
        if not pd.isna(began)
        else 0
        for began in frame["began"]
    ]
    frame["meetings_expected"] = expected
    frame["on_cadence"] = (
        frame["in_group"]
        & frame["met_once"]
        & (frame["meetings_held"] >= frame["meetings_expected"])
    )
    return frame.drop(columns=["began"])


def funnel(frame: pd.DataFrame) -> pd.DataFrame:
    """People at each stage and their share of the roster, in funnel order."""
    total = len(frame)
    rows = []
    for col, label in STAGES:
        n = int(frame[col].sum()) if total else 0
        rows.append((label, n, round(n / total, 3) if total else 0.0))
    return pd.DataFrame(rows, columns=["stage", "people", "share"])


def by_group(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per value of `column` (department, topic, role): people and the share at each stage.

    One row per group, with a `people` count and a share column per stage after the roster.
    """
    columns = ["people"] + [label for col, label in STAGES[1:]]
    if frame.empty:
        return pd.DataFrame(columns=[column, *columns])
    grouped = frame.groupby(frame[column].replace("", "(none)"), sort=True)
    out = grouped[[col for col, _ in STAGES[1:]]].mean().round(3)
    out.columns = [STAGE_LABELS[c] for c in out.columns]
    out.insert(0, "people", grouped.size())
    return (
        out.reset_index()
        .rename(columns={"index": column})
        .sort_values("people", ascending=False, kind="stable")
    )


def filter_frame(
    frame: pd.DataFrame,
    departments: list[str] | None = None,
    topics: list[str] | None = None,
    roles: list[str] | None = None,
) -> pd.DataFrame:
    """Only the rows in the chosen departments, topics and roles (empty means all)."""
    mask = pd.Series(True, index=frame.index)
    if departments:
        mask &= frame["department"].isin(departments)
    if topics:
        mask &= frame["topic"].isin(topics)
    if roles:
        mask &= frame["role"].isin(roles)
    return frame[mask]


def by_season(con, school: str | None = None) -> pd.DataFrame:
    """Year over year: per season (oldest first), the teachers on the roster then, how many
    were in a cohort or project, and how many came to at least one meeting (of one
    `school`'s teachers when given, see authz.scope)."""
    return (
        db.read(con)
        .execute(
            """
        SELECT z.label AS season, z.starts_on,
               (SELECT count(*) FROM staff s WHERE s.role = 'teacher'
                  AND ($school IS NULL OR s.school = $school)
                  AND s.created_at::DATE <= z.ends_on
                  AND (s.deactivated_at IS NULL OR s.deactivated_at::DATE >= z.starts_on))
                   AS teachers,
               count(DISTINCT m.staff_id) FILTER (WHERE s.role = 'teacher') AS in_group,
               count(DISTINCT a.staff_id) FILTER (WHERE s.role = 'teacher') AS met_once
        FROM seasons z
        LEFT JOIN cohorts c ON c.season_id = z.id
        LEFT JOIN memberships m ON m.cohort_id = c.id
        LEFT JOIN staff s ON s.id = m.staff_id AND ($school IS NULL OR s.school = $school)
        LEFT JOIN meetings mt ON mt.cohort_id = c.id AND mt.status = 'held'
        LEFT JOIN attendance a ON a.meeting_id = mt.id AND a.staff_id = m.staff_id
        WHERE z.status <> 'upcoming'
        GROUP BY z.id, z.label, z.starts_on, z.ends_on ORDER BY z.starts_on
        """,
            {"school": school},
        )
        .df()
        .assign(
            share_in_group=lambda f: (
                (f["in_group"] / f["teachers"].where(f["teachers"] > 0)).fillna(0).round(3)
            )
        )
    )
