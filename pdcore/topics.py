"""Topics: the offered list, proposed write-ins, demand from the survey, and admin decisions.

A topic counts as offered when an admin offered it, or, while it is undecided ('proposed'),
when at least the offer threshold of people chose it first. Retired topics never are.
"""

from __future__ import annotations

from dataclasses import dataclass

from pdcore import db, settings


@dataclass(frozen=True)
class TopicInfo:
    id: int
    name: str
    description: str
    status: str  # 'offered' | 'proposed' | 'retired'
    is_write_in: bool
    expert_led: bool
    first_choice: int  # active people who ranked it first
    any_rank: int  # active people who ranked it at all
    is_offered: bool  # by an admin, or by reaching the threshold while undecided


def is_offered(status: str, first_choice: int, threshold: int) -> bool:
    """The one rule for 'offered' (see module docstring)."""
    return status == "offered" or (status == "proposed" and first_choice >= threshold)


def topic_list(con, include_retired: bool = False) -> list[TopicInfo]:
    """Every topic not merged away, with survey demand, most wanted first."""
    threshold = settings.load(con).offer_threshold
    rows = (
        db.read(con)
        .execute(
            """
        SELECT t.id, t.name, t.description, t.status, t.is_write_in, t.expert_led,
               count(DISTINCT i.staff_id) FILTER (WHERE i.rank = 1) AS first_choice,
               count(DISTINCT i.staff_id) AS any_rank
        FROM topics t
        LEFT JOIN interests i ON i.topic_id = t.id
             AND i.staff_id IN (SELECT id FROM staff WHERE active)
        WHERE t.merged_into IS NULL AND (? OR t.status <> 'retired')
        GROUP BY ALL
        ORDER BY first_choice DESC, any_rank DESC, t.name
        """,
            [include_retired],
        )
        .fetchall()
    )
    return [TopicInfo(*r, is_offered=is_offered(r[3], r[6], threshold)) for r in rows]


def offered(con) -> list[TopicInfo]:
    """The topics teachers can form cohorts on now."""
    return [t for t in topic_list(con) if t.is_offered]
