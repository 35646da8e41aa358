"""Ranking existing cohorts for one teacher: Find a group, "a short list for me" and the
engine's seating all score a seat with the objective (:func:`join_score`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pdcore.matching.model import (
    _PREF_CODE,
    Cohort,
    CohortFit,
    Person,
    Rules,
    _Limits,
    dept_preference_met,
)
from pdcore.matching.objective import cohort_score
from pdcore.matching.weights import W_PLACE


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


def join_score(
    person: Person,
    members: Sequence[Person],
    topic_id: int,
    slot_id: int | None,
    rules: Rules,
    size: int | None = None,
) -> float:
    """What seating ``person`` in a cohort adds to the objective the engine maximises: their
    topic rank, being free at the slot, named colleagues either way, everyone's department
    preferences and the size against the ideal (``size`` counts members not in ``members``,
    e.g. people whose answers are unknown). A seat that breaks a hard rule for them (WHEN
    priority and not free, or not one of their topics) costs a placement: it ranks last."""
    fixed = list(members)
    unknown = max(0, (size if size is not None else len(fixed)) - len(fixed))
    fixed += [Person(id=-1 - k, name="", department=f"?{k}") for k in range(unknown)]
    before = cohort_score([], topic_id, slot_id, rules, fixed=fixed)
    after = cohort_score([person], topic_id, slot_id, rules, existing=True, fixed=fixed)
    value = after - before
    breaks = topic_id not in person.choices or (
        person.priority != "who" and (slot_id is None or slot_id not in person.slots)
    )
    return value - W_PLACE if breaks else value


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
    score = join_score(person, members, cohort.topic_id, cohort.slot_id, rules, size)
    reasons: list[str] = []
    if cohort.slot_id is None:
        reasons.append("no meeting time set yet")
    else:
        label = slot_labels.get(cohort.slot_id, f"slot {cohort.slot_id}")
        if not person.slots:  # they have not said when they are free: no verdict
            reasons.append(f"meets {label}")
        else:
            free = "free" if cohort.slot_id in person.slots else "not free"
            reasons.append(f"meets {label}: you are {free} then")
    same = sum(1 for m in members if m.department == person.department)
    if same:
        reasons.append(f"{same} from your department")
    if person.dept_pref in _PREF_CODE and members:
        # Joining makes the others the current members.
        met = dept_preference_met(
            person.dept_pref, person.department, [m.department for m in members]
        )
        if person.dept_pref == "same":
            if not same:
                reasons.append("no one from your department")
        elif met:
            reasons.append("a mix of departments")
        else:
            reasons.append("mostly your own department")
    named = [m for m in members if m.id in person.colleagues]
    if named:
        reasons.append(
            f"{_names([m.name for m in named])} {'is' if len(named) == 1 else 'are'} in it"
        )
    asked = [m for m in members if person.id in m.colleagues and m.id not in person.colleagues]
    if asked:
        reasons.append(f"{_names([m.name for m in asked])} asked to work with you")
    return CohortFit(cohort.id, score, open_seats, tuple(reasons))


def _names(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
