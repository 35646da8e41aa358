"""Watchlist rules on hand-built people: each reason fires exactly when it should."""

from dataclasses import replace
from datetime import date

import pytest

from pdcore.watchlist import (
    LEFT_NONE,
    MISSED_TWO,
    NO_GROUP,
    NO_SURVEY,
    PLACE_ME,
    REASON_LABELS,
    SHRUNK,
    WatchFacts,
    WatchRules,
    case_status,
    describe,
    reasons,
)

SEASON = date(2026, 11, 1)
RULES = WatchRules(today=date(2026, 11, 23), season_start=SEASON, unmatched_alert_days=14)
# A teacher doing fine: answered, in a cohort of four, came to the last two meetings.
FINE = WatchFacts(
    staff_id=1,
    answered_survey=True,
    in_group=True,
    group_kind="cohort",
    group_size=4,
    last_two_meetings=2,
    attended_last_two=1,
)
UNPLACED = replace(FINE, in_group=False, group_kind="", group_size=0, last_two_meetings=0)


def test_someone_doing_fine_is_not_on_the_watchlist():
    assert reasons(FINE, RULES) == []


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (UNPLACED, NO_GROUP),
        (replace(FINE, place_me_open=True), PLACE_ME),
        (replace(FINE, group_size=1), SHRUNK),
        (replace(FINE, attended_last_two=0), MISSED_TWO),
        (replace(UNPLACED, ever_left=True), LEFT_NONE),
        (replace(FINE, answered_survey=False), NO_SURVEY),
    ],
)
def test_each_reason_fires_on_its_own(facts, code):
    assert code in reasons(facts, RULES)


def test_no_group_waits_the_alert_days_from_the_season_start():
    at = lambda days: replace(RULES, today=date.fromordinal(SEASON.toordinal() + days))  # noqa: E731
    assert NO_GROUP not in reasons(UNPLACED, at(13))
    assert NO_GROUP in reasons(UNPLACED, at(14))
    assert NO_GROUP not in reasons(UNPLACED, at(-30))  # before the season


def test_an_individual_project_counts_as_a_group_and_never_shrinks():
    solo = replace(FINE, group_kind="individual", group_size=1)
    assert reasons(solo, RULES) == []


def test_missed_two_needs_two_meetings_since_joining():
    one_meeting = replace(FINE, last_two_meetings=1, attended_last_two=0)
    assert MISSED_TWO not in reasons(one_meeting, RULES)
    came_once = replace(FINE, last_two_meetings=2, attended_last_two=1)
    assert MISSED_TWO not in reasons(came_once, RULES)


def test_left_and_joined_none_is_only_for_people_without_a_group_now():
    moved_on = replace(FINE, ever_left=True)  # left one cohort, is in another
    assert LEFT_NONE not in reasons(moved_on, RULES)


def test_reasons_come_in_reading_order_and_read_as_words():
    everything = replace(UNPLACED, ever_left=True, place_me_open=True, answered_survey=False)
    codes = reasons(everything, RULES)
    assert codes == [PLACE_ME, NO_GROUP, LEFT_NONE, NO_SURVEY]
    text = describe(codes, RULES)
    assert text.startswith(REASON_LABELS[PLACE_ME])
    assert "(22 days into the season)" in text


def test_case_status_follows_the_latest_follow_up():
    assert case_status(False, False) == "new"
    assert case_status(True, False) == "in progress"
    assert case_status(True, True) == "resolved"
