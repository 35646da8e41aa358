"""PD hours on record: each teacher's professional-development hours per season, from the work
itself (no form to fill): cohort meetings attended times their length, staff-development
sessions attended (each counts the school's session length), and one-on-one coaching.

A season's cohort hours are its cohorts' meetings; sessions and coaching count by date, inside
the season's school year (August to July). The record lists every line behind the total, so a
teacher can hand it in for recertification and an admin can check it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import pandas as pd

from pdcore import db, growth, roster, seasons, settings
from pdcore.model import PermissionDenied, Role

KINDS = {"cohort": "Cohort meeting", "session": "Staff development", "coaching": "Coaching"}


def school_year_bounds(season: seasons.Season) -> tuple[date, date]:
    """August 1 to July 31 around the season (when its sessions and coaching count)."""
    year = int(season.label[:4])
    return date(year, 8, 1), date(year + 1, 7, 31)


_LINES = """
SELECT a.staff_id, 'cohort' AS kind, mt.held_on AS day, c.name AS what, mt.minutes
FROM attendance a
JOIN meetings mt ON mt.id = a.meeting_id AND mt.status = 'held'
JOIN cohorts c ON c.id = mt.cohort_id
WHERE c.season_id = $season
UNION ALL
SELECT g.staff_id, 'session', g.day, o.title, $session_minutes
FROM sd_signups g JOIN sd_sessions o ON o.id = g.session_id
WHERE g.attended AND g.day BETWEEN $first AND $last
UNION ALL
SELECT k.staff_id, 'coaching', k.held_on, 'One-on-one coaching', k.minutes
FROM coaching_sessions k
WHERE k.held_on BETWEEN $first AND $last
"""


def _lines(con, season: seasons.Season, staff_id: int | None = None) -> pd.DataFrame:
    first, last = school_year_bounds(season)
    params = {
        "season": season.id,
        "session_minutes": settings.load(con).session_minutes,
        "first": first,
        "last": last,
    }
    sql = f"SELECT * FROM ({_LINES}) x"
    if staff_id is not None:
        sql += " WHERE staff_id = $staff"
        params["staff"] = staff_id
    return db.read(con).execute(sql + " ORDER BY day, kind, what", params).df()


def _season(con, season_id: int | None) -> seasons.Season | None:
    return seasons.by_id(con, season_id) if season_id else seasons.current(con)


def hours_table(con, actor_id: int, season_id: int | None = None) -> pd.DataFrame:
    """Admins: one row per active teacher with the season's hours by kind and in total."""
    actor = roster.by_id(con, actor_id)
    if actor is None or actor.role != Role.ADMIN or not actor.active:
        raise PermissionDenied("Only administrators can see everyone's PD hours.")
    columns = ["staff_id", "name", "email", "department", "cohort", "session", "coaching"]
    season = _season(con, season_id)
    people = pd.DataFrame(
        [
            (p.id, p.name, p.email, p.department)
            for p in roster.active_staff(con, Role.TEACHER)
            if not actor.school or p.school == actor.school or not p.school
        ],
        columns=columns[:4],
    )
    if season is None:
        return people.assign(cohort=0.0, session=0.0, coaching=0.0, total=0.0)
    lines = _lines(con, season)
    per = (
        lines.pivot_table(index="staff_id", columns="kind", values="minutes", aggfunc="sum")
        .reindex(columns=list(KINDS), fill_value=0)
        .fillna(0)
        / 60
    ).round(2)
    out = people.merge(per, left_on="staff_id", right_index=True, how="left")
    out[list(KINDS)] = out[list(KINDS)].fillna(0.0)
    out["total"] = out[list(KINDS)].sum(axis=1).round(2)
    return out.rename(
        columns={"cohort": "cohort_hours", "session": "session_hours", "coaching": "coaching_hours",
                 "total": "total_hours"}
    ).sort_values(["name", "staff_id"]).reset_index(drop=True)  # fmt: skip


@dataclass(frozen=True)
class HoursRecord:
    """One teacher's PD hours in one season, line by line."""

    name: str
    email: str
    school: str
    season: seasons.Season
    lines: pd.DataFrame  # day, kind (label), what, minutes

    @property
    def total_hours(self) -> float:
        return round(float(self.lines["minutes"].sum()) / 60, 2) if len(self.lines) else 0.0

    def hours_by_kind(self) -> dict[str, float]:
        """Hours per kind of work, in the order KINDS lists them (zeros included)."""
        sums = self.lines.groupby("kind")["minutes"].sum() if len(self.lines) else {}
        return {label: round(float(sums.get(label, 0)) / 60, 2) for label in KINDS.values()}


def record(con, viewer_id: int, staff_id: int, season_id: int | None = None) -> HoursRecord:
    """A teacher's record for a season (the current one by default): the teacher, their coach
    and admins may see it (as for a growth plan)."""
    growth.require_view(con, viewer_id, staff_id)
    person = roster.by_id(con, staff_id)
    season = _season(con, season_id)
    if person is None or season is None:
        raise PermissionDenied("There is no such record.")
    lines = _lines(con, season, staff_id)[["day", "kind", "what", "minutes"]]
    lines["kind"] = lines["kind"].map(KINDS)
    return HoursRecord(person.name, person.email, person.school, season, lines)


def record_html(r: HoursRecord, school_name: str = "") -> str:
    """The record as a standalone page that prints cleanly on one sheet (every text escaped)."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{day:%Y-%m-%d}</td><td>{e(kind)}</td><td>{e(str(what))}</td>"
        f"<td class=n>{minutes / 60:.2f}</td></tr>"
        for day, kind, what, minutes in r.lines.itertuples(index=False)
    )
    kinds = "".join(
        f"<tr><td>{e(k)}</td><td class=n>{h:.2f}</td></tr>" for k, h in r.hours_by_kind().items()
    )
    where = e(school_name or r.school)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>PD hours: {e(r.name)}, {e(r.season.label)}</title>
<style>
 body {{ font: 11pt/1.4 Georgia, serif; margin: 2cm; color: #111; }}
 h1 {{ font-size: 16pt; margin: 0 0 .2em; }} p {{ margin: .2em 0; }}
 table {{ border-collapse: collapse; width: 100%; margin-top: 1em; }}
 th, td {{ border-bottom: 1px solid #bbb; padding: 3px 6px; text-align: left; }}
 td.n, th.n {{ text-align: right; }}
 .sign {{ margin-top: 3em; display: flex; gap: 4em; }}
 .sign div {{ border-top: 1px solid #111; padding-top: 4px; width: 16em; }}
 @media print {{ body {{ margin: 1.5cm; }} tr {{ break-inside: avoid; }} }}
</style></head><body>
<h1>Professional development hours, season {e(r.season.label)}</h1>
<p><strong>{e(r.name)}</strong> &lt;{e(r.email)}&gt;{", " + where if where else ""}</p>
<p>{r.season.starts_on:%B %-d, %Y} to {r.season.ends_on:%B %-d, %Y}.
Total: <strong>{r.total_hours:.2f} hours</strong>.</p>
<table><tr><th>Kind</th><th class=n>Hours</th></tr>{kinds}</table>
<table><tr><th>Date</th><th>Kind</th><th>What</th><th class=n>Hours</th></tr>{rows}</table>
<div class=sign><div>Teacher</div><div>Administrator</div></div>
</body></html>
"""
