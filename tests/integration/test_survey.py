"""The interest survey and learning preferences against a real (in-memory) database."""

from datetime import date, datetime

import pytest

from pdcore import authz, db, settings, survey, topics
from pdcore.model import PermissionDenied, ValidationError


def interests(con, staff_id):
    return (
        db.read(con)
        .execute("SELECT topic_id FROM interests WHERE staff_id = ? ORDER BY rank", [staff_id])
        .fetchall()
    )


def test_rank_three_then_change_until_the_close_date(con, make):
    settings.save(con, authz.COMMAND_LINE, survey_close=date(2026, 10, 15))
    ana = make.staff("Ana Ruiz")
    web, pbl, gs = make.topic("Web Tools"), make.topic("PBL", "proposed"), make.topic("GSuite")
    saved = survey.submit(con, ana, [pbl, None, web], today=date(2026, 10, 1))
    assert saved.choices == (pbl, web) and saved.source == "app"
    assert saved.choice_names == ("PBL", "Web Tools")
    survey.submit(con, ana, [gs], today=date(2026, 10, 15))  # the close date itself is open
    assert interests(con, ana) == [(gs,)]
    with pytest.raises(ValidationError, match="The survey closed on October 15"):
        survey.submit(con, ana, [web], today=date(2026, 10, 16))
    assert interests(con, ana) == [(gs,)]  # nothing half-written


def test_someone_who_missed_the_survey_still_answers_after_it_closed(con, make):
    settings.save(con, authz.COMMAND_LINE, survey_close=date(2026, 10, 15))
    ben, web = make.staff("Ben Kim"), make.topic("Web Tools")
    late = survey.submit(con, ben, [web], today=date(2026, 12, 1))
    assert late.choice_names == ("Web Tools",) and late.source == "app"
    with pytest.raises(ValidationError, match="closed on October 15"):  # once, then it is kept
        survey.submit(con, ben, [make.topic("PBL")], today=date(2026, 12, 2))
    assert interests(con, ben) == [(web,)]


def test_a_write_in_becomes_a_proposed_topic_or_reuses_one_ignoring_case_and_spaces(con, make):
    ana, ben = make.staff("Ana Ruiz"), make.staff("Ben Kim")
    web = make.topic("Web Tools")
    first = survey.submit(con, ana, [web], "  Restorative   Practices ")
    restorative = first.choices[1]
    row = (
        db.read(con)
        .execute("SELECT name, status, is_write_in FROM topics WHERE id = ?", [restorative])
        .fetchone()
    )
    assert row == ("Restorative Practices", "proposed", True)
    assert first.other_topic == "Restorative Practices"
    again = survey.submit(con, ben, [], "restorativepractices")
    assert again.choices == (restorative,)
    webby = survey.submit(con, ben, [], "WEB tools")
    assert webby.choices == (web,)
    names = [t.name for t in topics.topic_list(con)]
    assert names.count("Restorative Practices") == 1


def test_a_write_in_of_a_merged_topic_lands_on_the_topic_it_was_merged_into(con, make):
    ana = make.staff()
    pbl = make.topic("Project Based Learning")
    short = make.topic("PBL", "proposed")
    with db.transaction(con) as cur:
        cur.execute("UPDATE topics SET merged_into = ? WHERE id = ?", [pbl, short])
    assert survey.submit(con, ana, [], "pbl").choices == (pbl,)


@pytest.mark.parametrize(
    ("choices", "write_in", "message"),
    [
        ([], "", "Pick at least one topic"),
        (["a", "a"], "", "only once"),
        (["a", "b", "c"], "Knitting", "3 topics at most"),
        (["a"], "x" * 81, "shorten your topic to 80"),
        (["retired"], "", "no longer on the list"),
        ([], "Old Topic", "retired by the school"),
        (["a"], "Alpha", "already one of your choices"),
    ],
)
def test_every_bad_answer_gets_a_message_and_changes_nothing(con, make, choices, write_in, message):
    ana = make.staff()
    ids = {
        "a": make.topic("Alpha"),
        "b": make.topic("Beta"),
        "c": make.topic("Gamma"),
        "retired": make.topic("Old Topic", "retired"),
    }
    survey.submit(con, ana, [ids["b"]])
    with pytest.raises(ValidationError, match=message):
        survey.submit(con, ana, [ids[c] for c in choices], write_in)
    assert interests(con, ana) == [(ids["b"],)]


def test_a_teacher_cannot_answer_for_someone_else_but_an_admin_can(con, make):
    ana, ben, dana = make.staff("Ana"), make.staff("Ben"), make.staff("Dana", role="admin")
    web = make.topic()
    with pytest.raises(PermissionDenied, match="only your own"):
        survey.submit(con, ben, [web], staff_id=ana)
    with pytest.raises(PermissionDenied):
        survey.save_preferences(con, ben, mode="individual", staff_id=ana)
    survey.submit(con, dana, [web], staff_id=ana)
    assert interests(con, ana) == [(web,)]


def test_form_answers_land_in_the_same_tables_and_are_shown_as_such(con, make):
    ana = make.staff()
    web = make.topic("Web Tools")
    when = datetime(2026, 5, 23, 9, 0)
    with db.transaction(con) as cur:
        tid = survey.topic_for_name(cur, "Genius Hour")
        survey.record_answers(cur, ana, [web, tid], source="form", submitted_at=when)
    answer = survey.answer(con, ana)
    assert answer.source == "form" and answer.submitted_at == when
    assert answer.choice_names == ("Web Tools", "Genius Hour")
    assert {t.name for t in survey.choosable_topics(con)} >= {"Web Tools", "Genius Hour"}


def test_preferences_round_trip_and_validate(con, make):
    slots = make.slots()
    ana, ben, gone = make.staff("Ana"), make.staff("Ben"), make.staff("Gone")
    with db.transaction(con) as cur:
        cur.execute("UPDATE staff SET active = FALSE WHERE id = ?", [gone])
    assert survey.preferences(con, ana) == survey.Preferences()
    saved = survey.save_preferences(
        con,
        ana,
        mode="individual",
        priority="who",
        dept_pref="mix",
        slot_ids=[slots[2], slots[0]],
        colleague_ids=[ben],
    )
    assert saved == survey.Preferences(
        "individual", "who", "mix", (slots[0], slots[2]), (ben,), saved=True
    )
    # Changing only the mode keeps everything else.
    assert survey.save_preferences(con, ana, mode="cohort").slot_ids == (slots[0], slots[2])
    for kwargs, message in [
        ({"slot_ids": [999]}, "school's list"),
        ({"colleague_ids": [ana]}, "other than yourself"),
        ({"colleague_ids": [gone]}, "current roster"),
        ({"mode": "lecture"}, "Choose how to learn"),
        ({"priority": "why"}, "what matters more"),
    ]:
        with pytest.raises(ValidationError, match=message):
            survey.save_preferences(con, ana, **kwargs)
    assert survey.preferences(con, ana).colleague_ids == (ben,)
