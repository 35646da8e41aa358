"""Journeys across seasons: an admin opens next season and closes this one (a cohort carries
over with two of its three members); a teacher sees last season and prints their hours."""

from __future__ import annotations

from datetime import date

from pdcore import cohorts, db, feedback, seasons
from tests.conftest import DEMO_ADMIN, DEMO_TEACHER, three_member_cohort


def test_admin_opens_next_season_and_closes_this_one_carrying_a_cohort_over(app_db, open_app):
    con = db.connect(app_db)
    cid, members = three_member_cohort(con)
    staying = members[:2]
    for sid in members:
        feedback.submit(con, sid, 4, [], "yes" if sid in staying else "no", today=date(2027, 4, 25))
    con.close()

    at = open_app(DEMO_ADMIN, page="pages/seasons.py")
    assert not at.exception
    at.date_input(key="season_new_start").set_value(date(2026, 12, 1))  # overlaps this season
    at.button(key="season_open").click().run()
    assert "overlaps season 2026-27" in at.error[0].value
    at.date_input(key="season_new_start").set_value(date(2027, 11, 1))
    at.date_input(key="season_new_end").set_value(date(2028, 4, 30))
    at.button(key="season_open").click().run()
    assert "Season 2027-28 is open" in at.success[0].value

    # Closing with open requests and unanswered surveys asks first; nothing changes.
    assert any("have not answered" in w.value for w in at.warning)
    at.button(key="season_close").click().run()
    assert "Confirm to close" in at.error[0].value
    assert at.checkbox(key=f"season_carry_{cid}").value  # offered, with the two who said yes
    assert "2 of 3 staying" in at.checkbox(key=f"season_carry_{cid}").label
    at.checkbox(key="season_close_confirm").check()
    at.button(key="season_close").click().run()
    assert not at.exception
    assert "Season 2026-27 is closed" in at.success[0].value
    assert "carried over with 2 members" in at.success[0].value

    con = db.connect(app_db)
    new = con.execute("SELECT id FROM cohorts WHERE carried_from = ?", [cid]).fetchone()[0]
    assert {m.staff_id for m in cohorts.members(con, new)} == set(staying)
    assert seasons.current(con).label == "2027-28" and seasons.past(con)[0].label == "2026-27"
    con.close()


def test_a_teacher_sees_last_season_on_my_cohort_and_prints_their_hours(open_app):
    at = open_app(DEMO_TEACHER, page="pages/my_cohort.py")
    assert not at.exception
    assert "Past seasons" in [h.value for h in at.subheader]
    (last,) = [e for e in at.expander if "2025-26" in e.label]
    assert "(last season)" in last.label and "PD hours" in last.label
    assert any("You came to" in c.value for c in at.caption)

    at = open_app(DEMO_TEACHER, page="pages/pd_hours.py")
    assert not at.exception
    assert at.subheader[0].value.startswith("Ana Ruiz: ")
    (button,) = [b for b in at.get("download_button") if b.label.startswith("Printable record")]
    at.selectbox(key="hours_season").select_index(1).run()  # last season
    assert "2025-26" in at.subheader[0].value
    assert "Every teacher" not in [h.value for h in at.subheader]  # admins only


def test_admin_sees_every_teachers_hours_and_year_over_year(open_app):
    at = open_app(DEMO_ADMIN, page="pages/pd_hours.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert {"name", "total_hours"} <= set(table.columns) and len(table) > 200
    assert any(b.label == "Download CSV" for b in at.get("download_button"))
    for page in ("pages/participation.py", "pages/cohort_health.py", "pages/feedback.py"):
        at = open_app(DEMO_ADMIN, page=page)
        assert not at.exception
        assert "Year over year" in [h.value for h in at.subheader], page
        seasons_shown = [d.value for d in at.dataframe if "season" in d.value.columns]
        assert list(seasons_shown[0]["season"]) == ["2025-26", "2026-27"], page


def test_topic_demand_shows_last_seasons_first_choices(open_app):
    at = open_app(DEMO_ADMIN, page="pages/topic_demand.py")
    assert not at.exception
    assert "Demand in past seasons" in [h.value for h in at.subheader]
    (history,) = [d.value for d in at.dataframe if "2025-26" in d.value.columns]
    assert "Project Based Learning" in set(history["topic"])


def test_last_seasons_feedback_stays_readable(app_db, open_app):
    con = db.connect(app_db)
    last = seasons.past(con)[0]
    answered = feedback.summary(con, season_id=last.id).answers
    con.close()
    at = open_app(DEMO_ADMIN, page="pages/feedback.py")
    assert not at.exception
    assert "No end-of-season answers yet" in at.info[0].value  # this season, mid-way
    at.selectbox(key="feedback_season").select_index(1).run()  # last season
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert answered > 0 and shown["Answers"].startswith(f"{answered} of")
