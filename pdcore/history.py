"""A teacher's past seasons: the cohorts they were in, each cohort's goal as it went, their own
reflections, their growth plan with its year-end reflection, and their PD hours.

Private like a growth plan: the teacher, their coach and admins may read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pdcore import db, growth, hours, seasons


@dataclass(frozen=True)
class PastCohort:
    name: str
    topic: str
    kind: str
    goals: tuple[str, ...]  # every version, oldest first
    reflections: tuple[str, ...]  # this teacher's own
    meetings_attended: int
    carried_on: bool  # carried into the next season


@dataclass(frozen=True)
class PastSeason:
    season: seasons.Season
    cohorts: tuple[PastCohort, ...]
    plan_focus: str
    plan_goals: tuple[str, ...]
    plan_reflection: str
    hours: float


def past_seasons(con, viewer_id: int, staff_id: int) -> list[PastSeason]:
    """Closed seasons this teacher took part in, newest first."""
    growth.require_view(con, viewer_id, staff_id)
    cur = db.read(con)
    out = []
    for season in seasons.past(con):
        rows = cur.execute(
            """
            SELECT c.id, c.name, t.name, c.kind,
                   EXISTS (SELECT 1 FROM cohorts n WHERE n.carried_from = c.id)
            FROM cohorts c JOIN topics t ON t.id = c.topic_id
            WHERE c.season_id = ? AND c.id IN (SELECT cohort_id FROM memberships WHERE staff_id = ?)
            ORDER BY c.created_at, c.id
            """,
            [season.id, staff_id],
        ).fetchall()
        groups = []
        for cid, name, topic, kind, carried in rows:
            goals = cur.execute(
                "SELECT text FROM goals WHERE cohort_id = ? ORDER BY version", [cid]
            ).fetchall()
            notes = cur.execute(
                "SELECT text FROM reflections WHERE cohort_id = ? AND author_id = ? "
                "ORDER BY created_at",
                [cid, staff_id],
            ).fetchall()
            came = cur.execute(
                "SELECT count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id "
                "WHERE m.cohort_id = ? AND a.staff_id = ?",
                [cid, staff_id],
            ).fetchone()[0]
            groups.append(
                PastCohort(
                    name,
                    topic,
                    kind,
                    tuple(g[0] for g in goals),
                    tuple(n[0] for n in notes),
                    came,
                    bool(carried),
                )
            )
        plan = cur.execute(
            "SELECT id, focus, reflection FROM growth_plans WHERE staff_id = ? AND school_year = ?",
            [staff_id, season.label],
        ).fetchone()
        plan_goals = ()
        if plan:
            plan_goals = tuple(
                g[0]
                for g in cur.execute(
                    "SELECT goal FROM growth_goals WHERE plan_id = ? ORDER BY position", [plan[0]]
                ).fetchall()
            )
        total = hours.record(con, viewer_id, staff_id, season.id).total_hours
        if groups or plan or total:
            out.append(
                PastSeason(
                    season,
                    tuple(groups),
                    plan[1] if plan else "",
                    plan_goals,
                    plan[2] if plan else "",
                    total,
                )
            )
    return out
