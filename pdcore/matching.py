"""Cohort formation: ranked cohorts for one teacher, and cohorts for everyone still unplaced.

Pure logic (issue 4): plain dataclasses in, plain dataclasses out. No database, no Streamlit,
no solver; standard library only, so it can be tested and benchmarked on its own.

The model
---------
Hard rules, which no output of :func:`form_cohorts` ever breaks:

* a new cohort has between ``min_size`` (at least 2) and ``max_size`` members; an existing
  cohort is never broken up and never grows past ``max_size``;
* a person is in at most one cohort; individual-project people are never grouped;
* every WHEN-priority member is free at the cohort's meeting slot (a cohort without a slot
  takes no WHEN-priority joiners);
* a cohort's members all belong to one school;
* new cohorts are formed only on offered topics (offered by an admin, or proposed and chosen
  first by at least ``offer_threshold`` people in that school); a person joins only a cohort
  on one of their own choices, and never one on a retired topic.

Wanted, in this order, as a weighted objective (the ``W_*`` weights below): place everyone
who can be placed; keep people on their first choice where they can be grouped there; keep
named colleagues together (mutual requests weigh more); honour department preferences; seat
WHO-priority members at a slot they are free; keep sizes inside the ideal range.

Department preference, as measured here: "same" is honoured when at least half of the
other members are from the person's department, "mix" when at least half of the others are
from other departments (see :func:`dept_preference_met`).

How :func:`form_cohorts` works, per school: choose a topic for everyone (first choice, or
the next one when the first is not offered or no one there could be grouped with them);
per topic, fill the open seats of existing cohorts, then join named colleagues into units
(union-find), bucket the units by meeting slot (greedy cover: the slot most WHEN-priority
people share first, then departments where someone wants "same" consolidated) and split
each bucket into balanced cohorts of ideal size (13 -> 5 + 4 + 4) seeded with department
cores. A local search then improves the objective without ever breaking a hard rule: moves,
swaps, slot changes, dissolving or growing small cohorts, splitting big ones, and for unmet
department preferences recruit chains, double swaps and rebuilding three cohorts at a time.
A last pass seats anyone left over: into any cohort with room on one of their choices, with
another leftover person, or with someone taken from a cohort that can spare them. Everything
is deterministic for the same input and seed. Measured quality and speed:
``benchmarks/MATCHING.md``.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Cohort",
    "CohortFit",
    "Formation",
    "NewCohort",
    "Person",
    "Rules",
    "Topic",
    "Unplaced",
    "cohort_score",
    "dept_preference_met",
    "form_cohorts",
    "formation_score",
    "offered_topic_ids",
    "rank_cohorts_for",
]

# Objective weights, in the order of the model's wants. A placed person is worth far more
# than any preference, and a first choice more than a named colleague.
W_PLACE = 1000.0  # per person placed
W_RANK = 60.0  # per step down the person's ranked choices
W_NAMED = 20.0  # per named-colleague request honoured (each direction counts)
W_MUTUAL = 15.0  # extra when two people named each other
W_DEPT = 18.0  # per department preference honoured
W_AVAIL = 4.0  # per WHO-priority member free at the cohort's slot
W_SIZE = 30.0  # a cohort one person outside the ideal range
W_SIZE_STEP = 10.0  # each further person outside it
W_EXISTING = 5.0  # per seat filled in an existing cohort (fill those first)

_SAME, _MIX = 1, 2
_PREF_CODE = {"same": _SAME, "mix": _MIX}


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Person:
    """Someone who wants a cohort (or an individual project)."""

    id: int
    name: str
    department: str
    school: str = ""
    choices: tuple[int, ...] = ()  # topic ids, ranked, up to 3
    mode: str = "cohort"  # "cohort" | "individual" | "expert"
    priority: str = "when"  # "who" | "when"
    slots: frozenset[int] = frozenset()  # meeting-slot ids the person can make
    colleagues: frozenset[int] = frozenset()  # person ids they named
    dept_pref: str = "none"  # "same" | "mix" | "none"


@dataclass(frozen=True)
class Cohort:
    """An existing cohort with its current members."""

    id: int
    topic_id: int
    name: str
    slot_id: int | None
    member_ids: tuple[int, ...]
    school: str = ""


@dataclass(frozen=True)
class Rules:
    """A school's cohort size rules and the first-choice count that offers a topic."""

    min_size: int = 2
    max_size: int = 10
    ideal_min: int = 4
    ideal_max: int = 6
    offer_threshold: int = 4


@dataclass(frozen=True)
class Topic:
    id: int
    name: str
    status: str = "proposed"  # "offered" | "proposed" | "retired"


@dataclass(frozen=True)
class CohortFit:
    """How well one existing cohort fits one person, with the reasons in plain words."""

    cohort_id: int
    score: float
    open_seats: int
    reasons: tuple[str, ...]

    def sentence(self) -> str:
        """The reasons as one line, e.g. "meets Wed lunch: you are free then; 2 from your
        department; Ana Ruiz is in it"."""
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class NewCohort:
    topic_id: int
    slot_id: int | None
    member_ids: tuple[int, ...]
    school: str = ""
    name: str = ""


@dataclass(frozen=True)
class Unplaced:
    """Someone the engine could not place, why, and what a coach or teacher can do."""

    person_id: int
    reason: str
    suggestions: tuple[str, ...]


@dataclass(frozen=True)
class Formation:
    """The result of :func:`form_cohorts`: nothing is written until the caller applies it."""

    joins: tuple[tuple[int, int], ...]  # (cohort_id, person_id): seats filled in existing cohorts
    new_cohorts: tuple[NewCohort, ...]
    unplaced: tuple[Unplaced, ...]

    def placed_ids(self) -> set[int]:
        """Ids of everyone this formation puts in a cohort (joins and new cohorts)."""
        placed = {pid for _, pid in self.joins}
        for cohort in self.new_cohorts:
            placed.update(cohort.member_ids)
        return placed


# --------------------------------------------------------------------------- small rules


def offered_topic_ids(topics: Iterable[Topic], people: Iterable[Person], rules: Rules) -> set[int]:
    """Ids of the topics new cohorts may be formed on.

    A topic is offered when an admin offered it, or, while it is still proposed, when at
    least ``rules.offer_threshold`` people chose it first (individual-project people do not
    count: they will not be in a cohort). Retired topics never are.
    """
    firsts = Counter(p.choices[0] for p in people if p.choices and p.mode != "individual")
    return _offered(topics, firsts, rules.offer_threshold)


def _offered(topics: Iterable[Topic], firsts: Mapping[int, int], threshold: int) -> set[int]:
    offered = set()
    for topic in topics:
        if topic.status == "offered" or (
            topic.status == "proposed" and firsts.get(topic.id, 0) >= threshold
        ):
            offered.add(topic.id)
    return offered


def dept_preference_met(pref: str, department: str, other_departments: Sequence[str]) -> bool:
    """Whether a cohort honours someone's department preference.

    "same": at least half of the other members are from their department; "mix": at least
    half of the others are from other departments. No preference (or no one else in the
    cohort) is never "met": callers count only people who stated one.
    """
    others = len(other_departments)
    if pref not in _PREF_CODE or others == 0:
        return False
    same = sum(1 for d in other_departments if d == department)
    if pref == "same":
        return 2 * same >= others
    return 2 * (others - same) >= others


@dataclass(frozen=True)
class _Limits:
    mn: int
    mx: int
    imin: int
    imax: int

    @classmethod
    def of(cls, rules: Rules) -> _Limits:
        mn = max(2, rules.min_size)  # a cohort of one is not a cohort
        mx = max(mn, rules.max_size)
        imin = min(max(rules.ideal_min, mn), mx)
        imax = min(max(rules.ideal_max, imin), mx)
        return cls(mn, mx, imin, imax)

    def penalty(self, n: int) -> float:
        if n == 0 or self.imin <= n <= self.imax:
            return 0.0
        off = self.imin - n if n < self.imin else n - self.imax
        return W_SIZE + W_SIZE_STEP * (off - 1)

    def partitionable(self, b: int) -> bool:
        """Whether b people split into cohorts that are all of ideal size."""
        return b == 0 or -(-b // self.imax) <= b // self.imin

    def split_sizes(self, b: int) -> list[int]:
        """Balanced cohort sizes for b people (13 -> 5, 4, 4), ideal where possible."""
        if b <= self.imax:
            return [b]
        lo, hi = -(-b // self.imax), b // self.imin
        if lo <= hi:
            mid = (self.imin + self.imax) / 2
            k = min(max(round(b / mid), lo), hi)
        elif hi >= 1 and -(-b // hi) <= self.mx:
            k = hi
        else:
            k = lo
        base, extra = divmod(b, k)
        return [base + 1] * extra + [base] * (k - extra)


# --------------------------------------------------------------------------- scoring


def cohort_score(
    members: Sequence[Person],
    topic_id: int,
    slot_id: int | None,
    rules: Rules,
    *,
    existing: bool = False,
    fixed: Sequence[Person] = (),
) -> float:
    """The objective's value of one cohort: ``members`` are the people placed in it by the
    engine, ``fixed`` the members it already had (an existing cohort). Used by the benchmark
    to compare the engine with an exact optimum; the engine itself scores incrementally."""
    lim = _Limits.of(rules)
    everyone = list(members) + list(fixed)
    ids = {p.id for p in everyone}
    value = 0.0
    for p in members:
        value += W_PLACE
        if topic_id in p.choices:
            value -= W_RANK * p.choices.index(topic_id)
        if p.priority == "who" and slot_id in p.slots:
            value += W_AVAIL
        if existing:
            value += W_EXISTING
    placed = {p.id for p in members}
    by_id = {p.id: p for p in everyone}
    for p in everyone:
        for q in p.colleagues:
            if q in ids and q != p.id and (p.id in placed or q in placed):
                value += W_NAMED
                other = by_id[q]
                if p.id in other.colleagues and p.id < q:
                    value += W_MUTUAL
    for p in everyone:
        others = [q.department for q in everyone if q.id != p.id]
        if p.dept_pref in _PREF_CODE and dept_preference_met(p.dept_pref, p.department, others):
            value += W_DEPT
    return value - lim.penalty(len(everyone))


def formation_score(
    people: Sequence[Person],
    cohorts: Sequence[Cohort],
    formation: Formation,
    rules: Rules,
    members_by_id: Mapping[int, Person] | None = None,
) -> float:
    """The objective's value of a formation (new cohorts, plus existing cohorts it adds
    people to). Comparable between formations of the same input."""
    by_id = {p.id: p for p in people}
    members_by_id = members_by_id or {}
    total = 0.0
    for cohort in formation.new_cohorts:
        members = [by_id[i] for i in cohort.member_ids]
        total += cohort_score(members, cohort.topic_id, cohort.slot_id, rules)
    joined: dict[int, list[Person]] = defaultdict(list)
    for cohort_id, pid in formation.joins:
        joined[cohort_id].append(by_id[pid])
    for cohort in cohorts:
        if cohort.id not in joined:
            continue
        fixed = [members_by_id[m] for m in cohort.member_ids if m in members_by_id]
        unknown = len(cohort.member_ids) - len(fixed)
        fixed += [Person(id=-1 - k, name="", department=f"?{k}") for k in range(unknown)]
        base = cohort_score([], cohort.topic_id, cohort.slot_id, rules, fixed=fixed)
        total += (
            cohort_score(
                joined[cohort.id],
                cohort.topic_id,
                cohort.slot_id,
                rules,
                existing=True,
                fixed=fixed,
            )
            - base
        )
    return total


# --------------------------------------------------------------------------- group finder


def rank_cohorts_for(
    person: Person,
    cohorts: Iterable[Cohort],
    people_by_id: Mapping[int, Person],
    rules: Rules,
    slot_labels: Mapping[int, str],
    topic_id: int | None = None,
) -> list[CohortFit]:
    """Existing cohorts on one topic (``topic_id``, default the person's first choice) in the
    person's school, best fit first, each with its reasons in plain words.

    Full cohorts come last with ``open_seats == 0``; callers decide whether to show them.
    Cohorts the person is already in are left out.
    """
    if topic_id is None:
        if not person.choices:
            return []
        topic_id = person.choices[0]
    fits = []
    for cohort in cohorts:
        if (
            cohort.topic_id != topic_id
            or cohort.school != person.school
            or person.id in cohort.member_ids
        ):
            continue
        fits.append(_fit(person, cohort, people_by_id, rules, slot_labels))
    fits.sort(key=lambda f: (f.open_seats == 0, -f.score, f.cohort_id))
    return fits


def _fit(
    person: Person,
    cohort: Cohort,
    people_by_id: Mapping[int, Person],
    rules: Rules,
    slot_labels: Mapping[int, str],
) -> CohortFit:
    lim = _Limits.of(rules)
    members = [people_by_id[m] for m in cohort.member_ids if m in people_by_id]
    size = len(cohort.member_ids)
    open_seats = max(0, lim.mx - size)
    reasons: list[str] = []
    score = 0.0

    when = person.priority != "who"
    if cohort.slot_id is None:
        reasons.append("no meeting time set yet")
        score -= 10 if when else 0
    else:
        label = slot_labels.get(cohort.slot_id, f"slot {cohort.slot_id}")
        if cohort.slot_id in person.slots:
            reasons.append(f"meets {label}: you are free then")
            score += 40 if when else 20
        elif not person.slots:  # they have not said when they are free: no verdict
            reasons.append(f"meets {label}")
        else:
            reasons.append(f"meets {label}: you are not free then")
            score -= 100 if when else 10

    same = sum(1 for m in members if m.department == person.department)
    if same:
        reasons.append(f"{same} from your department")
    if person.dept_pref in _PREF_CODE and members:
        # Joining makes the others the current members.
        met = dept_preference_met(
            person.dept_pref, person.department, [m.department for m in members]
        )
        if person.dept_pref == "same":
            score += W_DEPT if met else W_DEPT / 4 * min(same, 2)
            if not same:
                reasons.append("no one from your department")
        elif met:
            score += W_DEPT
            reasons.append("a mix of departments")
        else:
            reasons.append("mostly your own department")

    named = [m for m in members if m.id in person.colleagues]
    if named:
        reasons.append(
            f"{_names([m.name for m in named])} {'is' if len(named) == 1 else 'are'} in it"
        )
        score += W_NAMED * len(named)
    asked = [m for m in members if person.id in m.colleagues and m.id not in person.colleagues]
    if asked:
        reasons.append(f"{_names([m.name for m in asked])} asked to work with you")
        score += W_NAMED / 2 * len(asked)

    # Open seats are shown by callers next to the sentence, so they only weigh here.
    if open_seats and lim.imin <= size + 1 <= lim.imax:
        score += 5
    elif open_seats and size + 1 < lim.imin:
        score += 3  # a small cohort that needs people
    return CohortFit(cohort.id, score, open_seats, tuple(reasons))


def _names(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --------------------------------------------------------------------------- formation


def form_cohorts(
    people: Sequence[Person],
    cohorts: Sequence[Cohort],
    topics: Sequence[Topic],
    rules: Rules,
    slot_labels: Mapping[int, str],
    topic_names: Mapping[int, str] | None = None,
    seed: int = 0,
    members_by_id: Mapping[int, Person] | None = None,
) -> Formation:
    """Place everyone in ``people`` who can be placed: first in the open seats of the existing
    ``cohorts``, then in new cohorts on offered topics; explain everyone left over.

    ``people`` are those still to be placed (members of ``cohorts`` are skipped if passed);
    individual-project people are skipped, never grouped and never reported. The optional
    ``members_by_id`` gives the current members of existing cohorts, so departments and named
    colleagues already in a cohort count too. Deterministic for the same input and ``seed``.
    """
    lim = _Limits.of(rules)
    names = {t.id: t.name for t in topics}
    if topic_names:
        names.update(topic_names)
    members_by_id = members_by_id or {}
    seated = {m for c in cohorts for m in c.member_ids}
    by_id: dict[int, Person] = {}
    for p in sorted(people, key=lambda p: p.id):
        if p.id not in by_id and p.id not in seated and p.mode != "individual":
            by_id[p.id] = p
    todo = list(by_id.values())

    retired = {t.id for t in topics if t.status == "retired"}
    universe = sorted(
        set(slot_labels)
        | {s for p in todo for s in p.slots}
        | {c.slot_id for c in cohorts if c.slot_id is not None}
    )

    people_by_school: dict[str, list[Person]] = defaultdict(list)
    for p in todo:
        people_by_school[p.school].append(p)
    cohorts_by_school: dict[str, list[Cohort]] = defaultdict(list)
    for c in sorted(cohorts, key=lambda c: c.id):
        cohorts_by_school[c.school].append(c)

    joins: list[tuple[int, int]] = []
    new: list[NewCohort] = []
    unplaced: list[Unplaced] = []
    for school in sorted(people_by_school):
        # A proposed topic is offered in a school once enough people there chose it first;
        # members of its existing cohorts chose it too.
        firsts = Counter(p.choices[0] for p in people_by_school[school] if p.choices)
        for c in cohorts_by_school.get(school, []):
            firsts[c.topic_id] += len(c.member_ids)
        offered = _offered(topics, firsts, rules.offer_threshold)
        solver = _School(
            school=school,
            people=people_by_school[school],
            cohorts=cohorts_by_school.get(school, []),
            offered=offered,
            retired=retired,
            firsts=firsts,
            lim=lim,
            threshold=rules.offer_threshold,
            members_by_id=members_by_id,
            universe=universe,
            rng=random.Random(f"{seed}:{school}"),
            topic_name=lambda t: names.get(t, f"topic {t}"),
            slot_label=lambda s: (
                "time to be agreed" if s is None else slot_labels.get(s, f"slot {s}")
            ),
        )
        solver.solve()
        j, n, u = solver.result(
            {c.name for c in cohorts_by_school.get(school, [])},
        )
        joins += j
        new += n
        unplaced += u
    return Formation(
        joins=tuple(sorted(joins)),
        new_cohorts=tuple(new),
        unplaced=tuple(sorted(unplaced, key=lambda u: u.person_id)),
    )


class _Group:
    """A cohort being built (or an existing one being filled), with running counts so that a
    move's effect on department preferences is cheap to evaluate."""

    __slots__ = (
        "idx",
        "topic",
        "slot",
        "cohort_id",
        "members",
        "fixed_n",
        "n",
        "dc",
        "sc",
        "mc",
        "pts",
        "alive",
        "listed",
    )

    def __init__(self, idx, topic, slot, cohort_id=None, fixed=()):
        self.idx = idx
        self.topic = topic
        self.slot = slot
        self.cohort_id = cohort_id
        self.members: list[int] = []
        self.fixed_n = len(fixed)
        self.n = 0
        self.dc: dict = defaultdict(int)  # department -> members
        self.sc: dict = defaultdict(int)  # department -> members wanting "same"
        self.mc: dict = defaultdict(int)  # department -> members wanting "mix"
        self.alive = True
        self.listed = True  # in its topic's list (dead groups leave it lazily)
        for dept, pref in fixed:
            self.n += 1
            self.dc[dept] += 1
            if pref == _SAME:
                self.sc[dept] += 1
            elif pref == _MIX:
                self.mc[dept] += 1
        self.pts = self.points()

    def points(self) -> int:
        """How many members' department preferences this cohort honours."""
        n = self.n
        if n < 2:
            return 0
        h = n - 1
        dc = self.dc
        pts = 0
        for d, k in self.sc.items():
            if k and 2 * (dc[d] - 1) >= h:
                pts += k
        for d, k in self.mc.items():
            if k and 2 * (n - dc[d]) >= h:
                pts += k
        return pts


class _School:
    """Formation for one school. People are indexed 0..n-1; ``where[i]`` is the index of
    their group or -1."""

    def __init__(
        self,
        *,
        school,
        people,
        cohorts,
        offered,
        retired,
        firsts,
        lim,
        threshold,
        members_by_id,
        universe,
        rng,
        topic_name,
        slot_label,
    ):
        self.school = school
        self.people = people
        self.offered = offered
        self.retired = retired
        self.firsts = firsts
        self.lim = lim
        self.threshold = threshold
        self.universe = universe
        self.rng = rng
        self.topic_name = topic_name
        self.slot_label = slot_label
        self.cohorts = {c.id: c for c in cohorts}
        n = len(people)
        index = {p.id: i for i, p in enumerate(people)}
        self.index = index
        self.dept = [p.department for p in people]
        self.pref = [_PREF_CODE.get(p.dept_pref, 0) for p in people]
        self.when = [p.priority != "who" for p in people]
        self.slots = [p.slots for p in people]
        self.where = [-1] * n
        self.touched: set[int] = set()  # groups changed since the last local-search pass
        self.groups: list[_Group] = []
        self.by_topic: dict[int, list[int]] = defaultdict(list)
        self.dead: Counter = Counter()  # dead groups still listed in by_topic, per topic

        member_group: dict[int, int] = {}
        existing_topics = set()
        for c in cohorts:
            if c.topic_id in retired:
                continue
            fixed = []
            for k, m in enumerate(c.member_ids):
                mp = members_by_id.get(m)
                if mp is not None:
                    fixed.append((mp.department, _PREF_CODE.get(mp.dept_pref, 0)))
                else:
                    fixed.append((("?", c.id, k), 0))
            g = self._new_group(c.topic_id, c.slot_id, cohort_id=c.id, fixed=fixed)
            existing_topics.add(c.topic_id)
            for m in c.member_ids:
                member_group[m] = g.idx
        self.usable = {
            t
            for p in people
            for t in p.choices
            if t not in retired and (t in offered or t in existing_topics)
        }
        self.rank: list[dict[int, int]] = []
        for p in people:
            r: dict[int, int] = {}
            for k, t in enumerate(p.choices):
                if t not in r and t in self.usable:
                    r[t] = k
            self.rank.append(r)

        # Pair weights between people being placed, symmetric: each request counts.
        links: list[dict[int, float]] = [{} for _ in range(n)]
        for i, p in enumerate(people):
            for c in sorted(p.colleagues):
                j = index.get(c)
                if j is None or j == i:
                    continue
                links[i][j] = links[i].get(j, 0.0) + W_NAMED
                links[j][i] = links[j].get(i, 0.0) + W_NAMED
                if i < j and p.id in people[j].colleagues:
                    links[i][j] += W_MUTUAL
                    links[j][i] += W_MUTUAL
        self.links = links
        # Weights towards the fixed members of existing cohorts, per group.
        fixed_w: list[dict[int, float]] = [{} for _ in range(n)]
        for i, p in enumerate(people):
            for c in p.colleagues:
                g = member_group.get(c)
                if g is None:
                    continue
                w = W_NAMED
                mp = members_by_id.get(c)
                if mp is not None and p.id in mp.colleagues:
                    w += W_NAMED + W_MUTUAL
                fixed_w[i][g] = fixed_w[i].get(g, 0.0) + w
        for c in cohorts:
            g = member_group.get(c.member_ids[0]) if c.member_ids else None
            if g is None:
                continue
            for m in c.member_ids:
                mp = members_by_id.get(m)
                if mp is None:
                    continue
                for q in mp.colleagues:
                    i = index.get(q)
                    if i is not None and m not in people[i].colleagues:
                        fixed_w[i][g] = fixed_w[i].get(g, 0.0) + W_NAMED
        self.fixed_w = fixed_w
        # People by (topic they could be placed on, department): dept-mates to recruit.
        mates: dict[tuple, list[int]] = defaultdict(list)
        for i, r in enumerate(self.rank):
            for t in r:
                mates[(t, self.dept[i])].append(i)
        self.mates = mates
        by_choice: dict[int, list[int]] = defaultdict(list)
        for i, r in enumerate(self.rank):
            for t in r:
                by_choice[t].append(i)
        self.by_choice = by_choice
        self._recruiting = True

    # ----------------------------------------------------------------- primitives

    def _new_group(self, topic, slot, cohort_id=None, fixed=()) -> _Group:
        g = _Group(len(self.groups), topic, slot, cohort_id, fixed)
        self.groups.append(g)
        self.by_topic[topic].append(g.idx)
        return g

    def _inc(self, g: _Group, i: int, s: int) -> None:
        d = self.dept[i]
        g.n += s
        g.dc[d] += s
        pref = self.pref[i]
        if pref == _SAME:
            g.sc[d] += s
        elif pref == _MIX:
            g.mc[d] += s

    def _move(self, i: int, to: int) -> None:
        """Move person i to group ``to`` (-1: unplaced)."""
        frm = self.where[i]
        if frm >= 0:
            g = self.groups[frm]
            g.members.remove(i)
            self._inc(g, i, -1)
            g.pts = g.points()
            if g.n == 0 and g.cohort_id is None:
                self._kill(g)
        if to >= 0:
            g = self.groups[to]
            if not g.alive:
                g.alive = True
                if not g.listed:
                    g.listed = True
                    self.by_topic[g.topic].append(g.idx)
            g.members.append(i)
            self._inc(g, i, 1)
            g.pts = g.points()
        self.where[i] = to
        self.touched.add(frm)
        self.touched.add(to)

    def _kill(self, g: _Group) -> None:
        """A new group emptied: it leaves its topic's list lazily (a rebuild that is undone
        revives it), so readers of ``by_topic`` skip groups that are not alive."""
        g.alive = False
        self.dead[g.topic] += 1
        listed = self.by_topic[g.topic]
        if self.dead[g.topic] > 32 and 2 * self.dead[g.topic] > len(listed):
            keep = []
            for x in listed:
                if self.groups[x].alive:
                    keep.append(x)
                else:
                    self.groups[x].listed = False
            self.by_topic[g.topic] = keep
            self.dead[g.topic] = 0

    def _own(self, i: int, g: _Group) -> float:
        v = W_PLACE - W_RANK * self.rank[i][g.topic]
        if g.cohort_id is not None:
            v += W_EXISTING
        if not self.when[i] and g.slot in self.slots[i]:
            v += W_AVAIL
        return v

    def _lb(self, g: _Group) -> int:
        """Smallest size the group may shrink to by moving people out (0 dissolves)."""
        if g.cohort_id is None:
            return self.lim.mn
        return min(self.lim.mn, g.fixed_n)

    def _fits(self, i: int, g: _Group) -> bool:
        """Hard rules for person i in group g, ignoring size."""
        if g.topic not in self.rank[i]:
            return False
        if self.when[i]:
            return g.slot is not None and g.slot in self.slots[i]
        return True

    def _met(self, i: int, g: _Group) -> bool:
        n = g.n
        if n < 2:
            return False
        c = g.dc[self.dept[i]]
        if self.pref[i] == _SAME:
            return 2 * (c - 1) >= n - 1
        return 2 * (n - c) >= n - 1

    def _links_to(self, i: int, gi: int) -> float:
        v = self.fixed_w[i].get(gi, 0.0)
        where = self.where
        for j, w in self.links[i].items():
            if where[j] == gi:
                v += w
        return v

    def _dept_after(self, g: _Group, i: int, s: int) -> int:
        """Honoured department preferences in g once person i joins (s=1) or leaves (s=-1)."""
        n = g.n + s
        if n < 2:
            return 0
        h = n - 1
        di = self.dept[i]
        p = self.pref[i]
        dc = g.dc
        pts = 0
        sc = g.sc
        for d, k in sc.items():
            c = dc[d]
            if d == di:
                c += s
                if p == _SAME:
                    k += s
            if k and 2 * (c - 1) >= h:
                pts += k
        if p == _SAME and di not in sc and 2 * dc.get(di, 0) >= h:
            pts += 1
        mc = g.mc
        for d, k in mc.items():
            c = dc[d]
            if d == di:
                c += s
                if p == _MIX:
                    k += s
            if k and 2 * (n - c) >= h:
                pts += k
        if p == _MIX and di not in mc and 2 * (n - dc.get(di, 0) - 1) >= h:
            pts += 1
        return pts

    def _dept_swap(self, g: _Group, out: int, inn: int) -> int:
        """Change in g's honoured preferences when ``out`` leaves and ``inn`` takes the seat.
        The size does not change, so only the two departments involved can change."""
        dept, pref = self.dept, self.pref
        do, di = dept[out], dept[inn]
        po, pi = pref[out], pref[inn]
        if do == di and po == pi:
            return 0
        n = g.n
        if n < 2:
            return 0
        h = n - 1
        dc, sc, mc = g.dc, g.sc, g.mc
        if do == di:
            c = dc[do]
            ds = (pi == _SAME) - (po == _SAME)
            dm = (pi == _MIX) - (po == _MIX)
            return ds * (2 * (c - 1) >= h) + dm * (2 * (n - c) >= h)
        # The leaver's department loses a member, the newcomer's gains one.
        c = dc.get(do, 0)
        ks = sc.get(do, 0)
        km = mc.get(do, 0)
        delta = -ks * (2 * (c - 1) >= h) - km * (2 * (n - c) >= h)
        c -= 1
        ks -= po == _SAME
        km -= po == _MIX
        delta += ks * (2 * (c - 1) >= h) + km * (2 * (n - c) >= h)
        c = dc.get(di, 0)
        ks = sc.get(di, 0)
        km = mc.get(di, 0)
        delta -= ks * (2 * (c - 1) >= h) + km * (2 * (n - c) >= h)
        c += 1
        ks += pi == _SAME
        km += pi == _MIX
        return delta + ks * (2 * (c - 1) >= h) + km * (2 * (n - c) >= h)

    def _delta_move(self, i: int, to: int) -> float:
        """Objective change of moving person i to group ``to`` (-1: unplaced)."""
        lim = self.lim
        frm = self.where[i]
        delta = 0.0
        where = self.where
        if frm >= 0:
            g = self.groups[frm]
            delta -= self._own(i, g) + self.fixed_w[i].get(frm, 0.0)
            delta += (
                W_DEPT * (self._dept_after(g, i, -1) - g.pts)
                - lim.penalty(g.n - 1)
                + lim.penalty(g.n)
            )
        if to >= 0:
            g = self.groups[to]
            delta += self._own(i, g) + self.fixed_w[i].get(to, 0.0)
            delta += (
                W_DEPT * (self._dept_after(g, i, 1) - g.pts)
                - lim.penalty(g.n + 1)
                + lim.penalty(g.n)
            )
        for j, w in self.links[i].items():
            wj = where[j]
            if wj < 0:
                continue
            if wj == to:
                delta += w
            elif wj == frm:
                delta -= w
        return delta

    def _delta_swap(self, i: int, j: int) -> float:
        """Objective change of swapping persons i and j (in different groups)."""
        where = self.where
        gi, gj = where[i], where[j]
        a, b = self.groups[gi], self.groups[gj]
        # Own terms: placement and existing-seat bonuses cancel in a swap.
        delta = 0.0
        if a.topic != b.topic:
            ri, rj = self.rank[i], self.rank[j]
            delta += W_RANK * (ri[a.topic] - ri[b.topic] + rj[b.topic] - rj[a.topic])
        if a.slot != b.slot:
            when = self.when
            if not when[i]:
                si = self.slots[i]
                delta += W_AVAIL * ((b.slot in si) - (a.slot in si))
            if not when[j]:
                sj = self.slots[j]
                delta += W_AVAIL * ((a.slot in sj) - (b.slot in sj))
        fw = self.fixed_w
        if fw[i] or fw[j]:
            delta += (
                fw[i].get(gj, 0.0) - fw[i].get(gi, 0.0) + fw[j].get(gi, 0.0) - fw[j].get(gj, 0.0)
            )
        for k, w in self.links[i].items():
            if k != j:
                wk = where[k]
                if wk == gj:
                    delta += w
                elif wk == gi:
                    delta -= w
        for k, w in self.links[j].items():
            if k != i:
                wk = where[k]
                if wk == gi:
                    delta += w
                elif wk == gj:
                    delta -= w
        return delta + W_DEPT * (self._dept_swap(a, i, j) + self._dept_swap(b, j, i))

    def _swap(self, i: int, j: int) -> None:
        gi, gj = self.where[i], self.where[j]
        a, b = self.groups[gi], self.groups[gj]
        a.members.remove(i)
        b.members.remove(j)
        a.members.append(j)
        b.members.append(i)
        self._inc(a, i, -1)
        self._inc(a, j, 1)
        self._inc(b, j, -1)
        self._inc(b, i, 1)
        a.pts = a.points()
        b.pts = b.points()
        self.where[i], self.where[j] = gj, gi
        self.touched.add(gi)
        self.touched.add(gj)

    def _best_slot(self, members: Sequence[int], current=None):
        """The slot, valid for every WHEN member, that most WHO members are free at."""
        allowed = None
        for i in members:
            if self.when[i]:
                allowed = set(self.slots[i]) if allowed is None else allowed & self.slots[i]
        options = self.universe if allowed is None else sorted(allowed)
        if not options:
            return allowed is None, current
        who = [self.slots[i] for i in members if not self.when[i]]
        best, best_n = current, -1
        if current is not None and (allowed is None or current in allowed):
            best_n = sum(1 for s in who if current in s)
        for s in options:
            k = sum(1 for ss in who if s in ss)
            if k > best_n:
                best, best_n = s, k
        return True, best

    def _total(self) -> float:
        """The objective from scratch (tests check the incremental deltas against it)."""
        total = 0.0
        where = self.where
        for g in self.groups:
            if not g.alive:
                continue
            for i in g.members:
                total += self._own(i, g) + self.fixed_w[i].get(g.idx, 0.0)
                total += sum(w for j, w in self.links[i].items() if where[j] == g.idx and j > i)
            total += W_DEPT * g.points() - self.lim.penalty(g.n)
        return total

    # ----------------------------------------------------------------- solve

    def solve(self) -> None:
        pools, stranded = self._assign_topics()
        leftovers = list(stranded)
        for t in sorted(pools):
            leftovers += self._build_pool(t, pools[t])
        self._improve(passes=4)
        self._place_leftovers()
        self._improve(passes=2, full=False)
        if self._rebuild_all() + self._deepen():
            self._improve(passes=2, full=False)
        self._place_leftovers()
        self._check()

    def _assign_topics(self):
        """Topic per person: the first choice where someone could be grouped with them."""
        n = len(self.people)
        lim = self.lim
        cand = [sorted(r, key=r.get) for r in self.rank]
        ptr = [0] * n
        active = [i for i in range(n) if cand[i] and (not self.when[i] or self.slots[i])]
        while True:
            pools: dict[int, list[int]] = defaultdict(list)
            for i in active:
                if ptr[i] < len(cand[i]):
                    pools[cand[i][ptr[i]]].append(i)
            changed = False
            for t, members in pools.items():
                offered = t in self.offered
                open_groups = [
                    self.groups[g]
                    for g in self.by_topic.get(t, ())
                    if self.groups[g].cohort_id is not None and self.groups[g].n < lim.mx
                ]
                open_slots = {g.slot for g in open_groups}
                who_n = sum(1 for i in members if not self.when[i])
                slot_n = Counter(s for i in members if self.when[i] for s in self.slots[i])
                for i in members:
                    if not self.when[i]:
                        ok = bool(open_groups) or (offered and len(members) >= 2)
                    else:
                        ok = any(s in open_slots for s in self.slots[i]) or (
                            offered and (who_n >= 1 or any(slot_n[s] >= 2 for s in self.slots[i]))
                        )
                    if not ok:
                        ptr[i] += 1
                        changed = True
            if not changed:
                break
        is_active = set(active)
        stranded = [i for i in range(n) if i not in is_active or ptr[i] >= len(cand[i])]
        return pools, stranded

    def _build_pool(self, t: int, pool: list[int]) -> list[int]:
        """Seat one topic's pool: open seats of existing cohorts first, then new cohorts.
        Returns who is left over."""
        lim = self.lim
        remaining = sorted(pool)
        # 1. Existing cohorts: fill to the ideal maximum, people with a named colleague first.
        for gi in list(self.by_topic.get(t, ())):
            g = self.groups[gi]
            if g.cohort_id is None:
                continue
            cands = [i for i in remaining if self._fits(i, g)]
            cands.sort(key=lambda i: (-self.fixed_w[i].get(gi, 0.0), i))
            taken = set()
            for i in cands:
                linked = self.fixed_w[i].get(gi, 0.0) > 0
                if g.n >= lim.mx or (g.n >= lim.imax and not linked):
                    break
                self._move(i, gi)
                taken.add(i)
            remaining = [i for i in remaining if i not in taken]
        if t not in self.offered:
            return remaining  # no new cohorts on a topic that is not offered

        # 2. Units: named colleagues kept together when their times allow it.
        units = self._units(remaining)
        # 3. Buckets by meeting slot.
        buckets = self._bucket(units)
        # 4. Balanced, department-aware cohorts per bucket.
        left = []
        for slot in sorted(buckets, key=lambda s: (s is None, s if s is not None else 0)):
            left += self._partition(t, slot, buckets[slot])
        return left

    def _units(self, pool: list[int]) -> list[tuple[list[int], frozenset | None]]:
        lim = self.lim
        inpool = set(pool)
        parent = {i: i for i in pool}
        size = dict.fromkeys(pool, 1)
        allowed = {i: (self.slots[i] if self.when[i] else None) for i in pool}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        edges = sorted(
            (-w, i, j) for i in pool for j, w in self.links[i].items() if j > i and j in inpool
        )
        for _, i, j in edges:
            ri, rj = find(i), find(j)
            if ri == rj or size[ri] + size[rj] > lim.imax:
                continue
            a, b = allowed[ri], allowed[rj]
            if a is None:
                merged = b
            elif b is None:
                merged = a
            else:
                merged = a & b
                if not merged:
                    continue
            if rj < ri:
                ri, rj = rj, ri
            parent[rj] = ri
            size[ri] += size[rj]
            allowed[ri] = merged
        groups: dict[int, list[int]] = defaultdict(list)
        for i in pool:
            groups[find(i)].append(i)
        return [(members, allowed[root]) for root, members in sorted(groups.items())]

    def _bucket(self, units):
        """Group units by a meeting slot: greedy cover, the slot most WHEN people share first;
        WHO-only units go where they are free, topping up buckets that cannot split well."""
        lim = self.lim
        buckets: dict = defaultdict(list)
        size: Counter = Counter()
        constrained = [u for u in units if u[1] is not None]
        free = [u for u in units if u[1] is None]
        who_avail: Counter = Counter()
        for members, _ in units:
            for i in members:
                if not self.when[i]:
                    who_avail.update(self.slots[i])
        while constrained:
            weight: Counter = Counter()
            for members, allowed in constrained:
                for s in allowed:
                    weight[s] += len(members)
            best = max(weight, key=lambda s: (weight[s], who_avail[s], -s))
            rest = []
            for u in constrained:
                if best in u[1]:
                    buckets[best].append(u)
                    size[best] += len(u[0])
                else:
                    rest.append(u)
            constrained = rest
        floating = []
        for u in sorted(free, key=lambda u: (-len(u[0]), u[0][0])):
            avail = Counter(s for i in u[0] for s in self.slots[i])
            options = [s for s in buckets if avail[s]]
            if not options:
                if avail:
                    best = max(avail, key=lambda s: (avail[s], who_avail[s], -s))
                    buckets[best].append(u)
                    size[best] += len(u[0])
                else:
                    floating.append(u)
                continue

            def value(s, u=u, avail=avail):
                fix = (not lim.partitionable(size[s])) - (
                    not lim.partitionable(size[s] + len(u[0]))
                )
                return (W_AVAIL * avail[s] + W_SIZE * fix, size[s], -s)

            best = max(options, key=value)
            buckets[best].append(u)
            size[best] += len(u[0])
        for u in floating:
            if not buckets:
                buckets[None].append(u)
                size[None] += len(u[0])
                continue
            best = max(
                buckets,
                key=lambda s, u=u: (
                    (not lim.partitionable(size[s])) - (not lim.partitionable(size[s] + len(u[0]))),
                    size[s],
                    -(s or 0),
                ),
            )
            buckets[best].append(u)
            size[best] += len(u[0])
        self._consolidate(units, buckets, size)
        # Dissolve buckets too small for a cohort when their units fit elsewhere.
        for s in sorted(buckets, key=lambda s: (size[s], s or 0)):
            if size[s] >= lim.imin or not buckets[s]:
                continue
            moves = []
            for u in buckets[s]:
                options = [
                    o
                    for o in buckets
                    if o != s and buckets[o] and (u[1] is None or (o is not None and o in u[1]))
                ]
                if not options:
                    moves = None
                    break
                k = len(u[0])
                moves.append(
                    (
                        u,
                        max(
                            options,
                            key=lambda o, u=u, k=k: (
                                lim.partitionable(size[o] + k),
                                sum(1 for i in u[0] if o in self.slots[i]),
                                size[o],
                                -(o or 0),
                            ),
                        ),
                    )
                )
            if not moves:
                continue
            for u, o in moves:
                buckets[o].append(u)
                size[o] += len(u[0])
            buckets[s] = []
            size[s] = 0
        return {s: us for s, us in buckets.items() if us}

    def _consolidate(self, units, buckets, size) -> None:
        """Bring the people of a department where someone wants "same" into one bucket, the
        one most of them are in, when their times allow and both buckets still split well."""
        lim = self.lim
        want = {self.dept[i] for u in units for i in u[0] if self.pref[i] == _SAME}
        if not want:
            return
        by_dept: dict = defaultdict(list)
        for s in sorted(buckets, key=lambda s: (s is None, s or 0)):
            for u in buckets[s]:
                depts = {self.dept[i] for i in u[0]}
                if len(depts) == 1 and (d := depts.pop()) in want:
                    by_dept[d].append((s, u))
        for d in sorted(by_dept, key=str):
            entries = by_dept[d]
            count: Counter = Counter()
            can: Counter = Counter()
            for s, u in entries:
                count[s] += len(u[0])
                for o in buckets:
                    if u[1] is None or (o is not None and o in u[1]):
                        can[o] += len(u[0])
            home = max(count, key=lambda s: (can[s], count[s], size[s], -(s or 0)))
            for s, u in entries:
                if s == home or any(self.pref[i] == _MIX for i in u[0]):
                    continue
                if u[1] is not None and (home is None or home not in u[1]):
                    continue
                k = len(u[0])
                if (lim.partitionable(size[s]) and not lim.partitionable(size[s] - k)) or (
                    lim.partitionable(size[home]) and not lim.partitionable(size[home] + k)
                ):
                    continue
                buckets[s].remove(u)
                buckets[home].append(u)
                size[s] -= k
                size[home] += k

    def _partition(self, t: int, slot, units) -> list[int]:
        """Split one slot bucket into balanced cohorts; returns people left over."""
        lim = self.lim
        total = sum(len(u[0]) for u in units)
        if total < lim.mn:
            return [i for u in units for i in u[0]]

        def key(u):
            members = u[0]
            prefs = {self.pref[i] for i in members}
            cls = 0 if _SAME in prefs else (2 if _MIX in prefs else 1)
            return (
                -len(members) if len(members) >= 3 else 0,
                cls,
                self.dept[members[0]],
                members[0],
            )

        units = sorted(units, key=key)
        chunks = [units]
        if total > 120:
            chunks, cur, n = [], [], 0
            for u in units:
                cur.append(u)
                n += len(u[0])
                if n >= 60:
                    chunks.append(cur)
                    cur, n = [], 0
            if cur:
                if n < lim.imin * 2 and chunks:
                    chunks[-1] += cur
                else:
                    chunks.append(cur)
        left = []
        for chunk in chunks:
            left += self._fill(t, slot, chunk)
        return left

    def _fill(self, t, slot, units) -> list[int]:
        lim = self.lim
        total = sum(len(u[0]) for u in units)
        sizes = lim.split_sizes(total)
        groups = [self._new_group(t, slot) for _ in sizes]
        caps = list(sizes)
        left = []
        units = self._seed_cores(units, groups, caps)
        for members, _ in units:
            k = len(members)
            best, best_key = None, None
            for gi, g in enumerate(groups):
                if caps[gi] < k:
                    continue
                old = g.pts
                for i in members:
                    self._inc(g, i, 1)
                gain = W_DEPT * (g.points() - old)
                for i in members:
                    self._inc(g, i, -1)
                    gain += self._links_to(i, g.idx)
                kk = (gain, g.n, -gi)
                if best_key is None or kk > best_key:
                    best, best_key = gi, kk
            if best is None:  # capacity fragmentation: overflow into the roomiest cohort
                gi = max(range(len(groups)), key=lambda x: (caps[x], -x))
                if groups[gi].n + k > lim.mx:
                    left += members
                    continue
                best = gi
            caps[best] -= k
            for i in members:
                self._move(i, groups[best].idx)
        for g in groups:
            if 0 < g.n < lim.mn:
                for i in list(g.members):
                    self._move(i, -1)
                    left.append(i)
            if g.n == 0 and g.alive:
                self._kill(g)
            elif g.alive:
                ok, best = self._best_slot(g.members, g.slot)
                if ok:
                    g.slot = best
        return left

    def _seed_cores(self, units, groups, caps):
        """Department cores: people who want their own department start a cohort with three
        or more dept-mates (so at least half of each one's cohort-mates share it); returns
        the units still to place."""
        lim = self.lim
        by_dept: dict = defaultdict(list)
        rest = []
        for u in units:
            same = {self.dept[i] for i in u[0] if self.pref[i] == _SAME}
            depts = {self.dept[i] for i in u[0]}
            if len(same) == 1:
                by_dept[same.pop()].append(u)
            elif not same and len(depts) == 1:
                by_dept[depts.pop()].append(u)
            else:
                rest.append(u)
        cores = []
        for d in sorted(by_dept, key=str):
            us = by_dept[d]

            def mates(u, d=d):
                return sum(1 for i in u[0] if self.dept[i] == d)

            same = [u for u in us if any(self.pref[i] == _SAME for i in u[0])]
            others = [u for u in us if not any(self.pref[i] == _SAME for i in u[0])]
            others.sort(key=lambda u: (any(self.pref[i] == _MIX for i in u[0]), len(u[0])))
            ncores = min(len(same), sum(mates(u) for u in us) // 3)
            if not ncores:
                rest += us
                continue
            cs: list[list] = [[] for _ in range(ncores)]
            for u in sorted(same, key=lambda u: -len(u[0])):
                c = min(cs, key=lambda c: sum(len(v[0]) for v in c))
                c.append(u)
            for c in cs:
                while sum(mates(v) for v in c) < 3 and others:
                    room = lim.imax - sum(len(v[0]) for v in c)
                    fit = [v for v in others if len(v[0]) <= room]
                    if not fit:
                        break
                    c.append(fit[0])
                    others.remove(fit[0])
            cores += cs
            rest += others
        order = sorted(range(len(groups)), key=lambda g: (-caps[g], g))
        for k, core in enumerate(sorted(cores, key=lambda c: -sum(len(u[0]) for u in c))):
            n = sum(len(u[0]) for u in core)
            if k >= len(order) or caps[order[k]] < n:
                rest += core
                continue
            g = order[k]
            for u in core:
                for i in u[0]:
                    self._move(i, groups[g].idx)
            caps[g] -= n
        rank = {id(u): k for k, u in enumerate(units)}
        return sorted(rest, key=lambda u: rank[id(u)])

    # ----------------------------------------------------------------- local search

    def _candidates(self, i: int, limit: int = 16) -> list[int]:
        cur = self.where[i]
        cands = set()
        where = self.where
        for j in self.links[i]:
            if where[j] >= 0:
                cands.add(where[j])
        cands.update(g for g in self.fixed_w[i] if self.groups[g].alive)
        cur_rank = self.rank[i][self.groups[cur].topic] if cur >= 0 else 99
        for t, r in self.rank[i].items():
            if r > cur_rank:
                continue
            pool = self.by_topic.get(t, ())
            if len(pool) <= limit:
                cands.update(pool)
                continue
            # A big pool: some cohorts at random, some where dept-mates are.
            cands.update(self.rng.sample(pool, limit // 2))
            mates = self.mates.get((t, self.dept[i]), ())
            for j in self.rng.sample(mates, min(len(mates), limit // 2)):
                if where[j] >= 0:
                    cands.add(where[j])
        cands.discard(cur)
        groups = self.groups
        return sorted(g for g in cands if groups[g].alive)

    def _needs_work(self, i: int) -> bool:
        gi = self.where[i]
        g = self.groups[gi]
        if self.rank[i][g.topic] > 0:
            return True
        if not self.when[i] and g.slot not in self.slots[i]:
            return True
        if self.pref[i] and not self._met(i, g):
            return True
        lim = self.lim
        if not (lim.imin <= g.n <= lim.imax):
            return True
        where = self.where
        if any(where[j] != gi for j in self.links[i]):
            return True
        return any(k != gi for k in self.fixed_w[i])

    def _improve_person(self, i: int) -> bool:
        lim = self.lim
        cur = self.where[i]
        if cur < 0:
            return self._place(i)
        if not self._needs_work(i):
            return False
        g1 = self.groups[cur]
        can_leave = g1.n - 1 >= self._lb(g1)
        rank = self.rank[i]
        my_rank = rank[g1.topic]
        who_unfree = not self.when[i] and g1.slot not in self.slots[i]
        pref = self.pref[i]
        dept_unmet = pref and not self._met(i, g1)
        size_off = not (lim.imin <= g1.n <= lim.imax)
        where = self.where
        linked = {where[j] for j in self.links[i]}
        linked.update(self.fixed_w[i])
        d = self.dept[i]
        best, best_move = 1e-9, None
        for gi in self._candidates(i):
            g2 = self.groups[gi]
            if not self._fits(i, g2):
                continue
            # Only look where something i wants could get better: a swap keeps sizes.
            promising = (
                gi in linked
                or rank[g2.topic] < my_rank
                or (who_unfree and g2.slot in self.slots[i])
                or (
                    dept_unmet
                    and (
                        2 * g2.dc.get(d, 0) >= g2.n - 1
                        if pref == _SAME
                        else 2 * (g2.n - g2.dc.get(d, 0)) >= g2.n - 1
                    )
                )
            )
            if (
                can_leave
                and g2.n < lim.mx
                and (promising or size_off or not (lim.imin <= g2.n <= lim.imax))
            ):
                delta = self._delta_move(i, gi)
                if delta > best:
                    best, best_move = delta, ("move", gi)
            if promising:
                t1, s1 = g1.topic, g1.slot
                for j in g2.members:
                    if t1 in self.rank[j] and (not self.when[j] or s1 in self.slots[j]):
                        delta = self._delta_swap(i, j)
                        if delta > best:
                            best, best_move = delta, ("swap", j)
        if best_move is None:
            if dept_unmet and pref == _SAME and self._recruiting:
                return self._recruit(i)
            return False
        if best_move[0] == "move":
            self._move(i, best_move[1])
        else:
            self._swap(i, best_move[1])
        return True

    def _recruit(self, i: int, steps: int = 2) -> bool:
        """Gather dept-mates around someone who wants their own department: in their cohort,
        or in the cohort most of their dept-mates are in after swapping them into it; then
        up to ``steps`` moves or swaps bringing dept-mates in (one alone often gains nothing).
        Undone unless the objective improves."""
        where = self.where
        g = self.groups[where[i]]
        d = self.dept[i]
        mates = self.mates.get((g.topic, d), ())
        if len(mates) > 16:  # a big school: a sample keeps the chain's cost flat
            mates = self.rng.sample(mates, 16)
        mates = [j for j in mates if j != i and where[j] >= 0]
        if not mates:
            return False
        if self._chain(i, where[i], mates, steps):
            return True
        count = Counter(where[j] for j in mates if where[j] != where[i])
        if not count:
            return False
        home = max(count, key=lambda h: (count[h], -h))
        h = self.groups[home]
        if not self._fits(i, h):
            return False
        best, best_x = -1e18, None
        for x in h.members:
            if self.dept[x] != d and self._fits(x, g):
                delta = self._delta_swap(i, x)
                if delta > best:
                    best, best_x = delta, x
        if best_x is None:
            return False
        self._swap(i, best_x)
        if best > 1e-9 or self._chain(i, home, mates, steps, already=best):
            return True
        self._swap(i, best_x)
        return False

    def _chain(self, i: int, gi: int, mates: list[int], steps: int, already: float = 0.0):
        lim = self.lim
        where = self.where
        g = self.groups[gi]
        d = self.dept[i]
        done: list[tuple[str, int, int]] = []
        total = already
        for _ in range(steps):
            best, best_op = -1e18, None
            for j in mates:
                hj = where[j]
                if hj == gi or not self._fits(j, g):
                    continue
                h = self.groups[hj]
                if g.n < lim.mx and h.n - 1 >= self._lb(h):
                    delta = self._delta_move(j, gi)
                    if delta > best:
                        best, best_op = delta, ("move", j, hj)
                for x in g.members:
                    if x != i and self.dept[x] != d and self._fits(x, h):
                        delta = self._delta_swap(x, j)
                        if delta > best:
                            best, best_op = delta, ("swap", x, j)
            if best_op is None:
                break
            kind, a, b = best_op
            if kind == "move":
                self._move(a, gi)
            else:
                self._swap(a, b)
            done.append(best_op)
            total += best
            if total > 1e-9:
                return True
        for kind, a, b in reversed(done):
            if kind == "move":
                self._move(a, b)
            else:
                self._swap(a, b)
        return False

    def _place(self, i: int) -> bool:
        """Seat an unplaced person in the best group with room, if any."""
        best, best_g = -1e18, None
        for gi in self._candidates(i, limit=64):
            g = self.groups[gi]
            if g.n < self.lim.mx and self._fits(i, g):
                d = self._delta_move(i, gi)
                if d > best:
                    best, best_g = d, gi
        if best_g is None:
            return False
        self._move(i, best_g)
        return True

    def _improve(self, passes: int, full: bool = True) -> None:
        """Local search; ``full=False`` starts from what changed since the last pass."""
        order = list(range(len(self.people)))
        self.rng.shuffle(order)
        where = self.where
        for k in range(passes):
            self._recruiting = k < 2  # chains are dearer; they find most of what they can early
            touched, self.touched = self.touched, set()
            changed = 0
            for i in order:
                # After the first pass, only where something changed can anything improve
                # (a person's own cohort, or a named colleague's).
                if (
                    (k or not full)
                    and where[i] >= 0
                    and where[i] not in touched
                    and not any(where[j] in touched for j in self.links[i])
                ):
                    continue
                if self._improve_person(i):
                    changed += 1
            changed += self._group_pass()
            if not changed:
                break

    def _group_pass(self) -> int:
        lim = self.lim
        changed = 0
        for g in list(self.groups):
            if not g.alive or g.cohort_id is not None:
                continue
            if g.n < lim.imin and (self._dissolve(g) or self._grow(g)):
                changed += 1
                continue
            if g.n > lim.imax and g.n >= 2 * lim.mn and self._split(g):
                changed += 1
                continue
            ok, best = self._best_slot(g.members, g.slot)
            if ok and best != g.slot:
                gain = sum(
                    W_AVAIL * ((best in self.slots[i]) - (g.slot in self.slots[i]))
                    for i in g.members
                    if not self.when[i]
                )
                if gain > 0:
                    g.slot = best
                    self.touched.add(g.idx)
                    changed += 1
        return changed

    def _dissolve(self, g: _Group) -> bool:
        """Move everyone out of a small cohort if the objective improves."""
        lim = self.lim
        done = []
        total = 0.0
        for i in sorted(g.members):
            best, best_g = -1e18, None
            for gi in self._candidates(i):
                h = self.groups[gi]
                if gi != g.idx and h.n < lim.mx and self._fits(i, h):
                    d = self._delta_move(i, gi)
                    if d > best:
                        best, best_g = d, gi
            if best_g is None:
                break
            total += best
            done.append((i, g.idx))
            self._move(i, best_g)
        if g.n == 0 and total > 1e-9:
            return True
        for i, frm in reversed(done):
            self._move(i, frm)
        return False

    def _grow(self, g: _Group) -> bool:
        """Bring one more person into a small cohort, moving its slot to one a WHEN-priority
        newcomer is free at if every WHEN member is free then too."""
        best, best_move = 1e-9, None
        where = self.where
        for i in self.by_choice.get(g.topic, ()):
            fi = where[i]
            if fi == g.idx:
                continue
            if fi >= 0:
                f = self.groups[fi]
                if f.n - 1 < self._lb(f):
                    continue
            if self._fits(i, g):
                delta, slot = self._delta_move(i, g.idx), None
            elif self.when[i]:
                ok, slot = self._best_slot(g.members + [i])
                if not ok or slot is None:
                    continue
                delta = self._delta_move_slot(i, g, slot)
            else:
                continue
            if delta > best:
                best, best_move = delta, (i, slot)
        if best_move is None:
            return False
        i, slot = best_move
        if slot is not None:
            g.slot = slot
        self._move(i, g.idx)
        return True

    def _double_swap(self, i: int) -> bool:
        """Two swaps between i's cohort and another one, kept only together: the exchange of
        two people for two that single swaps cannot reach one step at a time."""
        where = self.where
        a = where[i]
        ga = self.groups[a]
        d = self.dept[i]
        same = self.pref[i] == _SAME
        for b in self._candidates(i):
            gb = self.groups[b]
            if gb.topic != ga.topic or not self._fits(i, gb):
                continue
            mates = gb.dc.get(d, 0)
            if (same and mates < 1) or (not same and 2 * (gb.n - mates) < gb.n - 1):
                continue  # two swaps could not give i what they want there
            for j in list(gb.members):
                if not self._fits(j, ga):
                    continue
                first = self._delta_swap(i, j)
                if first < -2 * W_NAMED:
                    continue
                self._swap(i, j)
                best, pair = 1e-9 - first, None
                for x in ga.members:
                    if x == j or not self._fits(x, gb):
                        continue
                    for y in gb.members:
                        if y != i and self._fits(y, ga):
                            second = self._delta_swap(x, y)
                            if second > best:
                                best, pair = second, (x, y)
                if pair is not None:
                    self._swap(*pair)
                    return True
                self._swap(i, j)
        return False

    def _deepen(self) -> int:
        """Double swaps for everyone whose department preference is still not honoured once
        single moves and swaps have converged."""
        changed = 0
        where = self.where
        for i in range(len(self.people)):
            gi = where[i]
            if (
                gi >= 0
                and self.pref[i]
                and not self._met(i, self.groups[gi])
                and self._double_swap(i)
            ):
                changed += 1
        return changed

    def _value(self, g: _Group) -> float:
        """A group's share of the objective (links to people outside it excluded)."""
        where = self.where
        v = W_DEPT * g.pts - self.lim.penalty(g.n)
        for i in g.members:
            v += self._own(i, g) + self.fixed_w[i].get(g.idx, 0.0)
            for j, w in self.links[i].items():
                if j > i and where[j] == g.idx:
                    v += w
        return v

    def _rebuild_all(self) -> int:
        """Large-neighbourhood step for people whose "same" preference is still unmet: their
        cohort and the two holding most of their dept-mates are rebuilt from scratch."""
        changed = 0
        where = self.where
        for i in range(len(self.people)):
            gi = where[i]
            if gi < 0 or self.pref[i] != _SAME:
                continue
            g = self.groups[gi]
            if g.cohort_id is not None or self._met(i, g):
                continue
            count: Counter = Counter()
            mates = self.mates.get((g.topic, self.dept[i]), ())
            if len(mates) > 32:  # a big school: where a sample of dept-mates are
                mates = self.rng.sample(mates, 32)
            for j in mates:
                h = where[j]
                if h >= 0 and h != gi:
                    other = self.groups[h]
                    if other.cohort_id is None and other.topic == g.topic:
                        count[h] += 1
            if not count:
                continue
            ranked = sorted(count, key=lambda h: (-count[h], h))
            if self._rebuild([gi, *ranked[:2]]) or (
                len(ranked) > 2 and self._rebuild([gi, *ranked[:3]])
            ):
                changed += 1
        return changed

    def _rebuild(self, chosen: list[int]) -> bool:
        """Rebuild the people of some new cohorts of one topic with the construction
        (units, slot buckets, department cores); kept only if the objective improves."""
        old = [self.groups[h] for h in chosen]
        before = sum(self._value(g) for g in old)
        snapshot = [(g.idx, g.slot, list(g.members)) for g in old]
        people = sorted(i for g in old for i in g.members)
        topic = old[0].topic
        for i in people:
            self._move(i, -1)
        first_new = len(self.groups)
        left = []
        buckets = self._bucket(self._units(people))
        for slot in sorted(buckets, key=lambda s: (s is None, s if s is not None else 0)):
            left += self._partition(topic, slot, buckets[slot])
        fresh = [g for g in self.groups[first_new:] if g.alive]
        after = sum(self._value(g) for g in fresh)
        if not left:
            after += self._polish(fresh)
        if not left and after > before + 1e-9:
            return True
        for i in people:
            if self.where[i] >= 0:
                self._move(i, -1)
        for idx, slot, members in snapshot:
            self.groups[idx].slot = slot
            for i in members:
                self._move(i, idx)
        return False

    def _polish(self, groups: list[_Group], rounds: int = 3) -> float:
        """First-improvement swaps and moves among a few groups only; returns the gain."""
        lim = self.lim
        gain = 0.0
        for _ in range(rounds):
            improved = False
            for a in groups:
                for b in groups:
                    if a.idx >= b.idx or not a.alive or not b.alive:
                        continue
                    for x in list(a.members):
                        if self.where[x] != a.idx:
                            continue
                        for y in list(b.members):
                            if self._fits(x, b) and self._fits(y, a):
                                d = self._delta_swap(x, y)
                                if d > 1e-9:
                                    self._swap(x, y)
                                    gain += d
                                    improved = True
                                    break
                    for src, dst in ((a, b), (b, a)):
                        for x in list(src.members):
                            if src.n - 1 >= lim.mn and dst.n < lim.mx and self._fits(x, dst):
                                d = self._delta_move(x, dst.idx)
                                if d > 1e-9:
                                    self._move(x, dst.idx)
                                    gain += d
                                    improved = True
            if not improved:
                break
        return gain

    def _split(self, g: _Group) -> bool:
        """Split a too-big cohort in two at the same slot if the objective improves."""
        h = self._new_group(g.topic, g.slot)
        target = g.n // 2
        done = []
        total = 0.0
        while h.n < target:
            best, best_i = -1e18, None
            for i in g.members:
                d = self._delta_move(i, h.idx)
                if d > best:
                    best, best_i = d, i
            total += best
            done.append(best_i)
            self._move(best_i, h.idx)
        if total > 1e-9:
            return True
        for i in reversed(done):
            self._move(i, g.idx)
        if h.alive:
            self._kill(h)
        return False

    def _place_leftovers(self) -> None:
        for _ in range(3):
            todo = [i for i in range(len(self.people)) if self.where[i] < 0 and self.rank[i]]
            if not todo:
                return
            progress = False
            for i in todo:
                if self.where[i] >= 0:
                    continue
                if self._place_wide(i) or self._pair_up(i, todo) or self._steal(i):
                    progress = True
            if not progress:
                return

    def _place_wide(self, i: int) -> bool:
        """Into any group on one of their choices with room, changing a new group's slot if
        every WHEN member is free at one of theirs too."""
        lim = self.lim
        best, best_move = -1e18, None
        for t in self.rank[i]:
            for gi in self.by_topic.get(t, ()):
                g = self.groups[gi]
                if g.n >= lim.mx or not g.alive:
                    continue
                if self._fits(i, g):
                    d = self._delta_move(i, gi)
                    if d > best:
                        best, best_move = d, (gi, None)
                elif g.cohort_id is None and self.when[i]:
                    ok, slot = self._best_slot(g.members + [i])
                    if ok and slot is not None:
                        d = self._delta_move_slot(i, g, slot)
                        if d > best:
                            best, best_move = d, (gi, slot)
        if best_move is None:
            return False
        gi, slot = best_move
        if slot is not None:
            self.groups[gi].slot = slot
        self._move(i, gi)
        return True

    def _delta_move_slot(self, i: int, g: _Group, slot) -> float:
        old = g.slot
        gain = sum(
            W_AVAIL * ((slot in self.slots[j]) - (old in self.slots[j]))
            for j in g.members
            if not self.when[j]
        )
        g.slot = slot
        d = self._delta_move(i, g.idx)
        g.slot = old
        return gain + d

    def _pair_slot(self, i: int, j: int):
        a = self.slots[i] if self.when[i] else None
        b = self.slots[j] if self.when[j] else None
        if a is not None and b is not None:
            common = a & b
            return min(common) if common else False
        ok, slot = self._best_slot([i, j])
        return slot if ok else False

    def _pair_up(self, i: int, todo: list[int]) -> bool:
        """A new cohort with another leftover person on a shared offered topic."""
        for t in sorted(self.rank[i], key=self.rank[i].get):
            if t not in self.offered:
                continue
            for j in todo:
                if j == i or self.where[j] >= 0 or t not in self.rank[j]:
                    continue
                slot = self._pair_slot(i, j)
                if slot is False:
                    continue
                g = self._new_group(t, slot)
                self._move(i, g.idx)
                self._move(j, g.idx)
                return True
        return False

    def _steal(self, i: int) -> bool:
        """A new cohort with someone a cohort can spare, on a shared offered topic."""
        best, best_move = -1e18, None
        for t in self.rank[i]:
            if t not in self.offered:
                continue
            for j in range(len(self.people)):
                gj = self.where[j]
                if gj < 0 or j == i or t not in self.rank[j]:
                    continue
                g = self.groups[gj]
                if g.n - 1 < self._lb(g):
                    continue
                slot = self._pair_slot(i, j)
                if slot is False:
                    continue
                d = self._delta_move(j, -1) - W_RANK * self.rank[j][t]
                if d > best:
                    best, best_move = d, (t, j, slot)
        if best_move is None:
            return False
        t, j, slot = best_move
        g = self._new_group(t, slot)
        self._move(j, g.idx)
        self._move(i, g.idx)
        return True

    def _check(self) -> None:
        """Last line of defence: anyone whose seat would break a hard rule is unplaced."""
        lim = self.lim
        for g in self.groups:
            if not g.alive:
                continue
            for i in list(g.members):
                if not self._fits(i, g) or (g.cohort_id is None and g.topic not in self.offered):
                    self._move(i, -1)
            if g.cohort_id is None and 0 < g.n < lim.mn:
                for i in list(g.members):
                    self._move(i, -1)
            while g.n > lim.mx and g.members:
                self._move(g.members[-1], -1)

    # ----------------------------------------------------------------- output

    def result(self, taken_names: set[str]):
        people = self.people
        joins, new = [], []
        used = set(taken_names)
        count: Counter = Counter()
        fresh = [g for g in self.groups if g.alive and g.cohort_id is None and g.members]
        fresh.sort(
            key=lambda g: (
                g.topic,
                g.slot is None,
                g.slot or 0,
                min(people[i].id for i in g.members),
            )
        )
        for g in self.groups:
            if g.alive and g.cohort_id is not None:
                joins += [(g.cohort_id, people[i].id) for i in g.members]
        for g in fresh:
            base = f"{self.topic_name(g.topic)} ({self.slot_label(g.slot)})"
            count[base] += 1
            name = base if count[base] == 1 else f"{base} {count[base]}"
            while name in used:
                count[base] += 1
                name = f"{base} {count[base]}"
            used.add(name)
            new.append(
                NewCohort(
                    topic_id=g.topic,
                    slot_id=g.slot,
                    member_ids=tuple(sorted(people[i].id for i in g.members)),
                    school=self.school,
                    name=name,
                )
            )
        names = {}
        for g in self.groups:
            if g.alive and g.cohort_id is not None:
                names[g.idx] = self.cohorts[g.cohort_id].name
        for g, c in zip(fresh, new, strict=True):
            names[g.idx] = c.name
        unplaced = [self._explain(i, names) for i in range(len(people)) if self.where[i] < 0]
        return joins, new, unplaced

    def _explain(self, i: int, names: dict[int, str]) -> Unplaced:
        p = self.people[i]
        lim = self.lim
        tn = self.topic_name
        choices = list(dict.fromkeys(p.choices))
        when = self.when[i]
        parts: list[str] = []
        suggestions: list[str] = []
        if not choices:
            reason = "you have not chosen a topic yet"
            suggestions.append("choose up to three topics you would like to learn about")
        elif when and not p.slots:
            reason = "you have not given any times you can meet"
            suggestions.append(
                "add the times you are free, or say who you work with matters more than when"
            )
        else:
            for t in choices:
                parts.append(self._topic_reason(i, t))
            if not self.rank[i]:
                reason = "no offered topic among your choices: " + "; ".join(parts)
            else:
                reason = "; ".join(parts)
        # Cohorts with an open seat at a time they are free: theirs first, then related.
        firsts = set(choices)
        related = _related(choices, self.usable | set(self.by_topic), tn)
        seats = []
        for g in self.groups:
            if not g.alive or g.n >= lim.mx or g.n == 0 or g.idx not in names:
                continue
            if g.topic in self.retired:
                continue
            free = g.slot is not None and g.slot in p.slots
            if when and not free:
                continue
            order = (
                0 if g.topic in firsts else (1 if g.topic in related else 2),
                not free,
                -(lim.mx - g.n),
                names[g.idx],
            )
            seats.append((order, g))
        seats.sort(key=lambda x: x[0])
        for order, g in seats[:2]:
            k = lim.mx - g.n
            open_txt = f"{k} open seat{'s' if k != 1 else ''}"
            where = f"meets {self.slot_label(g.slot)}"
            if order[0] == 0:
                suggestions.append(f"join {names[g.idx]}: it {where} and has {open_txt}")
            else:
                suggestions.append(
                    f"try a related topic: {names[g.idx]} {where} and has {open_txt}"
                )
        if when and choices and p.slots:
            other = [
                g
                for t in self.rank[i]
                for gi in self.by_topic.get(t, ())
                if (g := self.groups[gi]).n < lim.mx and g.idx in names and g.slot not in p.slots
            ]
            if other:
                g = min(other, key=lambda g: (self.rank[i][g.topic], names[g.idx]))
                suggestions.append(
                    f"if who you work with matters more than when, join {names[g.idx]} "
                    f"({self.slot_label(g.slot)})"
                )
        for t in choices:
            if t in self.retired or t in self.usable:
                continue
            k = self.firsts.get(t, 0)
            suggestions.append(
                f"invite colleagues to choose {tn(t)}: it is offered once "
                f"{self.threshold} people choose it first ({k} so far)"
            )
            break
        if choices:
            suggestions.append(f"start an individual project on {tn(choices[0])}")
        else:
            suggestions.append("start an individual project")
        suggestions.append("talk to a coach, who can help find a group, a time or a topic")
        return Unplaced(p.id, reason, tuple(dict.fromkeys(suggestions)))

    def _topic_reason(self, i: int, t: int) -> str:
        p = self.people[i]
        name = self.topic_name(t)
        if t in self.retired:
            return f"{name} is no longer offered"
        others = [j for j, q in enumerate(self.people) if j != i and t in q.choices]
        fixed = sum(self.groups[g].fixed_n for g in self.by_topic.get(t, ()))
        if not others and not fixed:
            return f"only person on {name}"
        if t not in self.usable:
            k = self.firsts.get(t, 0)
            return f"{name} is not offered yet ({k} chose it first, {self.threshold} needed)"
        if self.when[i]:
            shared = any((not self.when[j]) or (self.slots[j] & p.slots) for j in others) or any(
                self.groups[g].slot in p.slots and self.groups[g].fixed_n
                for g in self.by_topic.get(t, ())
            )
            if not shared:
                return f"no one shares your slots on {name}"
            full = [
                g
                for g in self.by_topic.get(t, ())
                if self.groups[g].slot in p.slots and self.groups[g].n >= self.lim.mx
            ]
            if full:
                return f"the cohorts on {name} at times you are free are full"
            return f"everyone on {name} who shares your times is in a cohort at another time"
        return f"the cohorts on {name} are full"


_STOP = {"and", "the", "with", "for", "level", "using", "model", "in", "a", "hs"}


def _related(choices: Sequence[int], topics: Iterable[int], name) -> set[int]:
    """Topics whose names share a significant word with one of the choices."""

    def words(t):
        return {w.rstrip("s") for w in re.findall(r"[a-z]+", name(t).lower())} - _STOP - {""}

    mine = set()
    for t in choices:
        mine |= {w for w in words(t) if len(w) >= 4}
    return {t for t in topics if t not in choices and words(t) & mine}
