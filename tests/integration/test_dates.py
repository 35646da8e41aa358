"""Any day of the year: the demo school and every date-sensitive rule, at a dozen dates over a
year (a leap day, the season's first and last days, the interest survey's last day and the day
after, the end-of-season survey's first day, midsummer, the turn of the school year)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pdcore import (
    clock,
    db,
    demo,
    feedback,
    formation,
    health,
    home,
    participation,
    roster,
    seasons,
    settings,
    survey,
    watchlist,
)

DATES = [
    date(2026, 8, 1),  # a new school year, before its survey closes
    date(2026, 9, 15),  # no cohorts yet: the survey runs
    date(2026, 10, 15),  # the interest survey's last day
    date(2026, 10, 16),  # the day after it closes
    date(2026, 11, 1),  # the season's first day
    date(2026, 12, 31),
    date(2027, 1, 20),
    date(2027, 4, 16),  # the end-of-season survey opens
    date(2027, 4, 30),  # the season's last day
    date(2027, 6, 21),  # midsummer
    date(2027, 7, 31),  # the school year's last day
    date(2028, 2, 29),  # a leap day
]

# Records of what happened (plans on a calendar, such as planned meetings and next week's
# sessions, are dated ahead on purpose).
RECORDS = {
    "staff.created_at": "SELECT max(created_at) FROM staff",
    "survey": "SELECT max(submitted_at) FROM survey_responses",
    "cohorts": "SELECT max(created_at) FROM cohorts",
    "joined": "SELECT max(joined_at) FROM memberships",
    "left": "SELECT max(left_at) FROM memberships",
    "goals": "SELECT max(created_at) FROM goals",
    "held meetings": "SELECT max(held_on) FROM meetings WHERE status = 'held'",
    "attendance": "SELECT max(m.held_on) FROM attendance a JOIN meetings m ON m.id = a.meeting_id",
    "reflections": "SELECT max(created_at) FROM reflections",
    "help requests": "SELECT max(created_at) FROM help_requests",
    "coach assignments": "SELECT max(assigned_at) FROM coach_assignments",
    "follow-ups": "SELECT max(contacted_on) FROM coach_followups",
    "coaching": "SELECT max(held_on) FROM coaching_sessions",
    "PLC notes": "SELECT max(met_on) FROM plc_notes",
    "attendance marked": "SELECT max(day) FROM sd_signups WHERE attended IS NOT NULL",
    "sign-ups": "SELECT max(signed_at) FROM sd_signups",
    "pathway progress": "SELECT max(done_at) FROM pathway_progress",
    "growth plans": "SELECT max(created_at) FROM growth_plans",
    "feedback": "SELECT max(submitted_at) FROM season_feedback",
    "seasons closed": "SELECT max(closed_at) FROM seasons",
    "sync runs": "SELECT max(finished_at) FROM sync_runs",
    "audit": "SELECT max(happened_at) FROM audit_log",
}


def _day(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


@pytest.mark.parametrize("today", DATES, ids=[d.isoformat() for d in DATES])
def test_the_demo_and_every_date_rule_hold_on_any_day(today):
    con = db.connect(db.MEMORY)
    with clock.frozen(today):
        demo.generate(con, staff=90, seed=5)
        late = {
            what: found
            for what, sql in RECORDS.items()
            if (found := _day(con.execute(sql).fetchone()[0])) and found > today
        }
        assert not late, f"the demo wrote records after {today}: {late}"

        s = settings.load(con)
        start, end = settings.current_season(today)
        assert (s.season_start, s.season_end) == (start, end)
        now, last = seasons.current(con), seasons.past(con)[0]
        assert now.label == seasons.label_for(start) and now.status == "current"
        assert last.is_closed and last.ends_on < start

        # Cohorts exist once they have formed (twelve days before the season starts).
        formed = con.execute(
            "SELECT count(*) FROM cohorts WHERE season_id = ?", [now.id]
        ).fetchone()[0]
        assert (formed > 0) == ((start - today).days <= 12)

        # The interest survey is open until its close date, inclusive.
        assert survey.is_open(con) == (today <= s.survey_close)
        # The end-of-season survey is open its last two weeks and on the last day.
        assert feedback.is_open(s, today) == (feedback.opens_on(s) <= today <= end)
        teacher = roster.active_staff(con)[10]
        status = home.teacher_status(con, teacher.id)
        assert status.season_survey_due == feedback.is_open(s, today)

        # Days waiting and days into the season are never negative; lists compute.
        for person in formation.unmatched(con, today):
            assert person.days_waiting >= 0
        frame = watchlist.watchlist_frame(con, today)
        assert "(-" not in " ".join(frame["reasons"].astype(str))  # no "-3 days into the season"
        table = health.health_table(con, today)
        assert (table["meetings_expected"] >= 0).all() and (
            table["days_since_last"].dropna() >= 0
        ).all()
        people = participation.participation_table(con, today)
        assert len(people) == roster.staff_count(con)
        assert (
            people["in_group"].sum()
            == (
                con.execute(
                    "SELECT count(DISTINCT staff_id) FROM memberships m JOIN cohorts c "
                    "ON c.id = m.cohort_id WHERE m.left_at IS NULL AND c.status = 'active'"
                ).fetchone()[0]
            )
        )
        # Last season keeps its year-over-year numbers on every day.
        history = feedback.by_season(con).set_index("season")
        assert history.loc[last.label, "answers"] > 0
    con.close()
