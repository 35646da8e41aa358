"""The model: people, cohorts, topics and rules in; a formation out; the small rules
(which topics are offered, when a department preference is honoured, cohort sizes)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pdcore.matching.weights import W_SIZE, W_SIZE_STEP

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
        """Balanced cohort sizes for b people (13 -> 5, 4, 4), ideal where possible and never
        below the minimum. When b cannot be split into valid cohorts at all (7 with sizes 4-6),
        the sizes seat as many as can be seated (7 -> 6) and the caller keeps the rest."""
        if b < self.mn:
            return []
        seat = min(b, (b // self.mn) * self.mx)
        if seat <= self.imax:
            return [seat]
        lo, hi = -(-seat // self.imax), seat // self.imin
        if lo <= hi:
            mid = (self.imin + self.imax) / 2
            k = min(max(round(seat / mid), lo), hi)
        else:  # no split is all ideal: the valid one closest to it
            k = min(
                range(-(-seat // self.mx), seat // self.mn + 1),
                key=lambda k: (self._split_penalty(seat, k), k),
            )
        base, extra = divmod(seat, k)
        return [base + 1] * extra + [base] * (k - extra)

    def _split_penalty(self, b: int, k: int) -> float:
        base, extra = divmod(b, k)
        return extra * self.penalty(base + 1) + (k - extra) * self.penalty(base)
