"""A school's coaches and admins read their own school: on a district of two schools, every
coach and admin dashboard shows a North viewer North's people, cohorts and answers only; a
district admin (no school) sees both."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pdcore import (
    authz,
    clock,
    coaching,
    cohorts,
    feedback,
    formation,
    health,
    help_requests,
    home,
    imports,
    participation,
    roster,
    sessions,
    survey,
    topics,
    watchlist,
)
from tests.integration.test_authz import district  # noqa: F401 (the fixture)

NORTH, SOUTH = "North", "South"


def _person(con, staff_id):
    return roster.by_id(con, staff_id)


def _schools(con, ids) -> set[str]:
    return {_person(con, int(i)).school for i in ids}


@pytest.fixture
def viewers(con, district):  # noqa: F811
    return {
        who: _person(con, district[who])
        for who in ("North admin", "North coach", "South admin", "district admin")
    }


def test_scope_is_the_viewers_school_or_every_school(viewers):
    assert authz.scope(viewers["North admin"]) == NORTH
    assert authz.scope(viewers["district admin"]) is None


def test_unmatched_and_place_me_requests_are_the_admins_school(con, district, viewers):  # noqa: F811
    for who in ("North teacher 5", "South teacher 6"):
        help_requests.ask(con, district[who], "place_me", note=f"{who} asks")
    north = formation.unmatched(con, school=authz.scope(viewers["North admin"]))
    everyone = formation.unmatched(con, school=authz.scope(viewers["district admin"]))
    assert north and _schools(con, [u.staff_id for u in north]) == {NORTH}
    assert {u.school for u in north} == {NORTH}
    assert _schools(con, [u.staff_id for u in everyone]) == {NORTH, SOUTH}

    asks = help_requests.open_requests(con, "place_me", NORTH)
    assert list(asks["note"]) == ["North teacher 5 asks"]
    assert len(help_requests.open_requests(con, "place_me")) == 2


def test_coaching_coverage_and_requests_are_the_admins_school(con, district, viewers):  # noqa: F811
    for who in ("North teacher 5", "South teacher 6"):
        coaching.request_coaching(con, district[who], note=f"{who} would like a coach")
    north_admin, chief = viewers["North admin"], viewers["district admin"]
    frame = coaching.coverage_frame(con, north_admin.id)
    assert len(frame) == 6 and _schools(con, frame["staff_id"]) == {NORTH}
    assert coaching.coverage(con, north_admin.id).teachers == 6
    assert _schools(con, coaching.coverage_frame(con, chief.id)["staff_id"]) == {NORTH, SOUTH}

    asks = coaching.open_requests(con, north_admin.id)
    assert list(asks["note"]) == ["North teacher 5 would like a coach"]
    assert len(coaching.open_requests(con, chief.id)) == 2
    coach_sees = coaching.open_requests(con, viewers["North coach"].id)
    assert _schools(con, coach_sees["staff_id"]) == {NORTH}


def test_participation_and_cohort_health_are_the_admins_school(con, district):  # noqa: F811
    people = participation.participation_table(con, school=NORTH)
    assert set(people["school"]) == {NORTH} and len(people) == 8  # six teachers, coach, admin
    assert set(participation.participation_table(con)["school"]) == {"", NORTH, SOUTH}

    assert set(health.health_table(con, school=NORTH)["cohort"]) == {"X", "Y"}
    assert set(health.health_table(con, school=SOUTH)["cohort"]) == {"Z"}
    assert set(health.health_table(con)["cohort"]) == {"X", "Y", "Z"}


def test_topic_demand_counts_the_admins_school(con, district):  # noqa: F811
    wanted = topics.topic_list(con)[0].id
    for n in (1, 2, 3):
        survey.submit(con, district[f"South teacher {n}"], [wanted])
    survey.submit(con, district["North teacher 1"], [wanted])

    def first_choice(school):
        frame = topics.demand_frame(con, school)
        return int(frame.loc[frame["topic_id"] == wanted, "first_choice"].iloc[0])

    assert (first_choice(NORTH), first_choice(SOUTH), first_choice(None)) == (1, 3, 4)
    offered = topics.demand_frame(con, NORTH).set_index("topic_id")["offered"]
    assert offered.to_dict() == topics.demand_frame(con).set_index("topic_id")["offered"].to_dict()


@pytest.mark.today(date(2027, 5, 20))
def test_season_feedback_is_the_admins_schools_answers(con, district):  # noqa: F811
    for who, comment in (("North teacher 1", "North liked it"), ("South teacher 1", "South too")):
        feedback.submit(con, district[who], 4, ["Too little time"], "yes", comment=comment)
    assert list(feedback.comments(con, school=NORTH)["comment"]) == ["North liked it"]
    north = feedback.summary(con, school=NORTH)
    assert (north.answers, north.eligible) == (1, 6)
    assert feedback.summary(con).answers == 2
    assert len(feedback.feedback_table(con, school=SOUTH)) == 1


def test_session_planning_shows_the_planners_school(con, district, viewers):  # noqa: F811
    north_coach, chief = viewers["North coach"], viewers["district admin"]
    today = clock.today()
    day = today + timedelta(days=(2 - today.weekday()) % 7 + 14)
    option = sessions.publish(con, chief, day, "Genius Hour launch", 20)
    for who in ("North teacher 1", "North teacher 2", "South teacher 1"):
        sessions.sign_up(con, district[who], option)
        sessions.request_expert(con, district[who], district["topic"], f"{who}'s wish")

    shown = sessions.attendees(con, north_coach.id, option)
    assert _schools(con, shown["staff_id"]) == {NORTH} and len(shown) == 2
    assert len(sessions.attendees(con, chief.id, option)) == 3
    assert int(sessions.per_session(con, north_coach.id)["signed_up"].iloc[0]) == 2
    per_teacher = sessions.per_teacher(con, north_coach.id)
    assert _schools(con, per_teacher["staff_id"]) == {NORTH}
    # The fixture's North teacher 6 and South teacher 5 asked for an expert too.
    wishes = sessions.expert_requests(con, north_coach.id)
    assert int(wishes["requests"].sum()) == 3 and "South" not in wishes["notes"].iloc[0]
    assert int(sessions.expert_requests(con, chief.id)["requests"].sum()) == 5
    demand = sessions.topic_demand(con, north_coach.id)
    assert int(demand["expert_requests"].sum()) == 3

    # Marking the day, a North coach marks North's people; South's stay unmarked for theirs.
    with clock.frozen(day):
        sessions.mark_attendance(con, north_coach, option, [district["North teacher 1"]])
    marked = sessions.attendees(con, chief.id, option).set_index("staff_id")["attended"]
    assert marked[district["North teacher 1"]] == True  # noqa: E712
    assert marked[district["North teacher 2"]] == False  # noqa: E712
    assert marked.isna()[district["South teacher 1"]]


def test_watchlist_is_the_viewers_school(con, district, viewers):  # noqa: F811
    watch = watchlist.watchlist_frame(con)
    assert set(watch["school"]) == {NORTH, SOUTH}
    for who in ("North coach", "North admin"):
        assert set(watchlist.for_viewer(watch, viewers[who])["school"]) == {NORTH}
    assert set(watchlist.for_viewer(watch, viewers["district admin"])["school"]) == {NORTH, SOUTH}


def test_thinned_out_suggestions_are_the_admins_schools_cohorts(con, district):  # noqa: F811
    w = cohorts.start_cohort(
        con, district["South teacher 3"], topic_id=district["topic"], name="W",
        slot_id=district["slot"], goal="A shared goal",
    )  # fmt: skip
    cohorts.join(con, district["South teacher 4"], w)
    for who in ("South teacher 2", "North teacher 4"):  # Z and Y down to one member each
        cohort = "Z" if who.startswith("South") else "Y"
        cohorts.leave(con, district[who], district[cohort])
    every = formation.mid_year_suggestions(con)
    north = formation.mid_year_suggestions(con, school=NORTH)
    south = formation.mid_year_suggestions(con, school=SOUTH)
    assert north and south and len(north) + len(south) == len(every)
    assert district["Z"] not in {i for m in north for i in m.cohort_ids}
    assert {i for m in south for i in m.cohort_ids} == {district["Z"], w}
    assert all("South" not in m.text for m in north)


def test_home_at_a_glance_counts_the_viewers_school(con, district):  # noqa: F811
    help_requests.ask(con, district["South teacher 6"], "place_me")
    north, south = home.staff_overview(con, NORTH), home.staff_overview(con, SOUTH)
    every = home.staff_overview(con)
    assert (north.active_staff, north.placed, north.place_me_open) == (6, 4, 0)
    assert (south.active_staff, south.placed, south.place_me_open) == (6, 2, 1)
    assert every.active_staff == 12 and every.placed == 6 and every.place_me_open == 1


def test_year_over_year_counts_the_viewers_school(con, district):  # noqa: F811
    with clock.frozen(date(2027, 5, 20)):  # the end-of-season survey is open
        feedback.submit(con, district["South teacher 1"], 2, [], "no")

    def this_season(frame):
        return frame.iloc[-1]

    north, south = participation.by_season(con, NORTH), participation.by_season(con, SOUTH)
    every = participation.by_season(con)
    assert (this_season(north)["teachers"], this_season(north)["in_group"]) == (6, 4)
    assert (this_season(south)["teachers"], this_season(south)["in_group"]) == (6, 2)
    assert this_season(every)["teachers"] == 12 and this_season(every)["in_group"] == 6
    assert this_season(health.by_season(con, NORTH))["cohorts"] == 2
    assert this_season(health.by_season(con, SOUTH))["cohorts"] == 1
    assert this_season(health.by_season(con))["cohorts"] == 3
    assert this_season(feedback.by_season(con, NORTH))["answers"] == 0
    assert this_season(feedback.by_season(con, SOUTH))["answers"] == 1


def test_a_school_admins_downloads_are_their_school(con, district):  # noqa: F811
    north = {w: imports.export_frame(con, w, NORTH) for w in imports.EXPORTS}
    every = {w: imports.export_frame(con, w) for w in imports.EXPORTS}
    assert set(north["cohorts"]["cohort_name"]) == {"X", "Y"}
    assert set(every["cohorts"]["cohort_name"]) == {"X", "Y", "Z"}
    assert set(north["health"]["school"]) == {NORTH}
    assert set(north["participation"]["school"]) == {NORTH}
    assert north["unmatched"]["name"].str.startswith("North").all()
    assert every["unmatched"]["name"].str.startswith("South").any()
