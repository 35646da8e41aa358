"""Joining a cohort: one active cohort per person, capacity exact under concurrent joins."""

import threading

import pytest

from pdcore import authz, cohorts, db, settings


def test_join_then_refuse_a_second_cohort(con, make):
    topic = make.topic("Web Tools")
    ana, ben = make.staff("Ana Ruiz"), make.staff("Ben Kim")
    first = make.cohort(topic, members=[ben], name="Web Tools, Wed lunch")
    second = make.cohort(topic, name="Web Tools, Thu lunch")
    cohorts.join(con, ana, first)
    assert cohorts.current_cohort(con, ana).name == "Web Tools, Wed lunch"
    with pytest.raises(cohorts.AlreadyInCohort, match="already in Web Tools, Wed lunch"):
        cohorts.join(con, ana, second)
    frame = cohorts.cohort_frame(con)
    assert list(frame.columns) == [
        "cohort_id",
        "cohort_name",
        "topic",
        "meeting_slot",
        "email",
        "name",
    ]
    assert sorted(frame["name"]) == ["Ana Ruiz", "Ben Kim"]


def test_an_individual_project_holds_one_person(con, make):
    topic = make.topic()
    solo = make.cohort(topic, members=[make.staff()], kind="individual")
    with pytest.raises(cohorts.CohortFull):
        cohorts.join(con, make.staff(), solo)


def test_fifty_concurrent_joiners_for_three_open_seats(con, make):
    settings.save(con, authz.COMMAND_LINE, max_size=5, ideal_max=5)
    topic = make.topic()
    seated = [make.staff() for _ in range(2)]
    cohort = make.cohort(topic, members=seated)
    joiners = [make.staff() for _ in range(50)]
    answers: dict[int, str] = {}
    start = threading.Barrier(len(joiners))

    def try_join(staff_id):
        start.wait()
        try:
            cohorts.join(con, staff_id, cohort)
            answers[staff_id] = "joined"
        except cohorts.CohortFull as exc:
            answers[staff_id] = str(exc)

    threads = [threading.Thread(target=try_join, args=(s,)) for s in joiners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    joined = {s for s, a in answers.items() if a == "joined"}
    assert len(joined) == 3
    assert all("just filled up" in a for s, a in answers.items() if s not in joined)
    in_db = (
        db.read(con)
        .execute(
            "SELECT staff_id FROM memberships WHERE cohort_id = ? AND left_at IS NULL", [cohort]
        )
        .fetchall()
    )
    assert {r[0] for r in in_db} == joined | set(seated)
