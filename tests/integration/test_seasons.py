"""Seasons: a database made by main before seasons migrates without losing a row; an admin
opens the next season and closes this one, carrying over what voted to continue."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pdcore import clock, cohorts, db, feedback, growth, hours, roster, seasons, settings, topics
from pdcore.model import PermissionDenied, ValidationError
from tests.conftest import DEMO_ADMIN, DEMO_TEACHER, ROOT, three_member_cohort

OLD = ROOT / "tests" / "fixtures" / "main_v50"  # EXPORT DATABASE of a demo made by main (v50)


def _old_database(tmp_path, monkeypatch) -> str:
    path = str(tmp_path / "old.duckdb")
    monkeypatch.chdir(ROOT)  # the export's load.sql names its CSV files from the repository root
    con = duckdb.connect(path)
    con.execute(f"IMPORT DATABASE '{OLD.relative_to(ROOT)}'")
    con.close()
    return path


def _counts(con, tables) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_a_single_season_database_moves_into_its_first_season_without_losing_a_row(
    tmp_path, monkeypatch
):
    path = _old_database(tmp_path, monkeypatch)
    old = duckdb.connect(path)
    assert db.schema_version(old) == 50
    tables = [
        r[0]
        for r in old.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        if r[0] != "schema_version"
    ]
    before = _counts(old, tables)
    answers = old.execute(
        "SELECT staff_id, value, continue_vote FROM season_feedback ORDER BY staff_id"
    ).fetchall()
    old.close()

    con = db.connect(path)
    assert db.schema_version(con) >= 90
    assert _counts(con, tables) == before
    (first,) = seasons.all_seasons(con)
    assert (first.label, first.starts_on, first.ends_on, first.status) == (
        "2026-27",
        date(2027 - 1, 11, 1),
        date(2027, 4, 30),
        "current",
    )
    assert first.survey_close == date(2026, 10, 15)  # the old settings' survey close
    assert con.execute("SELECT count(*) FROM cohorts WHERE season_id IS NULL").fetchone()[0] == 0
    assert (
        con.execute(
            "SELECT staff_id, value, continue_vote FROM season_feedback "
            "WHERE season_id = ? ORDER BY staff_id",
            [first.id],
        ).fetchall()
        == answers
    )
    # The app reads the season's dates as before, and the summary counts the old answers.
    assert settings.load(con).season_start == date(2026, 11, 1)
    assert feedback.summary(con, date(2027, 4, 25)).answers == len(answers)


@pytest.fixture
def school(demo_con):
    admin = roster.by_email(demo_con, DEMO_ADMIN)
    return demo_con, admin


def _answer_everyone(con, staff_ids, vote_of, on=date(2027, 4, 25)):
    for sid in staff_ids:
        feedback.submit(con, sid, 4, [], vote_of(sid), today=on)


def test_open_next_refuses_overlap_and_non_admins_and_a_second_upcoming(school):
    con, admin = school
    teacher = roster.by_email(con, DEMO_TEACHER)
    with pytest.raises(PermissionDenied):
        seasons.open_next(con, teacher, date(2027, 11, 1), date(2028, 4, 30))
    with pytest.raises(ValidationError, match="overlaps season 2026-27"):
        seasons.open_next(con, admin, date(2027, 4, 1), date(2028, 4, 30))
    with pytest.raises(ValidationError, match="end after it starts"):
        seasons.open_next(con, admin, date(2027, 11, 1), date(2027, 10, 1))
    assert seasons.upcoming(con) is None  # nothing changed
    nxt = seasons.open_next(
        con, admin, date(2027, 11, 1), date(2028, 4, 30), date(2027, 4, 1), date(2027, 10, 15)
    )
    assert (nxt.label, nxt.status) == ("2027-28", "upcoming")
    with pytest.raises(ValidationError, match="already open"):
        seasons.open_next(con, admin, date(2028, 11, 1), date(2029, 4, 30))
    # The interest survey for next season is open before this season ends.
    with clock.frozen(date(2027, 4, 20)):
        assert settings.load(con).survey_close == date(2027, 10, 15)
        assert settings.load(con).season_end == date(2027, 4, 30)  # still this season


def test_closing_asks_to_confirm_open_requests_and_unanswered_surveys(school):
    con, admin = school
    seasons.open_next(con, admin, date(2027, 11, 1), date(2028, 4, 30))
    with clock.frozen(date(2027, 4, 30)):
        concerns = seasons.close_concerns(con)
        assert any("'place me' requests are still open" in c for c in concerns)
        assert any("have not answered the end-of-season survey" in c for c in concerns)
        with pytest.raises(seasons.NeedsConfirmation, match="Confirm to close"):
            seasons.close(con, admin)
        assert seasons.current(con).label == "2026-27"  # nothing changed
        seasons.close(con, admin, confirm=True)
        # A second click finds next season current, and it has not started: refused.
        with pytest.raises(ValidationError, match="2027-28 has not started yet"):
            seasons.close(con, admin, confirm=True)
        assert [s.status for s in seasons.all_seasons(con)][:2] == ["current", "closed"]


def test_closing_twice_without_a_next_season_says_so(school):
    con, admin = school
    with clock.frozen(date(2027, 5, 3)):
        cid, _ = three_member_cohort(con)
        with pytest.raises(ValidationError, match="Open next season first"):
            seasons.close(con, admin, [cid], confirm=True)
        seasons.close(con, admin, confirm=True)
        before = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        with pytest.raises(ValidationError, match="2026-27 is already closed"):
            seasons.close(con, admin, confirm=True)
        assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


def test_a_cohort_carries_over_with_the_two_members_who_voted_yes(school):
    con, admin = school
    cid, members = three_member_cohort(con)
    goals_before = con.execute(
        "SELECT version, text FROM goals WHERE cohort_id = ? ORDER BY version", [cid]
    ).fetchall()
    staying = members[:2]
    _answer_everyone(con, members, lambda s: "yes" if s in staying else "no")
    nxt = seasons.open_next(con, admin, date(2027, 11, 1), date(2028, 4, 30))
    offer = next(o for o in seasons.carry_over_offers(con) if o.cohort_id == cid)
    assert set(offer.staying) == set(staying) and offer.members == 3
    with pytest.raises(PermissionDenied):
        seasons.close(con, roster.by_id(con, members[0]), [cid], confirm=True)

    coach_rows = con.execute("SELECT * FROM coach_assignments ORDER BY staff_id").fetchall()
    merged = con.execute("SELECT id, merged_into FROM topics ORDER BY id").fetchall()
    with clock.frozen(date(2027, 5, 3)):
        result = seasons.close(con, admin, [cid], confirm=True)
    assert (result.cohorts_carried, result.members_carried) == (1, 2)
    new = con.execute(
        "SELECT id, name, status, season_id FROM cohorts WHERE carried_from = ?", [cid]
    ).fetchone()
    assert new[2] == "active" and new[3] == nxt.id
    assert {m.staff_id for m in cohorts.members(con, new[0])} == set(staying)
    assert (
        con.execute(
            "SELECT version, text FROM goals WHERE cohort_id = ? ORDER BY version", [new[0]]
        ).fetchall()
        == goals_before
    )
    # Last season is history: its cohorts are closed, every membership ended, nothing lost.
    assert cohorts.get(con, cid).status == "closed"
    assert (
        con.execute(
            "SELECT count(*) FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
            "WHERE c.season_id = ? AND m.left_at IS NULL",
            [result.season.id],
        ).fetchone()[0]
        == 0
    )
    assert seasons.current(con).id == nxt.id and seasons.past(con)[0].label == "2026-27"
    # Coaches keep their caseload; topics keep their merges and a demand snapshot.
    assert con.execute("SELECT * FROM coach_assignments ORDER BY staff_id").fetchall() == coach_rows
    assert con.execute("SELECT id, merged_into FROM topics ORDER BY id").fetchall() == merged
    offered = {t.name for t in topics.topic_list(con)}
    snap = con.execute(
        "SELECT t.name, s.first_choice FROM season_topics s JOIN topics t ON t.id = s.topic_id "
        "WHERE s.season_id = ?",
        [result.season.id],
    ).fetchall()
    assert {name for name, _ in snap} >= offered and sum(n for _, n in snap) > 0
    # The members' answers stay with last season; this season has none yet.
    assert feedback.my_answer(con, staying[0]) is None
    assert feedback.my_answer(con, staying[0], result.season.id)["continue_vote"] == "yes"


def test_growth_plans_carry_over_and_keep_last_years_reflection(school):
    con, admin = school
    teacher = roster.by_email(con, DEMO_TEACHER)
    growth.save_plan(con, teacher.id, "Feedback that students use", [("Two-day feedback", "Log")])
    growth.save_reflection(con, teacher.id, "It worked until February.")
    seasons.open_next(con, admin, date(2027, 11, 1), date(2028, 4, 30))
    with clock.frozen(date(2027, 5, 3)):
        result = seasons.close(con, admin, confirm=True)
    assert result.plans_carried >= 1
    with clock.frozen(date(2027, 11, 10)):
        plan = growth.plan_for(con, teacher.id, teacher.id)
        assert plan.school_year == "2027-28" and plan.focus == "Feedback that students use"
        assert [g.goal for g in plan.goals] == ["Two-day feedback"] and not plan.reflection
    old = con.execute(
        "SELECT reflection FROM growth_plans WHERE staff_id = ? AND school_year = '2026-27'",
        [teacher.id],
    ).fetchone()
    assert old == ("It worked until February.",)


def test_hours_count_meetings_attended_sessions_and_coaching(school):
    con, admin = school
    teacher = roster.by_email(con, DEMO_TEACHER)
    record = hours.record(con, teacher.id, teacher.id)
    meeting_minutes = con.execute(
        "SELECT coalesce(sum(m.minutes), 0) FROM attendance a "
        "JOIN meetings m ON m.id = a.meeting_id JOIN cohorts c ON c.id = m.cohort_id "
        "WHERE a.staff_id = ? AND m.status = 'held' AND c.season_id = ?",
        [teacher.id, record.season.id],
    ).fetchone()[0]
    sessions = con.execute(
        "SELECT count(*) FROM sd_signups WHERE staff_id = ? AND attended", [teacher.id]
    ).fetchone()[0]
    by_kind = record.hours_by_kind()
    assert by_kind["Cohort meeting"] == round(meeting_minutes / 60, 2)
    assert by_kind["Staff development"] == sessions * settings.load(con).session_minutes / 60
    assert record.total_hours == round(sum(by_kind.values()), 2) > 0
    table = hours.hours_table(con, admin.id).set_index("email")
    assert table.loc[DEMO_TEACHER, "total_hours"] == record.total_hours
    with pytest.raises(PermissionDenied):
        hours.hours_table(con, teacher.id)
    other = con.execute(
        "SELECT id FROM staff WHERE role = 'teacher' AND id <> ? LIMIT 1", [teacher.id]
    ).fetchone()[0]
    with pytest.raises(PermissionDenied):
        hours.record(con, other, teacher.id)
    page = hours.record_html(record)
    assert teacher.name in page and f"{record.total_hours:.2f} hours" in page
    # Last season has its own record (the demo's last season is closed, with meetings).
    last = seasons.past(con)[0]
    assert hours.record(con, teacher.id, teacher.id, last.id).season.label == last.label


def test_record_html_escapes_what_people_typed(school):
    con, admin = school
    teacher = roster.by_email(con, DEMO_TEACHER)
    record = hours.record(con, teacher.id, teacher.id)
    bad = record.__class__("<script>x</script>", record.email, "", record.season, record.lines)
    assert "<script>" not in hours.record_html(bad)


def test_settings_move_the_current_seasons_dates_but_not_onto_last_season(school):
    con, admin = school
    settings.save(con, admin.id, season_end=date(2027, 5, 14))
    assert seasons.current(con).ends_on == date(2027, 5, 14)
    with pytest.raises(ValueError, match="overlap season 2025-26"):
        settings.save(con, admin.id, season_start=date(2026, 3, 1))
    assert seasons.current(con).starts_on == date(2026, 11, 1)  # nothing changed
