"""A teacher answers the end-of-season survey once, when it is open."""

from datetime import timedelta

from pdcore import authz, clock, db, settings
from tests.conftest import DEMO_TEACHER


def app_con(path):
    return db.connect(path)


def open_survey_window(path, days_left=5):
    con = db.connect(path)
    today = clock.today()
    settings.save(
        con,
        authz.COMMAND_LINE,
        season_start=today - timedelta(days=150),
        season_end=today + timedelta(days=days_left),
    )
    con.close()


def test_before_it_opens_the_page_says_when(open_app):
    at = open_app(DEMO_TEACHER, page="pages/season_survey.py")
    assert not at.exception
    assert "The survey opens on" in at.info[0].value
    assert not at.button


def test_teacher_answers_once_and_sees_their_answer(app_db, open_app):
    open_survey_window(app_db)
    at = open_app(DEMO_TEACHER, page="pages/season_survey.py")
    at.button[0].click().run()  # nothing chosen yet
    assert "rate your cohort and vote" in at.error[0].value

    at.radio(key="fb_value").set_value(4)
    at.multiselect(key="fb_obstacles").set_value(["Time was not in the school day"])
    at.text_input(key="fb_other").input("Sub coverage")
    at.radio(key="fb_vote").set_value("yes")
    at.text_area(key="fb_comment").input("More time in the day, please.")
    at.button[0].click().run()
    assert not at.exception
    assert "You rated your cohort 4 out of 5" in at.success[0].value

    con = db.connect(app_db)
    row = con.execute(
        "SELECT f.value, f.obstacles, f.continue_vote, f.comment FROM season_feedback f "
        "JOIN staff s ON s.id = f.staff_id JOIN seasons z ON z.id = f.season_id "
        "WHERE s.email = ? AND z.status = 'current'",
        [DEMO_TEACHER],
    ).fetchone()
    assert row == (
        4,
        "Time was not in the school day; Sub coverage",
        "yes",
        "More time in the day, please.",
    )
    # The admin's results count it.
    from pdcore import feedback

    assert feedback.summary(con).answers == 1
    again = open_app(DEMO_TEACHER, page="pages/season_survey.py")
    assert "Thank you" in again.success[0].value and not again.button


def test_admin_reads_the_comments_without_names(app_db, open_app):
    from tests.conftest import DEMO_ADMIN

    open_survey_window(app_db)
    con = db.connect(app_db)
    from pdcore import feedback

    teacher = con.execute("SELECT id FROM staff WHERE email = ?", [DEMO_TEACHER]).fetchone()[0]
    feedback.submit(con, teacher, 5, [], "yes", comment='=HYPERLINK("x") best PD in years')
    con.close()
    at = open_app(DEMO_ADMIN, page="pages/feedback.py")
    assert not at.exception
    shown = at.dataframe[-1].value
    assert list(shown["comment"]) == ['=HYPERLINK("x") best PD in years']
    assert "name" not in shown.columns and "email" not in shown.columns


def test_home_asks_for_the_survey_while_it_is_open_and_unanswered(app_db, open_app):
    before = open_app(DEMO_TEACHER)
    assert not any("end-of-season survey is open" in i.value for i in before.info)
    open_survey_window(app_db)
    at = open_app(DEMO_TEACHER)
    assert any("end-of-season survey is open" in i.value for i in at.info)
