"""The engine under every rule setting: no hard rule broken, everyone placeable placed (the
most people any valid set of cohorts could seat, found by an exact search written here
independently of the engine), and every reason it gives an unplaced person true of the data.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pdcore.matching import Cohort, Formation, Person, Rules, Topic, form_cohorts
from tests.unit.test_matching import check_hard_rules

SLOTS = {1: "Wed lunch", 2: "After school", 3: "2nd period planning", 4: "Before school"}


@st.composite
def rules(draw) -> Rules:
    low = draw(st.integers(2, 5))
    high = draw(st.integers(low, 12))
    ideal_low = draw(st.integers(low, high))
    return Rules(
        min_size=low,
        max_size=high,
        ideal_min=ideal_low,
        ideal_max=draw(st.integers(ideal_low, high)),
        offer_threshold=draw(st.integers(1, 4)),
    )


@st.composite
def schools(draw, max_people=10, with_cohorts=False):
    n_topics = draw(st.integers(1, 3))
    topics = [
        Topic(t, f"Topic {t}", draw(st.sampled_from(["offered", "offered", "proposed", "retired"])))
        for t in range(1, n_topics + 1)
    ]
    slots = list(range(1, draw(st.integers(1, 4)) + 1))
    names = draw(st.sampled_from([["North"], ["North", "South"]]))
    ids = list(range(1, draw(st.integers(0, max_people)) + 1))
    people = [
        Person(
            id=pid,
            name=f"P{pid}",
            department=draw(st.sampled_from(["Math", "Science", "English"])),
            school=draw(st.sampled_from(names)),
            choices=tuple(
                draw(st.lists(st.integers(1, n_topics), min_size=0, max_size=3, unique=True))
            ),
            mode=draw(st.sampled_from(["cohort", "cohort", "cohort", "expert", "individual"])),
            priority=draw(st.sampled_from(["who", "when"])),
            slots=frozenset(draw(st.lists(st.sampled_from(slots), max_size=3))),
            colleagues=frozenset(draw(st.lists(st.sampled_from(ids), max_size=2))) if ids else (),
            dept_pref=draw(st.sampled_from(["same", "mix", "none"])),
        )
        for pid in ids
    ]
    cohorts = []
    if with_cohorts:
        member = 1000
        for cid in range(1, draw(st.integers(0, 3)) + 1):
            size = draw(st.integers(1, 8))
            cohorts.append(
                Cohort(
                    id=cid,
                    topic_id=draw(st.integers(1, n_topics)),
                    name=f"Cohort {cid}",
                    slot_id=draw(st.sampled_from([None, *slots])),
                    member_ids=tuple(range(member, member + size)),
                    school=draw(st.sampled_from(names)),
                )
            )
            member += size
    return people, cohorts, topics


# --------------------------------------------------------------------------- the data's facts


class Facts:
    """What is true of an input and a formation, computed from the outside."""

    def __init__(self, people, cohorts, topics, rules, formation: Formation, slot_labels):
        self.rules = rules
        self.low = max(2, rules.min_size)
        self.high = max(self.low, rules.max_size)
        seated = {m for c in cohorts for m in c.member_ids}
        self.todo = {
            p.id: p for p in people if p.mode != "individual" and p.id not in seated
        }.values()
        self.status = {t.id: t.status for t in topics}
        self.names = {t.id: t.name for t in topics}
        self.firsts: Counter = Counter((p.school, p.choices[0]) for p in self.todo if p.choices)
        for c in cohorts:
            self.firsts[(c.school, c.topic_id)] += len(c.member_ids)
        self.universe = sorted(
            set(slot_labels)
            | {s for p in self.todo for s in p.slots}
            | {c.slot_id for c in cohorts if c.slot_id is not None}
        )
        self.unplaced = {u.person_id for u in formation.unplaced}
        # Every cohort after the formation: (topic, slot, school, members, movable, floor).
        self.cohorts = []
        joined: dict[int, list[int]] = {}
        for cid, pid in formation.joins:
            joined.setdefault(cid, []).append(pid)
        for c in cohorts:
            if self.status.get(c.topic_id) == "retired":
                continue
            moved = joined.get(c.id, [])
            size = len(c.member_ids) + len(moved)
            floor = min(self.low, len(c.member_ids))
            self.cohorts.append((c.topic_id, c.slot_id, c.school, size, moved, floor))
        for c in formation.new_cohorts:
            members = list(c.member_ids)
            self.cohorts.append((c.topic_id, c.slot_id, c.school, len(members), members, self.low))

    def offered(self, school: str, t: int) -> bool:
        status = self.status.get(t)
        return status == "offered" or (
            status == "proposed" and self.firsts[(school, t)] >= self.rules.offer_threshold
        )

    def usable(self, school: str, t: int) -> bool:
        return self.status.get(t) != "retired" and (
            self.offered(school, t) or any(c[0] == t and c[2] == school for c in self.cohorts)
        )

    def fits(self, p: Person, t: int, slot) -> bool:
        if t not in p.choices or not self.usable(p.school, t):
            return False
        return p.priority == "who" or (slot is not None and slot in p.slots)

    def others_on(self, p: Person, t: int) -> list[Person]:
        return [q for q in self.todo if q.id != p.id and q.school == p.school and t in q.choices]

    def recruits(self, p: Person, t: int, slot) -> int:
        """Others who could start a cohort with p at a slot: unplaced, or spared by their
        cohort (which keeps its minimum)."""
        count = sum(
            1 for q in self.others_on(p, t) if q.id in self.unplaced and self.fits(q, t, slot)
        )
        by_id = {q.id: q for q in self.todo}
        for _topic, _slot, school, size, movable, floor in self.cohorts:
            if school != p.school:
                continue
            fit = sum(1 for m in movable if m != p.id and self.fits(by_id[m], t, slot))
            count += min(fit, size - floor)
        return count


PART_START = re.compile(r"; (?!a cohort needs|a new one needs|new cohorts on)")


def check_reasons(people, cohorts, topics, rules, formation: Formation, slot_labels=SLOTS) -> None:
    """Each topic's reason is one of the engine's sentences, and what it says is true."""
    facts = Facts(people, cohorts, topics, rules, formation, slot_labels)
    by_id = {p.id: p for p in people}
    for u in formation.unplaced:
        p = by_id[u.person_id]
        choices = list(dict.fromkeys(p.choices))
        if not choices:
            assert u.reason == "you have not chosen a topic yet"
            continue
        if p.priority == "when" and not p.slots:
            assert u.reason == "you have not given any times you can meet"
            continue
        text = u.reason
        if not any(facts.usable(p.school, t) for t in choices):
            prefix = "no offered topic among your choices: "
            assert text.startswith(prefix), text
            text = text[len(prefix) :]
        parts = PART_START.split(text)
        assert len(parts) == len(choices), (text, choices)
        for t, part in zip(choices, parts, strict=True):
            check_topic_reason(facts, p, t, part)


def check_topic_reason(facts: Facts, p: Person, t: int, part: str) -> None:
    name, low, high = facts.names[t], facts.low, facts.high
    when = p.priority == "when"
    if part == f"{name} is no longer offered":
        assert facts.status[t] == "retired"
        return
    if m := re.fullmatch(
        rf"{name} is not offered yet \((\d+) chose it first, (\d+) needed\)", part
    ):
        assert not facts.usable(p.school, t)
        assert int(m[1]) == facts.firsts[(p.school, t)] < int(m[2]) == facts.rules.offer_threshold
        return
    assert facts.usable(p.school, t), part
    fitting = [
        c for c in facts.cohorts if c[0] == t and c[2] == p.school and facts.fits(p, t, c[1])
    ]
    compatible = [
        q
        for q in facts.others_on(p, t)
        if q.priority == "who" or q.slots & (p.slots if when else q.slots)
    ]
    if part == f"no one else on {name} can meet when you can":
        assert not fitting and not compatible
        return
    if m := re.fullmatch(
        rf"only (\d+) others? on {name} can meet when you can; a cohort needs at least (\d+)",
        part,
    ):
        assert not fitting
        assert int(m[1]) == len(compatible) and len(compatible) + 1 < low == int(m[2])
        return
    m = re.fullmatch(
        rf"(every cohort on {name}( that meets when you are free)? is full"
        rf"|no cohort on {name} meets when you are free|there is no cohort on {name}); (.*)",
        part,
    )
    assert m, part
    if m[1].startswith("every"):
        assert fitting and all(c[3] >= high for c in fitting), (part, fitting)
        assert when == bool(m[2])
    else:
        assert not fitting and when == m[1].startswith("no cohort")
    rest = m[3]
    if n := re.fullmatch(
        rf"new cohorts on {name} wait until it is offered \((\d+) chose it first, (\d+) needed\)",
        rest,
    ):
        assert not facts.offered(p.school, t)
        assert int(n[1]) == facts.firsts[(p.school, t)]
        return
    n = re.fullmatch(
        r"a new one needs (\d+), and only (\d+) others?( free then)? (is|are) unplaced "
        r"or can be spared by their cohort",
        rest,
    )
    assert n and int(n[1]) == low, rest
    assert facts.offered(p.school, t)
    slots = sorted(p.slots) if when else (facts.universe or [None])
    best = max(facts.recruits(p, t, s) for s in slots)
    assert int(n[2]) == best and best + 1 < low, (part, best)


# --------------------------------------------------------------------------- exact placeable


def most_placeable(people, topics, rules: Rules) -> int:
    """The most people any set of valid new cohorts could seat (no existing cohorts): an
    exact search over subsets, per school."""
    low = max(2, rules.min_size)
    high = max(low, rules.max_size)
    status = {t.id: t.status for t in topics}
    todo = [p for p in {p.id: p for p in people}.values() if p.mode != "individual"]
    total = 0
    for school in sorted({p.school for p in todo}):
        pool = [p for p in todo if p.school == school]
        firsts = Counter(p.choices[0] for p in pool if p.choices)
        offered = {
            t
            for t, s in status.items()
            if s == "offered" or (s == "proposed" and firsts[t] >= rules.offer_threshold)
        }
        pool = [p for p in pool if set(p.choices) & offered]
        n = len(pool)

        def valid(mask, pool=pool, offered=offered, n=n):
            members = [pool[k] for k in range(n) if mask >> k & 1]
            if not low <= len(members) <= high:
                return False
            if not set.intersection(*(set(p.choices) for p in members)) & offered:
                return False
            need = [p.slots for p in members if p.priority == "when"]
            return not need or bool(frozenset.intersection(*need))

        @cache
        def best(mask, valid=valid):
            if not mask:
                return 0
            low_bit = mask & -mask
            rest = mask ^ low_bit
            value = best(rest)
            sub = rest
            while True:
                block = sub | low_bit
                if valid(block):
                    value = max(value, block.bit_count() + best(mask ^ block))
                if not sub:
                    break
                sub = (sub - 1) & rest
            return value

        total += best((1 << n) - 1)
    return total


# --------------------------------------------------------------------------- properties

PROPS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(schools(), rules(), st.integers(0, 2))
def test_everyone_placeable_is_placed_under_any_rules(school, rules, seed):
    people, cohorts, topics = school
    formation = form_cohorts(people, cohorts, topics, rules, SLOTS, seed=seed)
    check_hard_rules(people, cohorts, topics, rules, formation)
    assert len(formation.placed_ids()) == most_placeable(people, topics, rules)
    check_reasons(people, cohorts, topics, rules, formation)


@PROPS
@given(schools(max_people=16, with_cohorts=True), rules(), st.integers(0, 2))
def test_with_existing_cohorts_no_rule_broken_and_every_reason_true(school, rules, seed):
    people, cohorts, topics = school
    formation = form_cohorts(people, cohorts, topics, rules, SLOTS, seed=seed)
    check_hard_rules(people, cohorts, topics, rules, formation)
    check_reasons(people, cohorts, topics, rules, formation)


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize("low", [2, 3, 4, 5])
def test_identical_people_fill_every_setting_as_far_as_sizes_allow(low):
    """The sweep from issue 13: identical people, one topic, one slot, every valid setting."""
    topics = [Topic(1, "Web Tools", "offered")]
    for high in range(low, 13):
        for ideal_low in range(low, high + 1):
            for ideal_high in range(ideal_low, high + 1):
                r = Rules(min_size=low, max_size=high, ideal_min=ideal_low, ideal_max=ideal_high)
                for n in range(2, 25):
                    people = [
                        Person(
                            id=k,
                            name=f"T{k}",
                            department="Math",
                            choices=(1,),
                            slots=frozenset({1}),
                        )
                        for k in range(1, n + 1)
                    ]
                    formation = form_cohorts(people, (), topics, r, SLOTS)
                    most = max(min(n, k * high) for k in range(n // low + 1))
                    assert len(formation.placed_ids()) == most, (r, n)
                    check_reasons(people, (), topics, r, formation)


def test_seven_who_teachers_with_minimum_four_place_six_and_say_why_the_seventh_is_not():
    people = [
        Person(id=k, name=f"T{k}", department="Math", choices=(1,), priority="who")
        for k in range(1, 8)
    ]
    rules = Rules(min_size=4, max_size=6, ideal_min=4, ideal_max=6)
    formation = form_cohorts(people, (), [Topic(1, "Web Tools", "offered")], rules, SLOTS)
    assert [len(c.member_ids) for c in formation.new_cohorts] == [6]
    (u,) = formation.unplaced
    assert u.reason == (
        "every cohort on Web Tools is full; a new one needs 4, and only 2 others are "
        "unplaced or can be spared by their cohort"
    )


def test_realistic_schools_place_everyone_placeable_and_every_reason_is_true():
    """The benchmark's seeded schools (260 staff, nine topics, ten slots) under the default
    rules and a stricter minimum: every path of the engine runs on them."""
    from benchmarks.instances import generate
    from benchmarks.matching_bench import placeable_ids

    for seed, rules in ((1, None), (2, Rules(min_size=4, max_size=6, ideal_min=4, ideal_max=6))):
        inst = generate(260, seed=seed)
        rules = rules or inst.rules
        formation = form_cohorts(
            inst.people, (), inst.topics, rules, inst.slot_labels, inst.topic_names
        )
        check_hard_rules(inst.people, (), inst.topics, rules, formation)
        if rules == inst.rules:
            assert placeable_ids(inst) <= formation.placed_ids()
        check_reasons(inst.people, (), inst.topics, rules, formation, inst.slot_labels)


@PROPS
@given(schools(max_people=16, with_cohorts=True), rules(), st.data())
def test_never_together_pairs_are_never_in_one_cohort(school, rules, data):
    people, cohorts, topics = school
    ids = [p.id for p in people] + [m for c in cohorts for m in c.member_ids]
    pairs = (
        data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=6))
        if ids
        else []
    )
    formation = form_cohorts(people, cohorts, topics, rules, SLOTS, apart=pairs)
    check_hard_rules(people, cohorts, topics, rules, formation)
    groups = [set(c.member_ids) for c in formation.new_cohorts]
    for c in cohorts:
        groups.append(set(c.member_ids) | {p for cid, p in formation.joins if cid == c.id})
    for a, b in pairs:
        if a != b:
            joined = {p for _, p in formation.joins} | formation.placed_ids()
            if a in joined or b in joined:
                assert not any(a in g and b in g for g in groups), (a, b)
