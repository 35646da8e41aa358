"""A cohort's life: start one (or an individual project), leave, split, and ask to be placed."""

import pytest

from pdcore import cohorts, db, help_requests, meetings
from pdcore.model import PermissionDenied, ValidationError


def rows(con, sql, params=()):
    return db.read(con).execute(sql, list(params)).fetchall()


@pytest.fixture
def school(con, make):
    slots = make.slots()
    topic = make.topic("Web Tools")
    people = {n: make.staff(n) for n in ("Ana Ruiz", "Ben Kim", "Cara Chen", "Dev Patel")}
    return slots, topic, people


def test_start_a_cohort_with_name_slot_and_first_goal_in_one_go(con, school):
    slots, topic, p = school
    cid = cohorts.start_cohort(
        con,
        p["Ana Ruiz"],
        topic_id=topic,
        name="Web Tools, Wed lunch",
        slot_id=slots[2],
        goal="Try one new tool a month.",
    )
    info = cohorts.current_cohort(con, p["Ana Ruiz"])
    assert (info.id, info.name, info.slot_label, info.kind) == (
        cid,
        "Web Tools, Wed lunch",
        "Wed lunch",
        "cohort",
    )
    assert rows(con, "SELECT how FROM memberships WHERE cohort_id = ?", [cid]) == [("started",)]
    assert [g.text for g in meetings.goal_history(con, cid)] == ["Try one new tool a month."]
    # Others can now find and join it.
    cohorts.join(con, p["Ben Kim"], cid)
    assert cohorts.get(con, cid).size == 2


@pytest.mark.parametrize(
    ("name", "slot_index", "goal", "message"),
    [
        ("", 2, "A goal", "name for the cohort"),
        ("x" * 81, 2, "A goal", "80 characters"),
        ("Web", None, "A goal", "meeting slot"),
        ("Web", 99, "A goal", "not in the school's list"),
        ("Web", 2, "   ", "first goal"),
        ("Web", 2, "g" * 501, "500 characters"),
    ],
)
def test_a_bad_start_says_what_to_change_and_writes_nothing(
    con, school, name, slot_index, goal, message
):
    slots, topic, p = school
    slot = None if slot_index is None else (slots[slot_index] if slot_index < 10 else 999)
    with pytest.raises(ValidationError, match=message):
        cohorts.start_cohort(con, p["Ana Ruiz"], topic_id=topic, name=name, slot_id=slot, goal=goal)
    assert rows(con, "SELECT count(*) FROM cohorts") == [(0,)]
    assert rows(con, "SELECT count(*) FROM goals") == [(0,)]


def test_starting_while_in_a_cohort_is_refused_whole(con, school):
    slots, topic, p = school
    cohorts.start_cohort(con, p["Ana Ruiz"], topic_id=topic, name="A", slot_id=slots[0], goal="g")
    with pytest.raises(cohorts.AlreadyInCohort):
        cohorts.start_cohort(
            con, p["Ana Ruiz"], topic_id=topic, name="B", slot_id=slots[0], goal="g"
        )
    assert rows(con, "SELECT name FROM cohorts") == [("A",)]


def test_an_individual_project_has_its_own_goal_and_log(con, school):
    _slots, topic, p = school
    cid = cohorts.start_individual(con, p["Dev Patel"], topic_id=topic, goal="Redesign one unit.")
    info = cohorts.current_cohort(con, p["Dev Patel"])
    assert info.kind == "individual" and info.name == "Individual project: Web Tools"
    assert meetings.current_goal(con, cid).text == "Redesign one unit."
    with pytest.raises(cohorts.CohortFull):
        cohorts.join(con, p["Ben Kim"], cid)


def test_leaving_ends_the_membership_with_a_reason_and_keeps_history(con, school):
    slots, topic, p = school
    cid = cohorts.start_cohort(
        con, p["Ana Ruiz"], topic_id=topic, name="A", slot_id=slots[0], goal="g"
    )
    cohorts.join(con, p["Ben Kim"], cid)
    cohorts.leave(con, p["Ben Kim"], cid, "  schedule changed ")
    assert cohorts.current_cohort(con, p["Ben Kim"]) is None
    left = rows(
        con,
        "SELECT left_reason, left_at IS NOT NULL FROM memberships WHERE staff_id = ?",
        [p["Ben Kim"]],
    )
    assert left == [("schedule changed", True)]
    assert cohorts.get(con, cid).status == "active"
    with pytest.raises(PermissionDenied):
        cohorts.leave(con, p["Ben Kim"], cid)  # not a member any more
    # The last one out closes the cohort; nothing is deleted.
    cohorts.leave(con, p["Ana Ruiz"], cid)
    assert cohorts.get(con, cid).status == "closed"
    assert rows(con, "SELECT count(*) FROM memberships WHERE cohort_id = ?", [cid]) == [(2,)]
    assert cohorts.membership_history(con, cid)["name"].tolist() == ["Ana Ruiz", "Ben Kim"]


def test_split_moves_chosen_members_into_a_child_cohort_and_both_keep_history(con, school):
    slots, topic, p = school
    cid = cohorts.start_cohort(
        con, p["Ana Ruiz"], topic_id=topic, name="Web Tools", slot_id=slots[0], goal="Shared goal"
    )
    for name in ("Ben Kim", "Cara Chen", "Dev Patel"):
        cohorts.join(con, p[name], cid)
    meetings.revise_goal(con, p["Ben Kim"], cid, "Narrowed goal")
    asked = cohorts.split(
        con,
        p["Cara Chen"],
        cid,
        [p["Cara Chen"], p["Dev Patel"]],
        name="Web Tools (B)",
        slot_id=slots[3],
    )
    # Nobody is moved without saying yes: Dev is asked, and nothing moves until he answers.
    assert asked.new_cohort_id is None and asked.waiting_for == ("Dev Patel",)
    assert len(cohorts.get(con, cid).member_ids) == 4
    new = cohorts.answer_split(con, p["Dev Patel"], asked.proposal_id, accept=True).new_cohort_id
    child, parent = cohorts.get(con, new), cohorts.get(con, cid)
    assert child.parent_id == cid and child.topic_id == topic and child.slot_id == slots[3]
    assert set(child.member_ids) == {p["Cara Chen"], p["Dev Patel"]}
    assert set(parent.member_ids) == {p["Ana Ruiz"], p["Ben Kim"]}
    moved = rows(
        con,
        "SELECT cohort_id, how, left_reason, left_at IS NULL FROM memberships "
        "WHERE staff_id = ? ORDER BY joined_at",
        [p["Dev Patel"]],
    )
    assert moved == [(cid, "joined", "split into a new cohort", False), (new, "split", "", True)]
    assert [g.version for g in meetings.goal_history(con, cid)] == [2, 1]
    assert meetings.current_goal(con, new).text == "Narrowed goal"


def test_split_rules(con, school):
    slots, topic, p = school
    cid = cohorts.start_cohort(
        con, p["Ana Ruiz"], topic_id=topic, name="W", slot_id=slots[0], goal="g"
    )
    cohorts.join(con, p["Ben Kim"], cid)
    with pytest.raises(PermissionDenied):
        cohorts.split(con, p["Cara Chen"], cid, [p["Ben Kim"]], name="X")
    with pytest.raises(ValidationError, match="Someone has to stay"):
        cohorts.split(con, p["Ana Ruiz"], cid, [p["Ana Ruiz"], p["Ben Kim"]], name="X")
    with pytest.raises(ValidationError, match="Only current members"):
        cohorts.split(con, p["Ana Ruiz"], cid, [p["Cara Chen"]], name="X")
    with pytest.raises(ValidationError, match="Choose who moves"):
        cohorts.split(con, p["Ana Ruiz"], cid, [], name="X")
    assert rows(con, "SELECT count(*) FROM cohorts") == [(1,)]
    assert set(cohorts.get(con, cid).member_ids) == {p["Ana Ruiz"], p["Ben Kim"]}


def test_place_me_is_one_open_request_closed_by_joining(con, school):
    slots, topic, p = school
    ana = p["Ana Ruiz"]
    first = help_requests.ask(con, ana, "place_me", topic, "I can only meet at lunch.")
    assert help_requests.ask(con, ana, "place_me", topic) == first  # no duplicate
    mine = help_requests.open_place_me(con, ana)
    assert mine.id == first and mine.describe().startswith("Place me in a cohort (Web Tools)")
    frame = help_requests.open_requests(con, "place_me")
    assert frame[["name", "topic", "note"]].values.tolist() == [
        ["Ana Ruiz", "Web Tools", "I can only meet at lunch."]
    ]
    cid = cohorts.start_cohort(
        con, p["Ben Kim"], topic_id=topic, name="W", slot_id=slots[0], goal="g"
    )
    cohorts.join(con, ana, cid)
    assert help_requests.open_place_me(con, ana) is None
    assert help_requests.open_requests(con, "place_me").empty
    assert help_requests.my_requests(con, ana)[0].status == "done"
    with pytest.raises(ValidationError, match="already in W"):
        help_requests.ask(con, ana, "place_me", topic)


def test_only_the_asker_or_a_coach_closes_a_request(con, school):
    _slots, topic, p = school
    coach = school[2]["Dev Patel"]
    with db.transaction(con) as cur:
        cur.execute("UPDATE staff SET role = 'coach' WHERE id = ?", [coach])
    rid = help_requests.ask(con, p["Ana Ruiz"], "expert", topic)
    with pytest.raises(PermissionDenied):
        help_requests.resolve(con, p["Ben Kim"], rid)
    help_requests.resolve(con, coach, rid)
    with pytest.raises(ValidationError, match="already done"):
        help_requests.withdraw(con, p["Ana Ruiz"], rid)
    other = help_requests.ask(con, p["Ana Ruiz"], "coach", note="n" * 10)
    help_requests.withdraw(con, p["Ana Ruiz"], other)
    assert {r.status for r in help_requests.my_requests(con, p["Ana Ruiz"])} == {
        "done",
        "withdrawn",
    }
    with pytest.raises(ValidationError, match="Unknown kind"):
        help_requests.ask(con, p["Ana Ruiz"], "lunch")
