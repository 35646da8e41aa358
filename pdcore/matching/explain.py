"""The output: joins, named new cohorts, and for everyone left over a reason built from the
facts the last seating pass checked, with suggestions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pdcore.matching.model import NewCohort, Person, Unplaced, dept_preference_met


class Explanations:
    """Reads a finished school out (a mixin of the engine's school)."""

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
        """Why person i is not in a cohort on topic t, from the facts the last seating pass
        checked: the cohorts they fit are full, and too few people free when they are are
        unplaced or can be spared to start another (see :meth:`_place_leftovers`)."""
        name = self.topic_name(t)
        if t in self.retired:
            return f"{name} is no longer offered"
        if t not in self.usable:
            k = self.firsts.get(t, 0)
            return f"{name} is not offered yet ({k} chose it first, {self.threshold} needed)"
        lim = self.lim
        when = self.when[i]
        fitting = [
            g
            for gi in self.by_topic.get(t, ())
            if (g := self.groups[gi]).alive and g.n and self._fits(i, g)
        ]
        if not fitting:
            k = sum(
                1
                for j in self.by_choice.get(t, ())
                if j != i
                and (not self.when[j] or self.slots[j] & (self.slots[i] if when else self.slots[j]))
            )
            if k + 1 < lim.mn:
                if not k:
                    return f"no one else on {name} can meet when you can"
                return (
                    f"only {_count(k, 'other')} on {name} can meet when you can; "
                    f"a cohort needs at least {lim.mn}"
                )
        if all(g.n >= lim.mx for g in fitting):
            if fitting:
                where = " that meets when you are free" if when else ""
                parts = [f"every cohort on {name}{where} is full"]
            elif when:
                parts = [f"no cohort on {name} meets when you are free"]
            else:
                parts = [f"there is no cohort on {name}"]
        else:  # not reached after the last seating pass; said as it is all the same
            parts = [f"a cohort on {name} has room but could not take you"]
        if t not in self.offered:
            k = self.firsts.get(t, 0)
            parts.append(
                f"new cohorts on {name} wait until it is offered "
                f"({k} chose it first, {self.threshold} needed)"
            )
        else:
            k = max(self._recruits(i, t, s)[2] for s in self._slot_options(i))
            then = " free then" if when else ""
            verb = "is" if k == 1 else "are"
            parts.append(
                f"a new one needs {lim.mn}, and only {_count(k, 'other')}{then} {verb} "
                "unplaced or can be spared by their cohort"
            )
        return "; ".join(parts)


def _count(k: int, noun: str) -> str:
    return f"{k} {noun}{'' if k == 1 else 's'}"


_STOP = {"and", "the", "with", "for", "level", "using", "model", "in", "a", "hs"}


def _related(choices: Sequence[int], topics: Iterable[int], name) -> set[int]:
    """Topics whose names share a significant word with one of the choices."""

    def words(t):
        return {w.rstrip("s") for w in re.findall(r"[a-z]+", name(t).lower())} - _STOP - {""}

    mine = set()
    for t in choices:
        mine |= {w for w in words(t) if len(w) >= 4}
    return {t for t in topics if t not in choices and words(t) & mine}


_ORDINALS = ("first", "second", "third")


@dataclass(frozen=True)
class MemberFit:
    """How one member's wishes are met in a cohort, in the words the formation preview's
    quality card and "why you are in this cohort" both use."""

    topic: str  # "first choice", "not one of their choices"
    time: str  # "free at Wed lunch", "not free at Wed lunch", "no meeting time yet"
    named: str  # "2 of 3 named colleagues in it", "named nobody"
    department: str  # "own department: met", "a mix: not met", "no department wish"
    named_in: tuple[str, ...] = ()  # names of the named colleagues who are in it
    met: tuple[bool, ...] = ()  # free, every named colleague in, department wish met

    def words(self) -> dict[str, str]:
        return {
            "topic": self.topic,
            "time": self.time,
            "named colleagues": self.named,
            "department": self.department,
        }


def member_fit(
    person: Person,
    others: Sequence[Person],
    topic_id: int,
    slot_id: int | None,
    topic_name: str,
    slot_label: str,
) -> MemberFit:
    """How ``person``'s wishes are met in a cohort on ``topic_id`` at ``slot_id`` whose other
    members are ``others``."""
    choices = list(dict.fromkeys(person.choices))
    if topic_id in choices:
        k = choices.index(topic_id)
        topic = f"{_ORDINALS[k] if k < 3 else f'#{k + 1}'} choice ({topic_name})"
    else:
        topic = f"not one of their choices ({topic_name})"
    if slot_id is None:
        time, free = "no meeting time yet", False
    else:
        free = slot_id in person.slots
        time = f"{'free' if free else 'not free'} at {slot_label}"
    ids = {o.id: o for o in others}
    named_in = tuple(sorted(ids[c].name for c in person.colleagues if c in ids))
    if person.colleagues:
        named = f"{len(named_in)} of {len(person.colleagues)} named colleagues in it"
    else:
        named = "named nobody"
    departments = [o.department for o in others]
    met = dept_preference_met(person.dept_pref, person.department, departments)
    if person.dept_pref == "same":
        department = f"own department: {'met' if met else 'not met'}"
    elif person.dept_pref == "mix":
        department = f"a mix: {'met' if met else 'not met'}"
    else:
        department, met = "no department wish", True
    return MemberFit(
        topic,
        time,
        named,
        department,
        named_in,
        (free, len(named_in) == len(person.colleagues), met),
    )
