"""Season feedback: the end-of-season survey (value 1-5, what got in the way, the vote to
continue), and its results overall, by topic and by the health of the person's cohort.

The survey opens FEEDBACK_WINDOW_DAYS before the season ends; each teacher answers once.
Obstacles are stored as one text, the chosen items joined by "; ".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from pdcore import authz, clock, db, health, seasons, settings
from pdcore.model import StaffMember, ValidationError

FEEDBACK_WINDOW_DAYS = 14
MAX_COMMENT = 2000
VOTES = ("yes", "no", "unsure")
# The known pains from the first year, offered as choices (anything else is kept as typed).
OBSTACLES = (
    "Too many choices",
    "Wanted to learn from an expert",
    "Time was not in the school day",
    "Wanted an individual project",
    "Hard to find a group",
)
_OBSTACLE_KEYS = {o.lower(): o for o in OBSTACLES}


def opens_on(s: settings.Settings) -> date:
    """The day the end-of-season survey opens."""
    return s.season_end - timedelta(days=FEEDBACK_WINDOW_DAYS)


def is_open(s: settings.Settings, today: date) -> bool:
    """Whether teachers can answer today: from opens_on until the season's end."""
    return opens_on(s) <= today <= s.season_end


def _season_id(con, season_id: int | None) -> int | None:
    if season_id is not None:
        return season_id
    season = seasons.current(con)
    return season.id if season else None


def my_answer(con, staff_id: int, season_id: int | None = None) -> dict | None:
    """This teacher's own answer this season (or `season_id`'s), or None when they have not
    answered."""
    row = (
        db.read(con)
        .execute(
            "SELECT value, obstacles, continue_vote, comment, submitted_at "
            "FROM season_feedback WHERE staff_id = ? AND season_id = ?",
            [staff_id, _season_id(con, season_id)],
        )
        .fetchone()
    )
    if row is None:
        return None
    return dict(
        zip(("value", "obstacles", "continue_vote", "comment", "submitted_at"), row, strict=True)
    )


def split_obstacles(text: str) -> list[str]:
    """The obstacles in one stored answer: known ones in their usual words, others as typed."""
    out = []
    for part in (text or "").replace("\n", ";").replace("|", ";").split(";"):
        part = " ".join(part.split())
        if part:
            label = _OBSTACLE_KEYS.get(part.lower(), part[:1].upper() + part[1:])
            if label not in out:
                out.append(label)
    return out


@authz.write(authz.SELF)
def submit(
    con,
    actor: StaffMember,
    value: int,
    obstacles: list[str],
    continue_vote: str,
    today: date | None = None,
    comment: str = "",
) -> None:
    """Record one teacher's end-of-season answer (once a season; a second is refused)."""
    staff_id = actor.id
    today = today or clock.today()
    s = settings.load(con)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(f"Keep the comment under {MAX_COMMENT} characters.")
    if today < opens_on(s):
        raise ValidationError(
            f"The end-of-season survey opens on {opens_on(s):%B %-d}; come back then."
        )
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationError("Rate how valuable your cohort was from 1 to 5.")
    if continue_vote not in VOTES:
        raise ValidationError("Vote yes, no or unsure on continuing next year.")
    text = "; ".join(dict.fromkeys(" ".join(o.split()) for o in obstacles if o and o.strip()))
    with db.transaction(con) as cur:
        season_id = seasons.current_id(cur)
        if cur.execute(
            "SELECT 1 FROM season_feedback WHERE staff_id = ? AND season_id = ?",
            [staff_id, season_id],
        ).fetchone():
            raise ValidationError("You already answered the end-of-season survey. Thank you!")
        cur.execute(
            "INSERT INTO season_feedback "
            "(season_id, staff_id, submitted_at, value, obstacles, continue_vote, comment) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [season_id, staff_id, clock.now(), value, text, continue_vote, comment],
        )
        db.audit(cur, staff_id, "feedback.submit", "staff", staff_id, json.dumps({"value": value}))


_SQL = """
WITH last_cohort AS (
    -- the cohort a person is in now, else the one they were in last
    SELECT DISTINCT ON (m.staff_id) m.staff_id, m.cohort_id, t.name AS topic
    FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN topics t ON t.id = c.topic_id
    WHERE c.season_id = ?
    ORDER BY m.staff_id, m.left_at IS NULL DESC, m.joined_at DESC, m.id DESC
),
first_choice AS (
    SELECT DISTINCT ON (i.staff_id) i.staff_id, t.name AS topic
    FROM interests i JOIN topics t ON t.id = i.topic_id
    ORDER BY i.staff_id, i.rank
)
SELECT f.staff_id, s.department, f.value, f.obstacles, f.continue_vote, f.comment, f.submitted_at,
       lc.cohort_id, coalesce(lc.topic, fc.topic, '(no topic)') AS topic
FROM season_feedback f
JOIN staff s ON s.id = f.staff_id
LEFT JOIN last_cohort lc ON lc.staff_id = f.staff_id
LEFT JOIN first_choice fc ON fc.staff_id = f.staff_id
WHERE f.season_id = ? AND (? IS NULL OR s.school = ?)
ORDER BY f.submitted_at, f.staff_id
"""


def feedback_table(
    con, today: date | None = None, season_id: int | None = None, school: str | None = None
) -> pd.DataFrame:
    """One row per answer this season (or `season_id`'s) with the person's topic and their
    cohort's health light ('no cohort' when they were never in one); the answers of one
    `school`'s people when given (see authz.scope)."""
    season_id = _season_id(con, season_id)
    frame = db.read(con).execute(_SQL, [season_id, season_id, school, school]).df()
    if frame.empty:  # mid-season: skip the health table, the costliest part
        return frame.assign(light=pd.Series(dtype=str))
    lights = health.health_table(con, today, school)[["cohort_id", "light"]]
    frame = frame.merge(lights, on="cohort_id", how="left")
    frame["light"] = frame["light"].where(
        frame["cohort_id"].isna(), frame["light"].fillna("closed")
    )
    frame["light"] = frame["light"].fillna("no cohort")
    return frame


def _summarise(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    grouped = frame.groupby(column, sort=True)
    out = pd.DataFrame(
        {
            "answers": grouped.size(),
            "mean_value": grouped["value"].mean().round(2),
            "continue_yes": grouped["continue_vote"].apply(lambda v: round((v == "yes").mean(), 3)),
        }
    )
    return out.reset_index().sort_values(["answers", column], ascending=[False, True])


@dataclass(frozen=True)
class FeedbackSummary:
    """The end-of-season survey's results, overall and broken down."""

    answers: int
    eligible: int  # active teachers
    mean_value: float | None
    votes: dict  # 'yes'/'no'/'unsure' -> count
    by_topic: pd.DataFrame
    by_light: pd.DataFrame
    obstacles: pd.DataFrame  # obstacle, people, share of answers
    values: pd.DataFrame  # value 1-5, answers

    @property
    def continue_share(self) -> float:
        """The share of answers voting to continue (0 when nobody answered)."""
        return self.votes.get("yes", 0) / self.answers if self.answers else 0.0

    def sentence(self) -> str:
        """The headline a school reads at its council."""
        if not self.answers:
            return "No answers yet."
        return (
            f"{self.answers} of {self.eligible} teachers answered; "
            f"{self.continue_share:.0%} voted to continue; "
            f"the average value was {self.mean_value:.1f} out of 5."
        )


def summary(
    con, today: date | None = None, season_id: int | None = None, school: str | None = None
) -> FeedbackSummary:
    """Results overall, by topic, by cohort health light, and the obstacles named (of one
    `school`'s teachers when given)."""
    frame = feedback_table(con, today, season_id, school)
    eligible = (
        db.read(con)
        .execute(
            "SELECT count(*) FROM staff WHERE active AND role = 'teacher' "
            "AND (? IS NULL OR school = ?)",
            [school, school],
        )
        .fetchone()[0]
    )
    n = len(frame)
    votes = {v: int((frame["continue_vote"] == v).sum()) for v in VOTES}
    counts: dict[str, int] = {}
    for text in frame["obstacles"]:
        for item in split_obstacles(text):
            counts[item] = counts.get(item, 0) + 1
    obstacles = pd.DataFrame(
        sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), columns=["obstacle", "people"]
    )
    obstacles["share"] = (obstacles["people"] / n).round(3) if n else 0.0
    values = pd.DataFrame(
        {"value": range(1, 6), "answers": [int((frame["value"] == v).sum()) for v in range(1, 6)]}
    )
    empty = pd.DataFrame(columns=["answers", "mean_value", "continue_yes"])
    return FeedbackSummary(
        answers=n,
        eligible=eligible,
        mean_value=round(float(frame["value"].mean()), 2) if n else None,
        votes=votes,
        by_topic=_summarise(frame, "topic") if n else empty.assign(topic=[]),
        by_light=_summarise(frame, "light") if n else empty.assign(light=[]),
        obstacles=obstacles,
        values=values,
    )


def comments(
    con, today: date | None = None, season_id: int | None = None, school: str | None = None
) -> pd.DataFrame:
    """The free comments, without names: topic, value, vote and what was written (of one
    `school`'s teachers when given)."""
    frame = feedback_table(con, today, season_id, school)
    written = frame[frame["comment"].fillna("").str.strip() != ""]
    return written[["topic", "value", "continue_vote", "comment"]].reset_index(drop=True)


def by_season(con, school: str | None = None) -> pd.DataFrame:
    """Year over year: answers, average value and the share voting to continue, per season
    (oldest first), for the council that decides whether to keep refining (of one `school`'s
    teachers when given, see authz.scope)."""
    return (
        db.read(con)
        .execute(
            """
        SELECT z.label AS season, z.starts_on, count(f.staff_id) AS answers,
               round(avg(f.value), 2) AS mean_value,
               round(coalesce(avg(CASE WHEN f.continue_vote = 'yes' THEN 1.0 ELSE 0 END), 0), 3)
                   AS continue_yes
        FROM seasons z LEFT JOIN season_feedback f ON f.season_id = z.id
             AND ($school IS NULL OR f.staff_id IN (SELECT id FROM staff WHERE school = $school))
        GROUP BY z.label, z.starts_on ORDER BY z.starts_on
        """,
            {"school": school},
        )
        .df()
    )
