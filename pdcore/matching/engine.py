"""The engine: :func:`form_cohorts` for everyone still unplaced, school by school."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from pdcore.matching.construction import Construction
from pdcore.matching.explain import Explanations
from pdcore.matching.model import (
    Cohort,
    Formation,
    NewCohort,
    Person,
    Rules,
    Topic,
    Unplaced,
    _Limits,
    _offered,
)
from pdcore.matching.objective import SchoolState
from pdcore.matching.search import LocalSearch


def form_cohorts(
    people: Sequence[Person],
    cohorts: Sequence[Cohort],
    topics: Sequence[Topic],
    rules: Rules,
    slot_labels: Mapping[int, str],
    topic_names: Mapping[int, str] | None = None,
    seed: int = 0,
    members_by_id: Mapping[int, Person] | None = None,
    apart: Iterable[tuple[int, int]] = (),
) -> Formation:
    """Place everyone in ``people`` who can be placed: first in the open seats of the existing
    ``cohorts``, then in new cohorts on offered topics; explain everyone left over.

    ``people`` are those still to be placed (members of ``cohorts`` are skipped if passed);
    individual-project people are skipped, never grouped and never reported. The optional
    ``members_by_id`` gives the current members of existing cohorts, so departments and named
    colleagues already in a cohort count too. ``apart`` holds pairs of ids that must never be
    in one cohort (an admin's "never together"). Deterministic for the same input and ``seed``.
    """
    lim = _Limits.of(rules)
    apart = tuple(apart)
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
            apart=apart,
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


class _School(Explanations, LocalSearch, Construction, SchoolState):
    """Formation for one school: construction, local search, the last seating, the output."""

    def solve(self) -> None:
        # Built first as if everyone who gave times needed them (a WHO-priority person who is
        # not free at the meeting time cannot come either); the search may then seat a
        # WHO-priority person at another time when named colleagues or sizes gain more than
        # W_AVAIL, and the last seating may, to place them at all.
        true_when = self.when
        self.when = [w or bool(s) for w, s in zip(true_when, self.slots, strict=True)]
        pools, _stranded = self._assign_topics()
        for t in sorted(pools):
            self._build_pool(t, pools[t])
        self.when = true_when
        self._improve(passes=4)
        self._place_leftovers()
        self._improve(passes=2, full=False)
        if self._rebuild_all() + self._deepen() + self._reunite() + self._chains():
            self._improve(passes=2, full=False)
        self._place_leftovers()
        self._exact_small()
        self._place_leftovers()
        self._check()
