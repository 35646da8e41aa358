"""Seasons: a school year's cohort cycle, closed by an admin into read-only history.

A season has its dates and its interest-survey window; its cohorts (with their meetings, goals
and reflections) and its end-of-season feedback carry its id, growth plans its label, sessions
and coaching fall in it by date. At most one season is `current`. An admin opens the next one
while the current one runs (status `upcoming`), so its interest survey can open before this
season ends, as schools do; closing the current season then makes the upcoming one current,
carrying over the cohorts the admin picks (with the members who voted to continue, goal
history kept) and every growth plan (its year-end reflection stays with last year's plan).
Coaches keep their caseload, topics stay with their write-in merges, and each season keeps a
snapshot of topic demand as it stood when its cohorts formed (season_topics).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from pdcore import authz, clock, db
from pdcore.model import StaffMember, ValidationError

SEASON_CLOSED_REASON = "season closed"


@dataclass(frozen=True)
class Season:
    id: int
    label: str  # the school year, '2026-27'
    starts_on: date
    ends_on: date
    survey_opens: date | None
    survey_close: date | None
    status: str  # 'upcoming', 'current' or 'closed'
    closed_at: datetime | None = None

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class CarryOffer:
    """A cohort of the current season that may carry over, and who voted to continue."""

    cohort_id: int
    name: str
    topic: str
    members: int
    staying: tuple[int, ...]  # staff ids of members who voted yes
    staying_names: tuple[str, ...]


@dataclass(frozen=True)
class CloseResult:
    season: Season
    cohorts_closed: int
    cohorts_carried: int
    members_carried: int
    plans_carried: int

    def sentence(self) -> str:
        return (
            f"Season {self.season.label} is closed: {self.cohorts_closed} cohorts are now history, "
            f"{self.cohorts_carried} carried over with {self.members_carried} members, "
            f"and {self.plans_carried} growth plans carried over."
        )


class NeedsConfirmation(ValidationError):
    """Closing would leave something unfinished; the message says what. Confirm to go on."""


_COLUMNS = "id, label, starts_on, ends_on, survey_opens, survey_close, status, closed_at"


def label_for(starts_on: date) -> str:
    """The school-year label of a season starting on `starts_on` (August to July)."""
    year = starts_on.year if starts_on.month >= 8 else starts_on.year - 1
    return f"{year}-{str(year + 1)[-2:]}"


def all_seasons(con) -> list[Season]:
    """Every season, newest first."""
    rows = db.read(con).execute(f"SELECT {_COLUMNS} FROM seasons ORDER BY starts_on DESC")
    return [Season(*r) for r in rows.fetchall()]


def current(con) -> Season | None:
    """The season the school is in: the current one, else the upcoming, else the last closed."""
    order = "CASE status WHEN 'current' THEN 0 WHEN 'upcoming' THEN 1 ELSE 2 END, starts_on DESC"
    row = db.read(con).execute(f"SELECT {_COLUMNS} FROM seasons ORDER BY {order} LIMIT 1")
    found = row.fetchone()
    return Season(*found) if found else None


def upcoming(con) -> Season | None:
    """The next season, opened before the current one closed; None when there is none."""
    row = db.read(con).execute(f"SELECT {_COLUMNS} FROM seasons WHERE status = 'upcoming'")
    found = row.fetchone()
    return Season(*found) if found else None


def past(con) -> list[Season]:
    """Closed seasons, newest first ("last season" is the first)."""
    return [s for s in all_seasons(con) if s.is_closed]


def by_id(con, season_id: int) -> Season | None:
    row = db.read(con).execute(f"SELECT {_COLUMNS} FROM seasons WHERE id = ?", [season_id])
    found = row.fetchone()
    return Season(*found) if found else None


def current_id(cur) -> int | None:
    """The current season's id inside a caller's transaction (for rows that carry it)."""
    row = cur.execute(
        "SELECT id FROM seasons ORDER BY CASE status WHEN 'current' THEN 0 "
        "WHEN 'upcoming' THEN 1 ELSE 2 END, starts_on DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def set_dates(cur, changes: dict) -> None:
    """Settings changed the season's dates (season_start, season_end, survey_close): keep the
    current season in step (the survey's close: next season's, once it is open), inside the
    caller's transaction."""
    sid = current_id(cur)
    if sid is None:
        return
    start, end = cur.execute(
        "SELECT starts_on, ends_on FROM seasons WHERE id = ?", [sid]
    ).fetchone()
    start, end = changes.get("season_start") or start, changes.get("season_end") or end
    other = cur.execute(
        "SELECT label FROM seasons WHERE id <> ? AND (label = ? OR (starts_on <= ? AND ends_on >= ?))",
        [sid, label_for(start), end, start],
    ).fetchone()
    if other:
        raise ValidationError(
            f"Those dates overlap season {other[0]}; each season has its own school year."
        )
    if changes.get("season_start"):
        cur.execute(
            "UPDATE seasons SET starts_on = ?, label = ? WHERE id = ?",
            [start, label_for(start), sid],
        )
    if changes.get("season_end"):
        cur.execute("UPDATE seasons SET ends_on = ? WHERE id = ?", [changes["season_end"], sid])
    if "survey_close" in changes:
        nxt = cur.execute("SELECT id FROM seasons WHERE status = 'upcoming'").fetchone()
        cur.execute(
            "UPDATE seasons SET survey_close = ? WHERE id = ?",
            [changes["survey_close"], nxt[0] if nxt else sid],
        )


def _long(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _season_now(cur) -> Season | None:
    row = cur.execute(f"SELECT {_COLUMNS} FROM seasons WHERE status = 'current'").fetchone()
    return Season(*row) if row else None


def _snapshot_topics(cur, season_id: int) -> None:
    """Keep topic demand as it stands now for this season (once: the first snapshot wins)."""
    cur.execute(
        """
        INSERT INTO season_topics (season_id, topic_id, status, first_choice, any_choice, cohorts)
        SELECT ?, t.id, t.status,
               (SELECT count(*) FROM interests i WHERE i.topic_id = t.id AND i.rank = 1),
               (SELECT count(*) FROM interests i WHERE i.topic_id = t.id),
               (SELECT count(*) FROM cohorts c WHERE c.topic_id = t.id AND c.season_id = ?)
        FROM topics t WHERE t.merged_into IS NULL
        ON CONFLICT DO NOTHING
        """,
        [season_id, season_id],
    )


@authz.write(authz.ADMIN)
def open_next(
    con,
    actor: StaffMember,
    starts_on: date,
    ends_on: date,
    survey_opens: date | None = None,
    survey_close: date | None = None,
) -> Season:
    """Open the next season (upcoming while the current one runs), with its survey window."""
    if not starts_on or not ends_on or ends_on <= starts_on:
        raise ValidationError("The new season must end after it starts.")
    with db.transaction(con) as cur:
        pending = cur.execute("SELECT label FROM seasons WHERE status = 'upcoming'").fetchone()
        if pending:
            raise ValidationError(
                f"Season {pending[0]} is already open for next year; close this season first."
            )
        last = cur.execute(
            "SELECT label, ends_on FROM seasons ORDER BY ends_on DESC LIMIT 1"
        ).fetchone()
        if last and starts_on <= last[1]:
            raise ValidationError(
                f"The new season overlaps season {last[0]}, which ends on {_long(last[1])}: "
                "start it after that day."
            )
        if survey_opens and survey_close and survey_close < survey_opens:
            raise ValidationError("The interest survey must close after it opens.")
        if survey_close and survey_close > starts_on:
            raise ValidationError("The interest survey must close before the season starts.")
        label = label_for(starts_on)
        if cur.execute("SELECT 1 FROM seasons WHERE label = ?", [label]).fetchone():
            raise ValidationError(f"There is already a {label} season; start in the next year.")
        now = _season_now(cur)
        if now:
            _snapshot_topics(cur, now.id)  # demand that formed this season, before the new survey
        season_id = cur.execute(
            "INSERT INTO seasons (label, starts_on, ends_on, survey_opens, survey_close, status, "
            "opened_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                label,
                starts_on,
                ends_on,
                survey_opens,
                survey_close,
                "upcoming" if now else "current",
                actor.id,
            ],
        ).fetchone()[0]
        db.audit(cur, actor.id, "season.open", "season", season_id, json.dumps({"label": label}))
    return by_id(con, season_id)


def carry_over_offers(con, season_id: int | None = None) -> list[CarryOffer]:
    """Active cohorts of the current season with at least one member voting to continue."""
    season = by_id(con, season_id) if season_id else current(con)
    if season is None:
        return []
    rows = (
        db.read(con)
        .execute(
            """
        SELECT c.id, c.name, t.name, count(*) AS members,
               array_agg(m.staff_id ORDER BY s.name) FILTER (WHERE f.continue_vote = 'yes'),
               array_agg(s.name ORDER BY s.name) FILTER (WHERE f.continue_vote = 'yes')
        FROM cohorts c
        JOIN topics t ON t.id = c.topic_id
        JOIN memberships m ON m.cohort_id = c.id AND m.left_at IS NULL
        JOIN staff s ON s.id = m.staff_id
        LEFT JOIN season_feedback f ON f.staff_id = m.staff_id AND f.season_id = c.season_id
        WHERE c.season_id = ? AND c.status = 'active'
        GROUP BY c.id, c.name, t.name
        ORDER BY c.name, c.id
        """,
            [season.id],
        )
        .fetchall()
    )
    return [
        CarryOffer(cid, name, topic, n, tuple(ids or ()), tuple(names or ()))
        for cid, name, topic, n, ids, names in rows
        if ids
    ]


def close_concerns(con) -> list[str]:
    """What closing the current season now would leave unfinished, in sentences."""
    season = current(con)
    if season is None or season.status != "current":
        return []
    cur = db.read(con)
    place_me = cur.execute(
        "SELECT count(*) FROM help_requests WHERE kind = 'place_me' AND status = 'open'"
    ).fetchone()[0]
    unanswered = cur.execute(
        """
        SELECT count(DISTINCT m.staff_id) FROM memberships m
        JOIN cohorts c ON c.id = m.cohort_id
        JOIN staff s ON s.id = m.staff_id
        WHERE c.season_id = ? AND s.active AND s.role = 'teacher'
          AND NOT EXISTS (SELECT 1 FROM season_feedback f
                          WHERE f.staff_id = m.staff_id AND f.season_id = ?)
        """,
        [season.id, season.id],
    ).fetchone()[0]
    out = []
    if place_me:
        out.append(f"{place_me} 'place me' requests are still open.")
    if unanswered:
        out.append(f"{unanswered} teachers in this season's cohorts have not answered the "
                   "end-of-season survey.")  # fmt: skip
    return out


@authz.write(authz.ADMIN)
def close(
    con, actor: StaffMember, carry: tuple[int, ...] | list[int] = (), confirm: bool = False
) -> CloseResult:
    """Close the current season: its cohorts become history and the upcoming season (if
    opened) becomes current, with the carried cohorts and every growth plan carried over.

    Raises NeedsConfirmation (nothing changed) when requests or surveys are unfinished and
    `confirm` is false; ValidationError when there is no season to close.
    """
    season = current(con)
    if season is None or season.status != "current":
        last = season.label if season else "this"
        raise ValidationError(f"Season {last} is already closed; open the next one instead.")
    if clock.today() < season.starts_on:
        raise ValidationError(
            f"Season {season.label} has not started yet (it starts on {_long(season.starts_on)})."
        )
    concerns = close_concerns(con)
    if concerns and not confirm:
        raise NeedsConfirmation(" ".join(concerns) + " Confirm to close the season anyway.")
    nxt = upcoming(con)
    carry = [int(c) for c in dict.fromkeys(carry or ())]
    if carry and nxt is None:
        raise ValidationError("Open next season first, so carried cohorts have a season to go to.")
    offers = {o.cohort_id: o for o in carry_over_offers(con, season.id)}
    unknown = [c for c in carry if c not in offers]
    if unknown:
        raise ValidationError(
            "Only cohorts of this season with members who voted to continue can carry over."
        )
    cohorts_carried = members_carried = plans_carried = 0
    with db.transaction(con) as cur:
        if cur.execute("SELECT status FROM seasons WHERE id = ?", [season.id]).fetchone()[0] != (
            "current"
        ):
            raise ValidationError(f"Season {season.label} is already closed.")
        _snapshot_topics(cur, season.id)
        for cid in carry:
            offer = offers[cid]
            old = cur.execute(
                "SELECT topic_id, name, kind, slot_id, school FROM cohorts WHERE id = ?", [cid]
            ).fetchone()
            new_id = cur.execute(
                "INSERT INTO cohorts (topic_id, name, kind, slot_id, school, created_by, "
                "carried_from, season_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [*old, actor.id, cid, nxt.id],
            ).fetchone()[0]
            # The goal's history comes along: every version, as written and when.
            cur.execute(
                "INSERT INTO goals (cohort_id, version, text, author_id, created_at) "
                "SELECT ?, version, text, author_id, created_at FROM goals WHERE cohort_id = ?",
                [new_id, cid],
            )
            for staff_id in offer.staying:
                cur.execute(
                    "UPDATE memberships SET left_at = current_localtimestamp(), left_reason = ? "
                    "WHERE cohort_id = ? AND staff_id = ? AND left_at IS NULL",
                    [SEASON_CLOSED_REASON, cid, staff_id],
                )
                cur.execute(
                    "INSERT INTO memberships (cohort_id, staff_id, how) VALUES (?, ?, 'joined')",
                    [new_id, staff_id],
                )
            db.audit(cur, actor.id, "cohort.carry_over", "cohort", new_id,
                     json.dumps({"from": cid, "members": len(offer.staying)}))  # fmt: skip
            cohorts_carried += 1
            members_carried += len(offer.staying)
        closed = cur.execute(
            "SELECT count(*) FROM cohorts WHERE season_id = ? AND status = 'active'", [season.id]
        ).fetchone()[0]
        cur.execute(
            "UPDATE memberships SET left_at = current_localtimestamp(), left_reason = ? "
            "WHERE left_at IS NULL AND cohort_id IN (SELECT id FROM cohorts WHERE season_id = ?)",
            [SEASON_CLOSED_REASON, season.id],
        )
        cur.execute(
            "UPDATE cohorts SET status = 'closed' WHERE season_id = ? AND status = 'active'",
            [season.id],
        )
        if nxt is not None:
            plans_carried = _carry_plans(cur, season.label, nxt.label)
            cur.execute("UPDATE seasons SET status = 'current' WHERE id = ?", [nxt.id])
        cur.execute(
            "UPDATE seasons SET status = 'closed', closed_at = current_localtimestamp(), "
            "closed_by = ? WHERE id = ?",
            [actor.id, season.id],
        )
        db.audit(cur, actor.id, "season.close", "season", season.id,
                 json.dumps({"carried": cohorts_carried, "plans": plans_carried}))  # fmt: skip
    return CloseResult(
        by_id(con, season.id), closed, cohorts_carried, members_carried, plans_carried
    )


def _carry_plans(cur, old_label: str, new_label: str) -> int:
    """Copy active staff's growth plans (focus, topic, goals) into the new season; the year-end
    reflection stays on last year's plan, which the Growth plan page shows beside the new one."""
    rows = cur.execute(
        """
        SELECT p.id, p.staff_id, p.focus, p.topic_id FROM growth_plans p
        JOIN staff s ON s.id = p.staff_id
        WHERE p.school_year = ? AND s.active
          AND NOT EXISTS (SELECT 1 FROM growth_plans q
                          WHERE q.staff_id = p.staff_id AND q.school_year = ?)
        """,
        [old_label, new_label],
    ).fetchall()
    for plan_id, staff_id, focus, topic_id in rows:
        new_id = cur.execute(
            "INSERT INTO growth_plans (staff_id, school_year, focus, topic_id) "
            "VALUES (?, ?, ?, ?) RETURNING id",
            [staff_id, new_label, focus, topic_id],
        ).fetchone()[0]
        cur.execute(
            "INSERT INTO growth_goals (plan_id, position, goal, measure) "
            "SELECT ?, position, goal, measure FROM growth_goals WHERE plan_id = ?",
            [new_id, plan_id],
        )
    return len(rows)


def topic_demand_history(con) -> pd.DataFrame:
    """Each topic's first choices in every season with a snapshot (one column per season,
    oldest first): the history a school reads before offering a topic again."""
    long = (
        db.read(con)
        .execute(
            "SELECT t.name AS topic, z.label AS season, s.first_choice FROM season_topics s "
            "JOIN seasons z ON z.id = s.season_id JOIN topics t ON t.id = s.topic_id "
            "ORDER BY z.starts_on, t.name"
        )
        .df()
    )
    if long.empty:
        return pd.DataFrame(columns=["topic"])
    wide = long.pivot_table(index="topic", columns="season", values="first_choice", aggfunc="sum")
    wide = wide.reindex(columns=list(dict.fromkeys(long["season"]))).fillna(0).astype(int)
    return (
        wide.sort_values(wide.columns[-1], ascending=False).reset_index().rename_axis(None, axis=1)
    )
