"""'A short list for me': at most three suggestions, each with one sentence of why."""

from hypothesis import given
from hypothesis import strategies as st

from pdcore.matching import Person
from pdcore.shortlist import Option, Seeker, pick

WEB, PBL, GOOGLE = 1, 2, 3
NAMES = {WEB: "Web Tools", PBL: "Project Based Learning", GOOGLE: "Using Google Suite"}
WED_LUNCH, THU_AFTER, MON_BEFORE = 10, 11, 12
SLOTS = {WED_LUNCH: "Wed lunch", THU_AFTER: "Thu after school", MON_BEFORE: "Mon before school"}


def option(cid, topic, slot, seats=3, members=()):
    people = tuple(Person(id=m, name=name, department=dept) for m, name, dept in members)
    return Option(cid, topic, f"Cohort {cid}", slot, SLOTS[slot], seats, people)


def ana(**kw):
    base = dict(
        id=1,
        department="Mathematics",
        choices=(PBL, WEB),
        slots=frozenset({WED_LUNCH}),
    )
    return Seeker(**{**base, **kw})


def test_first_choice_at_a_free_slot_comes_first_with_its_reasons():
    options = [
        option(100, WEB, WED_LUNCH),
        option(101, PBL, THU_AFTER),
        option(102, PBL, WED_LUNCH, members=[(7, "Ben Kim", "Mathematics")]),
    ]
    picks = pick(ana(), options, NAMES)
    # For a WHEN person, a second choice they can make beats a first choice they cannot.
    assert [p.cohort_id for p in picks] == [102, 100, 101]
    assert picks[0].why == (
        "Your first choice, meets Wed lunch, when you are free, 1 from Mathematics, 3 open seats."
    )
    assert picks[1].why.startswith("Your second choice, meets Wed lunch, when you are free")
    assert picks[2].why == "Your first choice, meets Thu after school, 3 open seats."


def test_never_more_than_three_and_only_cohorts_with_open_seats_on_chosen_topics():
    options = [option(100 + i, PBL, WED_LUNCH) for i in range(6)]
    options += [option(200, GOOGLE, WED_LUNCH), option(201, PBL, THU_AFTER, seats=0)]
    picks = pick(ana(), options, NAMES)
    assert len(picks) == 3
    assert all(p.kind == "join" and p.topic_id == PBL for p in picks)
    assert 201 not in {p.cohort_id for p in picks}


def test_cohorts_at_different_times_before_a_second_cohort_at_the_same_time():
    options = [
        option(100, PBL, WED_LUNCH),
        option(101, PBL, WED_LUNCH),
        option(102, PBL, THU_AFTER),
    ]
    picks = pick(ana(), options, NAMES, limit=2)
    assert {p.slot_id for p in picks} == {WED_LUNCH, THU_AFTER}


def test_named_colleagues_weigh_more_for_a_who_person():
    with_friend = option(100, PBL, THU_AFTER, members=[(9, "Rosa Diaz", "Science")])
    at_free_time = option(101, PBL, WED_LUNCH)
    who = pick(ana(priority="who", colleagues=frozenset({9})), [with_friend, at_free_time], NAMES)
    assert who[0].cohort_id == 100
    assert "Rosa Diaz is in it" in who[0].why
    when = pick(ana(priority="when"), [with_friend, at_free_time], NAMES)
    assert when[0].cohort_id == 101


def test_a_mix_person_hears_about_other_departments():
    members = [(7, "Ben Kim", "Science"), (8, "Carla Chen", "English")]
    picks = pick(ana(dept_pref="mix"), [option(100, PBL, WED_LUNCH, members=members)], NAMES)
    assert "2 from other departments" in picks[0].why


def test_a_cohort_they_left_is_not_suggested_again():
    picks = pick(ana(left=frozenset({100})), [option(100, PBL, WED_LUNCH)], NAMES)
    assert picks == []


def test_individual_and_expert_wishes_come_first():
    solo = pick(ana(mode="individual"), [option(100, PBL, WED_LUNCH)], NAMES)
    assert solo[0].kind == "individual" and solo[0].topic_id == PBL
    assert "rather work on your own" in solo[0].why
    expert = pick(
        ana(mode="expert"), [option(100, PBL, WED_LUNCH)], NAMES, expert_topics=frozenset({WEB})
    )
    assert expert[0].kind == "expert" and expert[0].topic_id == WEB
    assert expert[1].kind == "join"


def test_department_colleagues_without_a_group_suggest_starting_one():
    picks = pick(ana(), [], NAMES, slot_labels=SLOTS, peers_without_group={PBL: 2})
    assert len(picks) == 1
    assert picks[0].kind == "start" and picks[0].slot_id == WED_LUNCH
    assert picks[0].title == "Start a cohort on Project Based Learning at Wed lunch"
    assert picks[0].why == (
        "Your first choice, and 2 colleagues from Mathematics chose it too and have no group yet."
    )


def test_no_answers_and_nothing_open_gives_an_empty_list():
    assert pick(Seeker(id=1, department="Art"), [], NAMES) == []


@given(
    st.lists(
        st.tuples(
            st.sampled_from([WEB, PBL, GOOGLE]),
            st.sampled_from(list(SLOTS)),
            st.integers(min_value=0, max_value=9),
        ),
        max_size=25,
    ),
    st.lists(st.sampled_from([WEB, PBL, GOOGLE]), unique=True, max_size=3),
    st.sampled_from(["cohort", "individual", "expert"]),
)
def test_at_most_three_each_with_one_sentence(specs, choices, mode):
    options = [option(100 + i, t, s, seats) for i, (t, s, seats) in enumerate(specs)]
    seeker = ana(choices=tuple(choices), mode=mode)
    picks = pick(
        seeker, options, NAMES, expert_topics=frozenset({WEB}), peers_without_group={WEB: 1}
    )
    assert len(picks) <= 3
    for p in picks:
        assert p.why.endswith(".") and ". " not in p.why  # one sentence
        if p.kind == "join":
            chosen = next(o for o in options if o.cohort_id == p.cohort_id)
            assert chosen.open_seats > 0
            assert not choices or chosen.topic_id in choices
    assert len({p.cohort_id for p in picks if p.cohort_id}) == sum(p.kind == "join" for p in picks)
