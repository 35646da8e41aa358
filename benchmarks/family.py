"""A family of school generators for the matching benchmark (issue 13), independent of
``benchmarks/instances.py``: each seed first draws how a school behaves, then the school.

What varies from school to school (each drawn per seed):

* size: 150-600 staff; departments: 5-12, sizes from even to very skewed;
* topics: 6-12, popularity from flat to one topic taking a third (a Zipf exponent of 0-1.5),
  with a few write-in topics that only some people choose (proposed, not offered);
* WHO/WHEN split: 20-80% say who they work with matters more than when;
* times: 6-12 slots; each person is free at 1-6 of them, planning periods shared by
  department with a probability of 0.5-0.95, lunches free for 2-20% of people;
* named colleagues: 5-40% name 1-3 people; 20-70% of requests are returned; 5-50% are
  across topics (the named person chose none of the requester's topics first);
* individual projects: 0-10%; department preferences "same" 10-40%, "mix" 10-40%.

    from benchmarks.family import school
    inst, knobs = school(seed=3)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from benchmarks.instances import Instance
from pdcore.matching import Person, Rules, Topic

WORDS = (
    "Project Based Learning",
    "Writing Across Subjects",
    "Classroom Technology",
    "Assessment for Learning",
    "Inquiry Science",
    "Culturally Responsive Teaching",
    "Restorative Practices",
    "Math Discourse",
    "Reading Workshop",
    "Student Voice",
    "Differentiated Instruction",
    "Data Teams",
    "Social Emotional Learning",
    "Co-teaching",
)


@dataclass(frozen=True)
class Knobs:
    size: int
    departments: int
    dept_skew: float
    topics: int
    topic_skew: float
    who_share: float
    slots: int
    free_min: int
    free_max: int
    shared_planning: float
    lunch: float
    naming: float
    mutual: float
    cross_topic: float
    individual: float
    same: float
    mix: float

    def describe(self) -> str:
        return (
            f"{self.size} staff, {self.departments} depts, {self.topics} topics "
            f"(skew {self.topic_skew:.1f}), WHO {self.who_share:.0%}, {self.slots} slots "
            f"(free at {self.free_min}-{self.free_max}, lunch {self.lunch:.0%}), naming "
            f"{self.naming:.0%} (mutual {self.mutual:.0%}, cross-topic {self.cross_topic:.0%}), "
            f"individual {self.individual:.0%}"
        )


def knobs(rng: random.Random) -> Knobs:
    free_min = rng.randint(1, 3)
    return Knobs(
        size=rng.randint(150, 600),
        departments=rng.randint(5, 12),
        dept_skew=rng.uniform(0.0, 1.2),
        topics=rng.randint(6, 12),
        topic_skew=rng.uniform(0.0, 1.5),
        who_share=rng.uniform(0.2, 0.8),
        slots=rng.randint(6, 12),
        free_min=free_min,
        free_max=rng.randint(max(free_min, 2), 6),
        shared_planning=rng.uniform(0.5, 0.95),
        lunch=rng.uniform(0.02, 0.2),
        naming=rng.uniform(0.05, 0.4),
        mutual=rng.uniform(0.2, 0.7),
        cross_topic=rng.uniform(0.05, 0.5),
        individual=rng.uniform(0.0, 0.1),
        same=rng.uniform(0.1, 0.4),
        mix=rng.uniform(0.1, 0.4),
    )


def school(seed: int, rules: Rules | None = None) -> tuple[Instance, Knobs]:
    """One seeded school of the family, and the knobs it was drawn with."""
    rng = random.Random(f"family:{seed}")
    k = knobs(rng)
    n_topics = k.topics
    names = rng.sample(WORDS, n_topics)
    write_ins = rng.randint(1, 2)
    topics = tuple(
        Topic(t, names[t - 1], "proposed" if t > n_topics - write_ins else "offered")
        for t in range(1, n_topics + 1)
    )
    weight = [1 / t**k.topic_skew for t in range(1, n_topics - write_ins + 1)]
    offered = list(range(1, n_topics - write_ins + 1))
    depts = [f"Dept {d + 1}" for d in range(k.departments)]
    dept_w = [1 / (d + 1) ** k.dept_skew for d in range(k.departments)]
    # Slots: the first half are planning periods (one per department, shared round-robin),
    # two lunches, and the rest before/after school.
    planning = list(range(1, max(2, k.slots - 4) + 1))
    lunches = [len(planning) + 1, len(planning) + 2]
    rest = list(range(len(planning) + 3, k.slots + 1)) or [lunches[-1]]
    plan_of = {d: planning[i % len(planning)] for i, d in enumerate(depts)}
    labels = {s: f"Planning {s}" for s in planning}
    labels.update({lunches[0]: "A lunch", lunches[1]: "B lunch"})
    labels.update({s: f"Before/after school {s}" for s in rest if s not in labels})

    people: list[dict] = []
    for pid in range(1, k.size + 1):
        dept = rng.choices(depts, weights=dept_w)[0]
        free: set[int] = set()
        if rng.random() < k.shared_planning:
            free.add(plan_of[dept])
        for s in lunches:
            if rng.random() < k.lunch:
                free.add(s)
        want = rng.randint(k.free_min, k.free_max)
        others = [s for s in labels if s not in lunches]
        while len(free) < want and len(free) < len(others):
            free.add(rng.choice(others))
        n_choices = rng.choices((1, 2, 3), weights=(15, 25, 60))[0]
        choices: list[int] = []
        while len(choices) < n_choices:
            t = rng.choices(offered, weights=weight)[0]
            if t not in choices:
                choices.append(t)
        if rng.random() < 0.03:  # a write-in first
            choices = [rng.randint(n_topics - write_ins + 1, n_topics), *choices][:3]
        r = rng.random()
        people.append(
            {
                "id": pid,
                "name": f"Staff {pid}",
                "department": dept,
                "school": "Family High",
                "choices": tuple(choices),
                "mode": "individual" if r < k.individual else "cohort",
                "priority": "who" if rng.random() < k.who_share else "when",
                "slots": frozenset(free),
                "colleagues": set(),
                "dept_pref": rng.choices(
                    ("same", "mix", "none"), weights=(k.same, k.mix, 1 - k.same - k.mix)
                )[0],
            }
        )
    by_first: dict[int, list[dict]] = {}
    for row in people:
        by_first.setdefault(row["choices"][0], []).append(row)
    for row in people:
        if rng.random() >= k.naming:
            continue
        for _ in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
            if rng.random() < k.cross_topic:
                pool = [o for o in people if o["choices"][0] != row["choices"][0]]
            else:
                pool = [o for o in by_first[row["choices"][0]] if o is not row]
                same = [o for o in pool if o["department"] == row["department"]]
                if same and rng.random() < 0.5:
                    pool = same
            if not pool:
                continue
            other = rng.choice(pool)
            row["colleagues"].add(other["id"])
            if rng.random() < k.mutual:
                other["colleagues"].add(row["id"])
    persons = tuple(Person(**{**row, "colleagues": frozenset(row["colleagues"])}) for row in people)
    inst = Instance(
        people=persons,
        cohorts=(),
        topics=topics,
        rules=rules or Rules(),
        slot_labels=labels,
        topic_names={t.id: t.name for t in topics},
        schools=1,
    )
    return inst, k
