"""Cohort health rules on hand-built cohorts: each measure, the light, and monotonicity."""

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pdcore.health import (
    CohortMeasures,
    HealthRules,
    assess,
    component_scores,
    expected_meetings,
    light_for,
)
from pdcore.settings import Settings

RULES = HealthRules(meetings_remaining=3)
# A healthy cohort two months in: met on cadence, came, set a goal on time, reflected.
HEALTHY = CohortMeasures(
    cohort_id=1,
    members=5,
    held=2,
    expected=2,
    attended=10,
    possible=10,
    goal_set=True,
    goal_on_time=True,
    goal_versions=1,
    reflections=2,
    member_hours=2.0,
    in_day=1,
    days_since_last=10,
    days_active=60,
)


def test_a_healthy_cohort_is_green_with_every_part_full():
    h = assess(HEALTHY, RULES)
    assert h.light == "green"
    assert h.score == 1.0
    for part in ("cadence", "attendance", "size", "goal", "evidence", "recency"):
        assert h.parts[part] == 1.0


def test_a_cohort_that_never_met_when_a_meeting_was_due_is_red_and_says_so():
    m = CohortMeasures(cohort_id=2, members=4, expected=1, days_active=25)
    h = assess(m, RULES)
    assert h.light == "red"
    assert h.parts["cadence"] == 0 and h.parts["attendance"] == 0
    assert "Met 0 of 1 expected meetings." in h.notes
    assert "Has not met yet." in h.notes


def test_measures_not_due_yet_are_left_out_not_failed():
    # Formed a week ago: nothing expected, no goal due, nothing to attend.
    m = CohortMeasures(cohort_id=3, members=4, days_active=7)
    parts = component_scores(m, RULES)
    assert "attendance" not in parts and "goal" not in parts and "evidence" not in parts
    # Not met yet is not "100% on cadence" either: cadence is not due until a meeting is.
    assert "cadence" not in parts
    assert component_scores(replace(m, held=1), RULES)["cadence"] == 1.0
    assert assess(m, RULES).light == "green"


@pytest.mark.parametrize("kind, light", [("cohort", "red"), ("individual", "green")])
def test_a_group_cohort_down_to_one_member_is_red_however_well_it_meets(kind, light):
    alone = replace(HEALTHY, kind=kind, members=1, left=3)
    h = assess(alone, RULES)
    assert h.light == light
    if kind == "cohort":
        assert h.score < RULES.amber
        assert "Down to one member." in h.notes


def test_cadence_counts_meetings_held_against_expected():
    assert component_scores(replace(HEALTHY, held=1, expected=4), RULES)["cadence"] == 0.25
    assert component_scores(replace(HEALTHY, held=6, expected=4), RULES)["cadence"] == 1.0


def test_attendance_is_member_meetings_attended_over_possible():
    assert component_scores(replace(HEALTHY, attended=6, possible=8), RULES)["attendance"] == 0.75


@pytest.mark.parametrize(
    ("members", "left", "expected"),
    [(5, 0, 1.0), (1, 0, 0.0), (11, 0, 0.0), (3, 1, 0.75), (0, 3, 0.0)],
)
def test_size_is_inside_the_bounds_and_scaled_by_leavers(members, left, expected):
    parts = component_scores(replace(HEALTHY, members=members, left=left), RULES)
    assert parts["size"] == expected


def test_an_individual_project_is_not_judged_on_size():
    parts = component_scores(replace(HEALTHY, kind="individual", members=1), RULES)
    assert "size" not in parts


@pytest.mark.parametrize(
    ("goal_set", "on_time", "held", "part"),
    [(True, True, 3, 1.0), (True, False, 3, 0.6), (False, False, 2, 0.0), (False, False, 1, None)],
)
def test_goal_by_the_second_meeting(goal_set, on_time, held, part):
    m = replace(HEALTHY, goal_set=goal_set, goal_on_time=on_time, held=held, expected=held)
    assert component_scores(m, RULES).get("goal") == part


def test_evidence_is_reflections_per_meeting_or_a_shareout():
    assert component_scores(replace(HEALTHY, reflections=1, held=4), RULES)["evidence"] == 0.25
    shared = replace(HEALTHY, reflections=0, held=4, shareout=True)
    assert component_scores(shared, RULES)["evidence"] == 1.0


def test_recency_is_full_within_a_month_and_zero_after_two():
    assert component_scores(replace(HEALTHY, days_since_last=30), RULES)["recency"] == 1.0
    assert 0 < component_scores(replace(HEALTHY, days_since_last=45), RULES)["recency"] < 1
    assert component_scores(replace(HEALTHY, days_since_last=61), RULES)["recency"] == 0.0
    two_a_month = replace(RULES, meetings_per_month=2)
    assert component_scores(replace(HEALTHY, days_since_last=30), two_a_month)["recency"] < 0.1


def test_weights_come_from_the_rules_and_school_day_counts_only_when_weighted():
    no_day = replace(HEALTHY, in_day=0)
    assert assess(no_day, RULES).score == 1.0  # default weights leave school_day out
    weighted = replace(RULES, weights={**RULES.weights, "school_day": 1.0})
    assert assess(no_day, weighted).score < 1.0
    only_cadence = replace(RULES, weights={"cadence": 1.0})
    assert assess(replace(HEALTHY, held=1, expected=2), only_cadence).score == 0.5


@pytest.mark.parametrize(
    ("score", "light"),
    [(0.8, "green"), (0.75, "green"), (0.74, "amber"), (0.5, "amber"), (0.49, "red")],
)
def test_light_thresholds(score, light):
    assert light_for(score, 0.5, 0.75) == light


def test_contact_hours_under_the_target_is_a_note_not_a_grade():
    short = replace(HEALTHY, member_hours=2.0)
    h = assess(short, replace(RULES, meetings_remaining=3, contact_hours_target=14))
    assert h.projected_hours == 5.0
    assert any("under 14" in n and "not part of the score" in n for n in h.notes)
    assert h.score == 1.0
    long = assess(short, replace(RULES, meetings_remaining=12))
    assert not any("under 14" in n for n in long.notes)


def test_expected_meetings_are_pro_rated_and_capped_at_the_season_end():
    start, end = date(2026, 11, 1), date(2027, 4, 30)
    assert expected_meetings(start, end, date(2026, 11, 10), 1) == 0
    assert expected_meetings(start, end, date(2026, 11, 23), 1) == 1
    assert expected_meetings(start, end, date(2027, 1, 20), 1) == 3
    assert expected_meetings(start, end, date(2027, 1, 20), 2) == 5
    assert expected_meetings(start, end, date(2027, 9, 1), 1) == 6
    assert expected_meetings(start, end, date(2026, 10, 1), 1) == 0


def test_rules_from_settings_count_the_meetings_left_in_the_season():
    s = Settings(season_start=date(2026, 11, 1), season_end=date(2027, 4, 30))
    assert HealthRules.from_settings(s, date(2027, 1, 20)).meetings_remaining == 3
    assert HealthRules.from_settings(s, date(2027, 5, 20)).meetings_remaining == 0


# --- the score is monotone in each measure ------------------------------------------------

measures = st.builds(
    CohortMeasures,
    cohort_id=st.just(1),
    kind=st.sampled_from(["cohort", "individual"]),
    members=st.integers(0, 12),
    left=st.integers(0, 5),
    held=st.integers(0, 8),
    expected=st.integers(0, 8),
    attended=st.integers(0, 40),
    possible=st.integers(0, 40),
    goal_set=st.booleans(),
    goal_on_time=st.booleans(),
    reflections=st.integers(0, 10),
    shareout=st.booleans(),
    in_day=st.integers(0, 8),
    days_since_last=st.one_of(st.none(), st.integers(0, 120)),
    days_active=st.integers(0, 180),
).map(lambda m: replace(m, attended=min(m.attended, m.possible), in_day=min(m.in_day, m.held)))


def _score(m):
    return assess(m, RULES).score


@given(measures)
def test_more_meetings_held_never_lower_the_score(m):
    # Evidence per meeting and the goal falling due move with a meeting too: hold them fixed.
    m = replace(m, shareout=True, goal_set=True)
    assert component_scores(replace(m, held=m.held + 1), RULES)["cadence"] >= component_scores(
        m, RULES
    ).get("cadence", 0.0)
    assert _score(replace(m, held=m.held + 1)) >= _score(m)


@given(measures)
def test_more_attendance_never_lowers_the_score(m):
    if m.attended < m.possible:
        assert _score(replace(m, attended=m.attended + 1)) >= _score(m)


@given(measures)
def test_more_reflections_never_lower_the_score(m):
    assert _score(replace(m, reflections=m.reflections + 1)) >= _score(m)


@given(measures)
def test_a_goal_never_lowers_the_score(m):
    with_goal = replace(m, goal_set=True, goal_on_time=True)
    assert _score(with_goal) >= _score(replace(m, goal_set=False))


@given(measures)
def test_more_leavers_never_raise_the_score(m):
    assert _score(replace(m, left=m.left + 1)) <= _score(m)


@given(measures)
def test_a_longer_silence_never_raises_the_score(m):
    if m.days_since_last is not None:
        assert _score(replace(m, days_since_last=m.days_since_last + 7)) <= _score(m)


@given(measures)
def test_the_score_is_between_0_and_1_and_matches_its_light(m):
    h = assess(m, RULES)
    assert 0 <= h.score <= 1
    assert h.light == light_for(h.score, RULES.amber, RULES.green)
