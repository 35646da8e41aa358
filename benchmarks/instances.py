"""Seeded, realistic instances for the matching benchmark (issue 4).

One school looks like the one in the seed story: about 260 instructional staff, the nine
topics of its first cohort year with skewed popularity (one topic with 2 takers, one with 1),
8 departments, 10 meeting slots (six planning periods, two lunches, before and after school)
where each department shares a planning period and lunches are rarely free, everyone free at
2-5 slots, half WHO-priority and half WHEN-priority, about 20% naming 1-3 colleagues (mostly
on the same topic, often in their department, some of them mutual), about 3% on individual
projects and a few wanting an expert-led cohort. Larger instances are many such schools.

    from benchmarks.instances import generate
    inst = generate(260, seed=1)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pdcore.matching import Cohort, Person, Rules, Topic

TOPIC_NAMES = (
    "Google Certification Level 1",
    "Google Certification Level 2",
    "Using Google Suite",
    "Web Tools",
    "Project Based Learning",
    "Writing and Literacy",
    "Student Centered Classrooms and Genius Hour",
    "Workshop Model in a HS Classroom",
    "Beyond the Grade",
)
# Relative popularity of the seven topics most people choose; topic 2 (Level 2) and
# topic 9 (Beyond the Grade) get exactly two takers and one taker per school.
POPULARITY = {1: 18, 3: 15, 4: 12, 5: 22, 6: 14, 7: 10, 8: 9}
TINY = {2: 2, 9: 1}

DEPARTMENTS = (
    "English",
    "Mathematics",
    "Science",
    "Social Studies",
    "World Languages",
    "Fine Arts",
    "Career and Technical Education",
    "Special Education",
)
# Relative department sizes in a large high school.
DEPT_WEIGHTS = (18, 17, 16, 14, 9, 8, 9, 9)

SLOT_LABELS = {
    1: "1st period planning",
    2: "2nd period planning",
    3: "3rd period planning",
    4: "4th period planning",
    5: "5th period planning",
    6: "6th period planning",
    7: "A lunch",
    8: "B lunch",
    9: "Before school",
    10: "After school",
}
PLANNING = (1, 2, 3, 4, 5, 6)
# Each department shares one planning period (two pairs of small departments share one).
DEPT_PLANNING = dict(zip(DEPARTMENTS, (1, 2, 3, 4, 5, 6, 5, 6), strict=True))


@dataclass(frozen=True)
class Instance:
    people: tuple[Person, ...]
    cohorts: tuple[Cohort, ...]
    topics: tuple[Topic, ...]
    rules: Rules
    slot_labels: dict[int, str]
    topic_names: dict[int, str]
    schools: int


def topics() -> tuple[Topic, ...]:
    """The nine topics: the seven the school offered, and two typed in by a few people
    (proposed, below the offer threshold)."""
    return tuple(
        Topic(i, name, "proposed" if i in TINY else "offered")
        for i, name in enumerate(TOPIC_NAMES, start=1)
    )


def _slots(rng: random.Random, dept: str) -> frozenset[int]:
    own = DEPT_PLANNING[dept]
    chosen = set()
    if rng.random() < 0.92:
        chosen.add(own)
    if rng.random() < 0.55:
        chosen.add(10)
    if rng.random() < 0.30:
        chosen.add(9)
    if rng.random() < 0.25:
        chosen.add(rng.choice([p for p in PLANNING if p != own]))
    for lunch in (7, 8):
        if rng.random() < 0.06:
            chosen.add(lunch)
    pool = [s for s in dict.fromkeys((own, 10, 9, *PLANNING)) if s not in chosen]
    while len(chosen) < 2:
        s = pool.pop(0) if rng.random() < 0.7 else rng.choice(pool)
        if s in pool:
            pool.remove(s)
        chosen.add(s)
    while len(chosen) > 5:
        extra = sorted(s for s in chosen if s != own)
        chosen.discard(rng.choice(extra))
    return frozenset(chosen)


def _choices(rng: random.Random) -> tuple[int, ...]:
    k = rng.choices((1, 2, 3), weights=(15, 25, 60))[0]
    ids = list(POPULARITY)
    weights = [POPULARITY[t] for t in ids]
    picked: list[int] = []
    while len(picked) < k:
        t = rng.choices(ids, weights=weights)[0]
        if t not in picked:
            picked.append(t)
    return tuple(picked)


def _school(rng: random.Random, school: str, size: int, first_id: int) -> list[Person]:
    depts = rng.choices(DEPARTMENTS, weights=DEPT_WEIGHTS, k=size)
    rows = []
    for k in range(size):
        pid = first_id + k
        dept = depts[k]
        r = rng.random()
        mode = "individual" if r < 0.03 else ("expert" if r < 0.07 else "cohort")
        rows.append(
            {
                "id": pid,
                "name": f"Staff {pid}",
                "department": dept,
                "school": school,
                "choices": _choices(rng),
                "mode": mode,
                "priority": "who" if rng.random() < 0.5 else "when",
                "slots": _slots(rng, dept),
                "colleagues": set(),
                "dept_pref": rng.choices(("same", "mix", "none"), weights=(30, 25, 45))[0],
            }
        )
    # The tiny topics: exactly two takers for one, one taker for the other, first choice.
    tiny_takers = rng.sample([r for r in rows if r["mode"] != "individual"], sum(TINY.values()))
    k = 0
    for topic, takers in TINY.items():
        for _ in range(takers):
            row = tiny_takers[k]
            k += 1
            row["choices"] = (topic,) + tuple(t for t in row["choices"] if t != topic)[:2]
    # Named colleagues: ~20% name 1-3, mostly someone on the same first choice, often in
    # their department; some requests are returned.
    by_first: dict[int, list[dict]] = {}
    for row in rows:
        by_first.setdefault(row["choices"][0], []).append(row)
    for row in rows:
        if rng.random() >= 0.17:
            continue
        for _ in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
            if rng.random() < 0.8:
                pool = [o for o in by_first[row["choices"][0]] if o is not row]
                same = [o for o in pool if o["department"] == row["department"]]
                if same and rng.random() < 0.6:
                    pool = same
            else:
                pool = [o for o in rows if o is not row]
            if not pool:
                continue
            other = rng.choice(pool)
            row["colleagues"].add(other["id"])
            if rng.random() < 0.4:
                other["colleagues"].add(row["id"])
    return [
        Person(
            **{
                **row,
                "colleagues": frozenset(row["colleagues"]),
            }
        )
        for row in rows
    ]


def generate(staff: int = 260, seed: int = 1, school_size: int = 263) -> Instance:
    """About ``staff`` people in ``round(staff / school_size)`` schools of varied size."""
    rng = random.Random(seed)
    schools = max(1, round(staff / school_size))
    sizes = [rng.uniform(0.8, 1.2) for _ in range(schools)]
    scale = staff / sum(sizes)
    counts = [max(12, round(s * scale)) for s in sizes]
    counts[-1] += staff - sum(counts)
    people: list[Person] = []
    for k, count in enumerate(counts):
        name = "Trailblazer High" if schools == 1 else f"School {k + 1:03d}"
        people += _school(rng, name, count, first_id=len(people) + 1)
    return Instance(
        people=tuple(people),
        cohorts=(),
        topics=topics(),
        rules=Rules(),
        slot_labels=dict(SLOT_LABELS),
        topic_names={t.id: t.name for t in topics()},
        schools=schools,
    )
